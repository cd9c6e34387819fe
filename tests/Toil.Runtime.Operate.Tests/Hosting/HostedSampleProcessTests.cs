using System.Diagnostics;
using System.Text;

namespace Toil.Runtime.Operate.Tests.Hosting;

/// <summary>
/// Graceful shutdown on a real SIGTERM (docs/hosting.md, "Stopping and restarting"): <c>samples/HostedWorkflow</c> runs as
/// its own process, is sent SIGTERM while its jobs run, exits with the sample's "stopped" code leaving the store, and a
/// second start of the same program finishes the workflow from that store.
/// </summary>
[TestFixture]
[Platform(Exclude = "Win", Reason = "SIGTERM is a Unix signal.")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HostedSampleProcessTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("toil-hosted-sigterm-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task HostedWorkflow_SigtermWhileJobsRun_ExitsStoppedStoreKeptThenRestartFinishes()
    {
        string store = Path.Combine(_directory, "store");

        // 30 greetings of 300 ms on one core: about 9 s of work, so the signal lands while jobs run.
        using (var first = Start(store))
        {
            await first.WaitForOutputAsync("Hello, ");
            using (var kill = Process.Start("kill", ["-s", "TERM", first.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync().WaitAsync(Bound);
                kill.ExitCode.Should().Be(0);
            }

            await first.Process.WaitForExitAsync().WaitAsync(Bound);
            first.Process.ExitCode.Should().Be(130, first.Output);
            first.Output.Should().Contain("Stopped: the store is kept");
        }

        Directory.Exists(store).Should().BeTrue("a stopped run leaves its store");
        var (code, status, _) = await Cli.Toil.RunAsync("status", "file:" + store);
        code.Should().Be(0);
        status.Should().Contain("Leader      not running").And.MatchRegex(@"to run or running\s+[1-9]");

        using (var second = Start(store))
        {
            await second.Process.WaitForExitAsync().WaitAsync(Bound);
            second.Process.ExitCode.Should().Be(0, second.Output);
            second.Output.Should().Contain("Workflow succeeded");
        }

        Directory.Exists(store).Should().BeFalse("the restarted run succeeded and cleaned its store");
    }

    private Sample Start(string store)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet")
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "HostedWorkflow.dll"));
        foreach (string arg in new[]
        {
            "--Toil:JobStore=file:" + store,
            "--Toil:Leader:Restart=true",
            "--Toil:Leader:StatsPollInterval=00:00:00.100",
            "--Toil:BatchSystem:MaxCores=1",
            "--Toil:BatchSystem:KillGracePeriod=00:00:05",
            "--Logging:LogLevel:Default=Information",
        })
        {
            info.ArgumentList.Add(arg);
        }

        for (int i = 0; i < 30; i++)
        {
            info.ArgumentList.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"--Names:{i}=name{i}"));
        }

        info.Environment["TOIL_WORKDIR"] = Directory.CreateDirectory(Path.Combine(_directory, "work")).FullName;
        return new Sample(Process.Start(info)!);
    }

    /// <summary>A started sample whose output is collected as it comes.</summary>
    private sealed class Sample : IDisposable
    {
        private readonly StringBuilder _output = new();
        private readonly Task _pumps;

        public Sample(Process process)
        {
            Process = process;
            _pumps = Task.WhenAll(Pump(process.StandardOutput), Pump(process.StandardError));
        }

        public Process Process { get; }

        public string Output
        {
            get
            {
                _pumps.Wait(Bound);
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public async Task WaitForOutputAsync(string text)
        {
            var deadline = DateTime.UtcNow + Bound;
            while (DateTime.UtcNow < deadline && !Process.HasExited)
            {
                lock (_output)
                {
                    if (_output.ToString().Contains(text, StringComparison.Ordinal))
                    {
                        return;
                    }
                }

                await Task.Delay(20);
            }

            Assert.Fail($"the sample never printed '{text}' (exited: {Process.HasExited})");
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }

            Process.Dispose();
        }

        private async Task Pump(StreamReader reader)
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (_output)
                {
                    _output.AppendLine(line);
                }
            }
        }
    }
}
