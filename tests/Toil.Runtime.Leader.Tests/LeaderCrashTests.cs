using System.Diagnostics;
using Toil.Runtime.Leader.TestHost;

namespace Toil.Runtime.Leader.Tests;

/// <summary>
/// The leader as a process on the local-process batch system (its own executable as the worker program), SIGKILLed at
/// random moments and started again on the same store: the workflow finishes with the right output and nothing is
/// left of the store.
/// </summary>
[TestFixture]
public sealed class LeaderCrashTests
{
    private static readonly TimeSpan RunBound = TimeSpan.FromSeconds(150);

    [Test]
    public async Task RunAsync_LeaderSigkilledAtRandomMoments_RestartFinishesWithRightOutput()
    {
        string directory = Directory.CreateTempSubdirectory("toil-leader-crash-").FullName;
        try
        {
            string store = Path.Combine(directory, "store");
            string outFile = Path.Combine(directory, "out");
            string work = Directory.CreateDirectory(Path.Combine(directory, "work")).FullName;
            var random = new Random(20261204);
            int kills = 0;
            for (int round = 0; round < 3; round++)
            {
                using var leader = StartLeader(store, outFile, work);
                var delay = TimeSpan.FromMilliseconds(random.Next(300, 4000));
                var exited = leader.WaitForExitAsync();
                if (await Task.WhenAny(exited, Task.Delay(delay)) == exited)
                {
                    break;
                }

                leader.Kill(); // SIGKILL, the leader only: its workers carry on as orphans.
                await leader.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                kills++;
            }

            using (var last = StartLeader(store, outFile, work))
            {
                string stdout = await last.StandardOutput.ReadToEndAsync().WaitAsync(RunBound);
                string stderr = await last.StandardError.ReadToEndAsync().WaitAsync(RunBound);
                await last.WaitForExitAsync().WaitAsync(RunBound);
                last.ExitCode.Should().Be(0, $"the restarted leader finishes (stderr: {stderr})");
                stdout.Should().Contain("total 4");
            }

            TestContext.Out.WriteLine($"leader killed {kills} time(s)");
            (await File.ReadAllTextAsync(outFile)).Should().Be("30", "1 + 4 + 9 + 16");
            Directory.Exists(store).Should().BeFalse("the store is destroyed once the workflow succeeded");
        }
        finally
        {
            await Task.Delay(200);
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task RunAsync_SecondLeaderProcessOnLiveStore_Refused()
    {
        string directory = Directory.CreateTempSubdirectory("toil-leader-lock-").FullName;
        try
        {
            string store = Path.Combine(directory, "store");
            string work = Directory.CreateDirectory(Path.Combine(directory, "work")).FullName;
            // The first leader's last job waits for the gate file, so the first is still at work when the second starts.
            string gate = Path.Combine(directory, "gate");
            using var first = StartLeader(store, Path.Combine(directory, "out"), work, gate);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!File.Exists(Path.Combine(store, "shared", "leader.lock")) && DateTime.UtcNow < deadline && !first.HasExited)
            {
                await Task.Delay(20);
            }

            using var second = StartLeader(store, Path.Combine(directory, "out2"), work);
            string stderr = await second.StandardError.ReadToEndAsync().WaitAsync(RunBound);
            await second.WaitForExitAsync().WaitAsync(RunBound);
            first.HasExited.Should().BeFalse("the first leader waits for the gate");

            second.ExitCode.Should().NotBe(0);
            stderr.Should().Contain(nameof(Workflows.LeaderAlreadyRunningException));
            await File.WriteAllTextAsync(gate, "open");
            await first.WaitForExitAsync().WaitAsync(RunBound);
            first.ExitCode.Should().Be(0);
        }
        finally
        {
            await Task.Delay(200);
            Directory.Delete(directory, recursive: true);
        }
    }

    private static Process StartLeader(string store, string outFile, string work, string? holdUntil = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { typeof(HostJobs).Assembly.Location, "leader", "file:" + store, outFile, "4", work })
        {
            start.ArgumentList.Add(arg);
        }

        if (holdUntil is not null)
        {
            // The leader's environment reaches its local-process workers.
            start.Environment[TotalJob.HoldUntilVariable] = holdUntil;
        }

        return Process.Start(start)!;
    }
}
