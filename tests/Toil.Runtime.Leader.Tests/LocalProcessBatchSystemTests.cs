using Toil.Runtime.Leader.TestHost;

namespace Toil.Runtime.Leader.Tests;

/// <summary>What only worker processes show: the environment the leader passes on (the real-time logging address).</summary>
[TestFixture]
public sealed class LocalProcessBatchSystemTests
{
    [Test]
    public async Task RunWorkflowAsync_RealtimeLogging_WorkerRecordsReachLeaderOnLocalProcesses()
    {
        await using var host = LeaderHost.Create(localProcess: true, leader: o => o.RealtimeLogging = true);
        var result = await host.Runner.RunWorkflowAsync<RealtimeJob, string>("hello from a worker process").WaitAsync(TimeSpan.FromSeconds(120));

        result.Succeeded.Should().BeTrue();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!host.Logs.GetSnapshot().Any(r => r.Message.Contains("hello from a worker process", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        host.Logs.GetSnapshot().Should().Contain(r => r.Message.Contains("real-time hello from a worker process", StringComparison.Ordinal), "the worker sent it to the leader's server, whose address the leader passed on");
    }
}
