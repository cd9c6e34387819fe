using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Logging;
using Toil.Runtime.Testing.Processes;

namespace Toil.Runtime.Tests.Logging;

/// <summary>
/// Across processes: the leader publishes the variables into a worker process's
/// environment; the worker's job logs at info and debug; the leader at INFO sees the info record only, and the worker's
/// own log has it too.
/// </summary>
[CancelAfter(120_000)]
[NonParallelizable]
public sealed class RealtimeLoggingProcessTests
{
    [Test]
    public async Task WorkerProcess_LogsInfoAndDebugAtLeaderInfo_LeaderSeesInfoOnlyAndWorkerLogHasIt()
    {
        var leaderLog = new CapturingLoggerProvider();
        await using var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(leaderLog))
            .AddToilRealtimeLoggingServer(o => o.Level = "INFO")
            .BuildServiceProvider();
        var server = services.GetRequiredService<RealtimeLoggingServer>();
        server.Start();

        var psi = TestHostProcess.StartInfo("rt-logging-job");
        server.ApplyTo(psi);
        var (exitCode, stdout, stderr) = await RunAsync(psi, TimeSpan.FromSeconds(60));

        exitCode.Should().Be(0, stderr);
        await leaderLog.WaitForAsync(r => r.Any(x => x.Message == "job done"));
        var received = leaderLog.In("toil-rt");
        received.Select(r => (r.Level, r.Message)).Should().Equal(
            (LogLevel.Information, "This should be logged at info level"),
            (LogLevel.Critical, "job done"));
        ((RealtimeLogRecord)received[0].State!).ProcessId.Should().NotBe(Environment.ProcessId, "it came from the worker process");
        stdout.Should().MatchRegex(@"\] \[I\] \[toil-rt\] This should be logged at info level")
            .And.NotContain("This should be logged at debug level");
        await server.StopAsync();
        leaderLog.Dispose();
    }

    [Test]
    public async Task WorkerProcess_WithoutVariables_LogsCriticalLocallyAndSendsNothing()
    {
        var psi = TestHostProcess.StartInfo("rt-logging-job");
        RealtimeLoggingServer.RemoveFrom(psi);

        var (exitCode, stdout, stderr) = await RunAsync(psi, TimeSpan.FromSeconds(60));

        exitCode.Should().Be(0, stderr);
        stdout.Should().NotContain("This should be logged").And.MatchRegex(@"\] \[C\] \[toil-rt\] job done");
    }

    private static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(ProcessStartInfo psi, TimeSpan timeout)
    {
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the test host");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the worker process did not exit within {timeout}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
