using System.Globalization;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Authoring;
using Toil.Runtime.Jobs;
using Toil.Runtime.Leader.TestHost;
using Toil.Runtime.JobStores;
using Toil.Runtime.Leader.Workflows;

namespace Toil.Runtime.Leader.Tests;

/// <summary>Toil's workflow tests (jobTest, checkpointTest, restartDAGTest) through the leader on the in-process batch system.</summary>
[TestFixture]
public sealed class WorkflowTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Test]
    public async Task RunWorkflowAsync_RetryBackoff_AttemptsSpacedByGrowingBackoffInFakeTime()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", CultureInfo.InvariantCulture));
        await using var host = LeaderHost.Create(time: time, leader: o => o.Config = new WorkflowConfig { RetryCount = 4, RetryBackoffSeconds = 1, RetryBackoffFactor = 2 });
        string stamps = host.PathOf("stamps");
        var run = host.Runner.RunWorkflowAsync<StampAndFailJob, string>(stamps);
        var deadline = DateTime.UtcNow + Bound;
        while (!run.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        var result = await run.WaitAsync(TimeSpan.FromSeconds(1));
        result.Succeeded.Should().BeFalse();
        var times = (await File.ReadAllLinesAsync(stamps)).Select(l => new DateTime(long.Parse(l, CultureInfo.InvariantCulture), DateTimeKind.Utc)).ToList();
        times.Should().HaveCount(5);
        double[] minimum = [1, 2, 4, 8];
        for (int i = 1; i < times.Count; i++)
        {
            (times[i] - times[i - 1]).TotalSeconds.Should().BeGreaterThanOrEqualTo(minimum[i - 1]);
        }
    }

    [Test]
    public async Task RunAsync_FailedWorkflow_ThrowsFailedJobsExceptionAndKeepsStore()
    {
        await using var host = LeaderHost.Create(fileStore: true, leader: o => o.WriteLogsDirectory = Path.Combine(Path.GetTempPath(), "unused"));
        var act = () => host.Runner.RunWorkflowAsync<AlwaysFailJob, string>("root").WaitAsync(Bound);
        var result = await act();
        result.Succeeded.Should().BeFalse();

        var again = () => host.Runner.RunWorkflowAsync<AlwaysFailJob, string>("root");
        await again.Should().ThrowAsync<JobStoreExistsException>("the failed workflow's store is kept and a fresh run refuses it");
    }

    [Test]
    public async Task RunWorkflowAsync_FailedJob_LogFramedEscapedAndWrittenToDirectory()
    {
        string logs = Path.Combine(Path.GetTempPath(), "toil-leader-logs-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var host = LeaderHost.Create(leader: o => { o.WriteLogsDirectory = logs; o.Config = new WorkflowConfig { RetryCount = 0 }; });
            var result = await host.Runner.RunWorkflowAsync<AlwaysFailJob, string>("bad\u001b[31mname").WaitAsync(Bound);

            result.FailedJobs.Should().ContainSingle().Which.Log.Should().Contain("always fails (bad\u001b[31mname)");
            var framed = host.Logs.GetSnapshot().Single(r => r.Id.Id == 8 && r.Category == "Toil.Runtime.Leader");
            framed.Message.Should().StartWith("Log from job \"").And.Contain("=========>\n\t").And.EndWith("<=========");
            framed.Message.Should().NotContain("\u001b", "job-chosen text is escaped");
            framed.StructuredState!.Should().Contain(kv => kv.Key == "originalLog" && kv.Value!.Contains('\u001b'));
            Directory.GetFiles(logs, "failed_always--fail_*.log").Should().ContainSingle();
        }
        finally
        {
            if (Directory.Exists(logs))
            {
                Directory.Delete(logs, recursive: true);
            }
        }
    }

    [Test]
    public async Task RunWorkflowAsync_MessageToLeader_LoggedAtItsLevelEscaped()
    {
        await using var host = LeaderHost.Create();
        var result = await host.Runner.RunWorkflowAsync<TellLeaderJob, string>("careful\u001b]0;title\u0007 now").WaitAsync(Bound);

        result.Succeeded.Should().BeTrue();
        var records = host.Logs.GetSnapshot().Where(r => r.Id.Id == 9 && r.Category == "Toil.Runtime.Leader").ToList();
        TestContext.Out.WriteLine(string.Join("\n", records.Select(r => r.Message)));
        var record = records.Single(r => r.Message.Contains("careful", StringComparison.Ordinal));
        record.Level.Should().Be(LogLevel.Warning);
        record.Message.Should().Contain("careful").And.NotContain("\u001b").And.NotContain("\u0007");
        record.StructuredState!.Should().Contain(kv => kv.Key == "originalText" && kv.Value == "careful\u001b]0;title\u0007 now");
    }

    [Test]
    public async Task RunStoreAsync_SecondLeaderOnSameStore_Refused()
    {
        await using var host = LeaderHost.Create(leader: o => o.LeaderLockTimeout = TimeSpan.FromMilliseconds(200));
        await using var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = host.Locator });
        string gate = host.PathOf("gate");
        await store.CreateRootJobAsync<GateJob, string>(host.Registry, gate);
        var first = host.Runner.RunStoreAsync(store);
        while (GateJob.Running == 0 && !first.IsCompleted)
        {
            await Task.Delay(10);
        }

        await using (var second = await FileJobStore.OpenAsync(host.Locator))
        {
            var act = () => host.Runner.RunStoreAsync(second);
            await act.Should().ThrowAsync<LeaderAlreadyRunningException>();
        }

        await File.WriteAllTextAsync(gate, "open");
        (await first.WaitAsync(Bound)).Succeeded.Should().BeTrue();
    }

    [Test]
    public async Task RunStoreAsync_StoredRootWithTriesUsedUpAndJournaledFile_CleanUpResetsTriesAndDeletesFile()
    {
        // The clean-up's fix-ups of a stored job (docs/leader.md, "Restart after a crash"), which a cheaper clean-up that
        // reuses the listing's copies must keep (docs/performance.md, "Chain through the leader: the per-job cost").
        await using var host = LeaderHost.Create();
        await using var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = host.Locator });
        string touched = host.PathOf("touched");
        string rootId = await store.CreateRootJobAsync<TouchJob, string>(host.Registry, touched);
        string journaled = await store.WriteFileAsync(new byte[] { 1 }, rootId, baseName: "left");
        var root = await store.LoadJobAsync(rootId);
        root.RemainingTryCount = 0;
        root.FilesToDelete.Add(journaled);
        await store.UpdateJobAsync(root);

        var result = await host.Runner.RunStoreAsync(store).WaitAsync(Bound);

        result.Succeeded.Should().BeTrue("the clean-up reset the tries the stored record had used up");
        File.Exists(touched).Should().BeTrue();
        (await store.FileExistsAsync(journaled)).Should().BeFalse("the clean-up finished the journaled deletion");
    }

    [Test]
    public async Task RunWorkflowAsync_FanOutOverTwoCores_RunsTwoAtOnceNotMore()
    {
        await using var host = LeaderHost.Create(slots: o => o.MaxCores = 2);
        string gate = host.PathOf("gate");
        GateJob.MaxRunning = 0;
        var run = host.Runner.RunWorkflowAsync<FanGateJob, string[]>(Enumerable.Repeat(gate, 6).ToArray());
        var deadline = DateTime.UtcNow + Bound;
        while (GateJob.Running < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await Task.Delay(100);
        GateJob.Running.Should().Be(2, "every ready job is issued and two fit");
        await File.WriteAllTextAsync(gate, "open");
        (await run.WaitAsync(Bound)).Succeeded.Should().BeTrue();
        GateJob.MaxRunning.Should().Be(2);
    }

    [Test]
    public async Task RunWorkflowAsync_JobNeedsMoreThanMachine_FailsWithReason()
    {
        await using var host = LeaderHost.Create(slots: o => o.MaxCores = 1, leader: o => o.Config = new WorkflowConfig { DefaultCores = 3 });
        var result = await host.Runner.RunWorkflowAsync<NoopJob, string>("big").WaitAsync(Bound);

        result.FailedJobs.Should().ContainSingle().Which.Reason.Should().Contain("offers at most 1 cores");
    }
}
