using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Tests.Logging;

/// <summary>
/// Interoperation with real Python code: a Python worker logging the way Toil's does sends to our server, and our
/// datagrams go through Python's <c>logging</c> exactly as Toil's leader handles them. Needs <c>python3</c> (3.8 or later)
/// on the PATH; without it the tests are skipped — install Python 3 to run them (<c>.ci/run</c> images have it).
/// </summary>
[CancelAfter(120_000)]
[NonParallelizable]
public sealed class ToilPythonInteropTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Test]
    public async Task PythonToilSender_ToOurServer_RecordsRenderedAsPythonWouldAndFilteredByTheSender()
    {
        var leaderLog = new CapturingLoggerProvider();
        await using var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(leaderLog))
            .AddToilRealtimeLoggingServer(o => o.Level = "INFO")
            .BuildServiceProvider();
        var server = services.GetRequiredService<RealtimeLoggingServer>();
        server.Start();
        var request = RealtimeLoggingRequest.FromVariables(server.EnvironmentVariables);

        var (exit, _, stderr) = await RunPythonAsync("toil_rt_sender.py", null, request.Host!, request.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), request.Level!);

        exit.Should().Be(0, stderr);
        await leaderLog.WaitForAsync(r => r.Any(x => x.Message == "end"));
        leaderLog.In("toil-rt").Select(r => (r.Level, r.Message)).Should().Equal(
            (LogLevel.Information, "interop x 3"),
            (LogLevel.Warning, "mapping v"),
            (LogLevel.Error, "unicode: naïve ✓"),
            (LogLevel.Information, "[1, 'a', None] and 'q' and  3.14 and ff%"),
            (LogLevel.Critical, "end"));
        server.MalformedCount.Should().Be(0);
        leaderLog.Dispose();
    }

    [Test]
    public async Task OurDatagrams_ThroughPythonLoggingAsToilsLeaderHandlesThem_GiveOurMessagesLevelsAndTimes()
    {
        using var capture = new UdpCapture();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 7, 1, 23, 23, 13, TimeSpan.Zero));
        var datagrams = new List<byte[]>();
        using (var provider = new RealtimeLoggerProvider(RealtimeLoggingRequest.Create("TRACE", capture.Address), new RealtimeLoggerProviderOptions { TimeProvider = time }))
        {
            var logger = provider.CreateLogger("toil-rt");
            logger.LogTrace("trace 100% {Value}", "kept");
            logger.LogInformation("naïve ✓ %(not a key)s %s");
            logger.LogError(new InvalidOperationException("disk full"), "copy failed");
            logger.LogWarning("{Big}", new string('é', 20_000));
            for (int i = 0; i < 4; i++)
            {
                datagrams.Add(await capture.ReceiveAsync());
            }
        }

        string input = string.Join("\n", datagrams.Select(Convert.ToHexString)) + "\n";
        var (exit, stdout, stderr) = await RunPythonAsync("toil_rt_server_rules.py", input);

        exit.Should().Be(0, stderr);
        var results = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        results.Should().HaveCount(4, stdout);
        results.Where(r => !r.TryGetProperty("message", out JsonElement _)).Should().BeEmpty(stdout);
        results.Select(r => r.GetProperty("levelno").GetInt32()).Should().Equal(5, 20, 40, 30);
        results.Select(r => r.GetProperty("name").GetString()).Should().OnlyContain(n => n == "toil-rt");
        results[0].GetProperty("message").GetString().Should().Be("trace 100% kept");
        results[1].GetProperty("message").GetString().Should().Be("naïve ✓ %(not a key)s %s");
        results[2].GetProperty("message").GetString().Should().StartWith("copy failed\nSystem.InvalidOperationException: disk full");
        results[3].GetProperty("message").GetString().Should().StartWith("éé").And.EndWith("bytes]");
        // Python's own formatting of our created time, in the zone Python runs in.
        results[0].GetProperty("line").GetString().Should().MatchRegex(@"^\[2026-07-0[12]T\d\d:\d\d:13[+-]\d{4}\] \[[^\]]+\] \[T\] \[toil-rt\] trace 100% kept$");
    }

    [Test]
    public async Task PythonStackInfoSender_ToOurServer_TextIsWhatPythonsFormatterPrints()
    {
        var leaderLog = new CapturingLoggerProvider();
        await using var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(leaderLog))
            .AddToilRealtimeLoggingServer()
            .BuildServiceProvider();
        var server = services.GetRequiredService<RealtimeLoggingServer>();
        server.Start();
        var request = RealtimeLoggingRequest.FromVariables(server.EnvironmentVariables);

        var (exit, stdout, stderr) = await RunPythonAsync("toil_rt_stack_sender.py", null, request.Host!, request.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        exit.Should().Be(0, stderr);
        string python = JsonDocument.Parse(stdout).RootElement.GetProperty("message").GetString()!;
        python.Should().Contain("\nStack (most recent call last):\n").And.Contain("in sort_files");
        var seen = await leaderLog.WaitForAsync(r => r.Any(x => x.Category == "toil-rt"));
        var log = seen.Single(x => x.Category == "toil-rt");
        ((RealtimeLogRecord)log.State!).RawText.Should().Be(python);
        log.Message.Should().Be(TerminalText.Escape(python));
        leaderLog.Dispose();
    }

    [Test]
    public async Task DatagramsWithExceptionTextAndStack_PythonsFormatterGivesOurText()
    {
        string[] datagrams =
        [
            """{"name":"toil-rt","msg":"m %s","args":["x"],"levelno":40,"exc_text":"Traceback (most recent call last):\n  boom","stack_info":"Stack (most recent call last):\n  here"}""",
            """{"name":"toil-rt","msg":"ends with newline\n","args":[],"levelno":20,"exc_text":"E\n","stack_info":"S"}""",
            """{"name":"toil-rt","msg":"empty parts","args":[],"levelno":20,"exc_text":"","stack_info":""}""",
            """{"name":"toil-rt","msg":"","args":[],"levelno":20,"exc_text":null,"stack_info":"only a stack"}""",
        ];
        string input = string.Join("\n", datagrams.Select(d => Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(d)))) + "\n";

        var (exit, stdout, stderr) = await RunPythonAsync("toil_rt_server_rules.py", input);

        exit.Should().Be(0, stderr);
        var python = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("message").GetString()).ToList();
        var ours = datagrams.Select(d => RealtimeDatagramDecoder.Decode(System.Text.Encoding.UTF8.GetBytes(d), "127.0.0.1:1").RawText).ToList();
        ours.Should().Equal(python);
        ours[0].Should().Be("m x\nTraceback (most recent call last):\n  boom\nStack (most recent call last):\n  here");
    }

    private static async Task<(int ExitCode, string StdOut, string StdErr)> RunPythonAsync(string script, string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Logging", "Python", script));
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["PYTHONIOENCODING"] = "utf-8";
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Ignore("python3 is not on the PATH; install Python 3 to run the Python interoperation tests");
            throw;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardInput.WriteAsync(stdin ?? "");
            process.StandardInput.Close();
            using var cts = new CancellationTokenSource(Bound);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"python3 {script} did not exit within {Bound}");
            }

            return (process.ExitCode, await stdout, await stderr);
        }
    }
}
