using System.Globalization;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Authoring;
using Toil.Runtime.Jobs;
using Toil.Runtime.Leader.TestHost;
using Toil.Runtime.JobStores;
using Toil.Runtime.Leader.Workflows;

namespace Toil.Runtime.Leader.Tests;

/// <summary>
/// Toil's workflow tests (jobTest, checkpointTest, restartDAGTest) through the leader, on each batch system: in-process,
/// and local processes (each job a worker process of the test host, through ToilWorkerEntryPoint).
/// </summary>
[TestFixture(false)]
[TestFixture(true)]
public sealed class PortedWorkflowTests(bool localProcess)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    [TestCase(false, "ABCDEFG")]
    [TestCase(true, "ABCDE")]
    public async Task RunWorkflowAsync_StaticGraph_LastJobWritesWholeAlphabet(bool second, string expected)
    {
        await using var host = LeaderHost.Create(localProcess: localProcess, fileStore: true);
        var result = await host.Runner.RunWorkflowAsync<StaticGraphJob, StaticInput>(new(host.PathOf("out"), second)).WaitAsync(Bound);

        result.Succeeded.Should().BeTrue();
        (await File.ReadAllTextAsync(host.PathOf("out"))).Should().Be(expected);
        Directory.Exists(Path.Combine(host.Directory, "store")).Should().BeFalse("the store is destroyed on success");
    }

    [TestCase(false, "ABCDEFG")]
    [TestCase(true, "ABCDE")]
    public async Task RunWorkflowAsync_StaticGraphUnderChaos_RetriesAndStillOrdered(bool second, string expected)
    {
        // Toil's jobTest with badWorker: chaining may run the whole graph as one attempt, which the chaos spares half the
        // time (in process, where that attempt takes milliseconds, more often: its delay can outlast the chain), so the
        // workflow runs again (each run must succeed, in order) until a run had a failed, retried attempt.
        int maxRuns = localProcess ? 12 : 60;
        int failedAttempts = 0;
        for (int run = 0; run < maxRuns && failedAttempts == 0; run++)
        {
            // In-process workers read the chaos settings from WorkerOptions, worker processes from the test host's environment.
            // The file store makes the chain's commits slow enough (milliseconds) for the chaos's delay to land inside it.
            await using var host = LeaderHost.Create(
                localProcess: localProcess,
                fileStore: true,
                leader: o =>
                {
                    o.Config = new WorkflowConfig { RetryCount = 100, RetryBackoffSeconds = 0 };
                    o.WorkerEnvironment[TestWorkerSettings.BadWorkerVariable] = "0.5";
                    o.WorkerEnvironment[TestWorkerSettings.BadWorkerFailIntervalVariable] = "1";
                },
                worker: o => { o.BadWorker = 0.5; o.BadWorkerFailInterval = TimeSpan.FromMilliseconds(1); });
            var result = await host.Runner.RunWorkflowAsync<StaticGraphJob, StaticInput>(new(host.PathOf("out"), second)).WaitAsync(Bound);

            result.Succeeded.Should().BeTrue();
            (await File.ReadAllTextAsync(host.PathOf("out"))).Should().Be(expected);
            result.AttemptsIssued.Should().BeGreaterThan(result.FailedAttempts, "every failed attempt was retried and the workflow still succeeded");
            failedAttempts = result.FailedAttempts;
        }

        failedAttempts.Should().BeGreaterThan(0, $"the chaos killed at least one attempt in {maxRuns} runs");
    }

    [Test]
    public async Task RunStoreAsync_CheckpointNotRetried_Fails()
    {
        // retryCount 0, k = 1: the checkpoint has one try, which is not more than one, so it is not restarted.
        var (result, runs) = await RunCheckRetryCountAsync(retryCount: 0, k: 1);
        result.Succeeded.Should().BeFalse();
        runs.Should().Be(1);
    }

    [Test]
    public async Task RunStoreAsync_CheckpointRetriedOnce_Succeeds()
    {
        var (result, runs) = await RunCheckRetryCountAsync(retryCount: 1, k: 1);
        result.Succeeded.Should().BeTrue();
        runs.Should().Be(2);
        result.CheckpointRestarts.Should().Be(1);
    }

    [Test]
    public async Task RunStoreAsync_CheckpointNeedsTwoRestartsWithOne_Fails()
    {
        var (result, runs) = await RunCheckRetryCountAsync(retryCount: 1, k: 2);
        result.Succeeded.Should().BeFalse();
        runs.Should().Be(2);
    }

    [Test]
    public async Task RunWorkflowAsync_CheckpointedRestart_SucceedsOnRestart()
    {
        await using var host = LeaderHost.Create(localProcess: localProcess, fileStore: true, leader: o => o.Config = new WorkflowConfig { RetryCount = 0, RetryBackoffSeconds = 0 });
        await using (var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = host.Locator }, new WorkflowConfig { RetryCount = 0, RetryBackoffSeconds = 0 }))
        {
            await store.CreateRootJobAsync<GuardedCheckpointJob, string>(host.Registry, host.Directory, checkpoint: true);
            var first = await host.Runner.RunStoreAsync(store).WaitAsync(Bound);
            first.Succeeded.Should().BeFalse();
            first.FailedJobs.Select(j => j.JobName).Should().BeEquivalentTo("fail-unless-allowed", "guarded-checkpoint");
            first.CheckpointRestarts.Should().Be(0, "with one try the checkpoint is not restarted within the run");
        }

        await File.WriteAllTextAsync(host.PathOf("allow"), "yes");
        await using (var store = await FileJobStore.OpenAsync(host.Locator))
        {
            var second = await host.Runner.RunStoreAsync(store).WaitAsync(Bound);
            second.Succeeded.Should().BeTrue();
            second.CheckpointRestarts.Should().Be(1, "the restart's clean-up re-ran the checkpoint from its snapshot");
            (await store.ListJobsAsync().CountAsync()).Should().Be(0);
            (await store.SharedFileExistsAsync("succeeded.log")).Should().BeTrue();
        }

        Counter.Read(host.PathOf("checkpointRun")).Should().Be(2, "the restart re-ran the checkpoint from its snapshot");
    }

    [TestCase("trivialParent")]
    [TestCase("parent")]
    [TestCase("diamond")]
    public async Task RunWorkflowAsync_DagConsistencyCase_FailsCleanlyWithoutRunningStranded(string shape)
    {
        await using var host = LeaderHost.Create(localProcess: localProcess);
        var result = await host.Runner.RunWorkflowAsync<DagShapeJob, DagShapeInput>(new(shape, host.Directory)).WaitAsync(Bound);

        result.Succeeded.Should().BeFalse();
        result.FailedJobs.Should().Contain(j => j.JobName == "always-fail");
        result.FailedJobs.Should().Contain(j => j.JobName == "dag-shape", "failure reaches the root");
        File.Exists(host.PathOf("stranded")).Should().BeFalse();
    }

    [Test]
    public async Task RunStoreAsync_RestartDiamond_ThreeFailedJobsAndChildNeverRuns()
    {
        await using var host = LeaderHost.Create(localProcess: localProcess, leader: o => o.Config = new WorkflowConfig { RetryCount = 0, RetryBackoffSeconds = 0 });
        await using (var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = host.Locator }, new WorkflowConfig { RetryCount = 0, RetryBackoffSeconds = 0 }))
        {
            await store.CreateRootJobAsync<DagShapeJob, DagShapeInput>(host.Registry, new("restart-diamond", host.Directory));
            var first = await host.Runner.RunStoreAsync(store).WaitAsync(Bound);
            first.FailedJobs.Should().HaveCount(3);
            first.FailedJobs.Select(j => j.DisplayName).Should().Contain(["passingParent", "failingParent"]).And.NotContain("child");
        }

        File.Exists(host.PathOf("parent")).Should().BeTrue();
        File.Exists(host.PathOf("child")).Should().BeFalse();
        File.Delete(host.PathOf("parent"));

        await using (var store = await FileJobStore.OpenAsync(host.Locator))
        {
            var again = await host.Runner.RunStoreAsync(store).WaitAsync(Bound);
            again.FailedJobs.Should().HaveCount(3);
            var failing = again.FailedJobs.Single(j => j.DisplayName == "failingParent");
            failing.ExitCode.Should().Be(1);
            failing.ExitReason.Should().Be(BatchJobExitReason.Failed);
            failing.Log.Should().Contain("the failing parent fails");
        }

        File.Exists(host.PathOf("parent")).Should().BeTrue();
        File.Exists(host.PathOf("child")).Should().BeFalse();
    }

    [Test]
    public async Task RunStoreAsync_RestartDiamondParentKillsItself_ThreeFailedJobsAndChildNeverRuns()
    {
        if (!localProcess)
        {
            Assert.Ignore("An in-process worker cannot kill itself: only a worker process can die by SIGKILL.");
        }

        await using var host = LeaderHost.Create(localProcess: true, leader: o => o.Config = new WorkflowConfig { RetryCount = 0, RetryBackoffSeconds = 0 });
        await using (var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = host.Locator }, new WorkflowConfig { RetryCount = 0, RetryBackoffSeconds = 0 }))
        {
            await store.CreateRootJobAsync<DagShapeJob, DagShapeInput>(host.Registry, new("restart-diamond-kill", host.Directory));
            var first = await host.Runner.RunStoreAsync(store).WaitAsync(Bound);
            first.FailedJobs.Should().HaveCount(3);
            first.FailedJobs.Select(j => j.DisplayName).Should().Contain(["passingParent", "failingParent"]).And.NotContain("child");
        }

        File.Exists(host.PathOf("parent")).Should().BeTrue();
        File.Exists(host.PathOf("child")).Should().BeFalse();
        File.Delete(host.PathOf("parent"));

        await using (var store = await FileJobStore.OpenAsync(host.Locator))
        {
            var again = await host.Runner.RunStoreAsync(store).WaitAsync(Bound);
            again.FailedJobs.Should().HaveCount(3);
            again.FailedJobs.Select(j => j.DisplayName).Should().Contain(["passingParent", "failingParent"]).And.NotContain("child");
            var failing = again.FailedJobs.Single(j => j.DisplayName == "failingParent");
            failing.ExitCode.Should().Be(128 + 9, "the worker process died by SIGKILL");
            failing.ExitReason.Should().Be(BatchJobExitReason.Killed);
        }

        File.Exists(host.PathOf("parent")).Should().BeTrue("the restart ran the failing parent again");
        File.Exists(host.PathOf("child")).Should().BeFalse();
    }

    [TestCase(0, true)]
    [TestCase(1, false)]
    [TestCase(2, false)]
    [TestCase(3, false)]
    [TestCase(4, false)]
    [TestCase(5, false)]
    [TestCase(6, false)]
    public async Task RunWorkflowAsync_DeadlockDetectionStatic_OnlyAcyclicSingleRootGraphsRun(int graph, bool valid)
    {
        await using var host = LeaderHost.Create(localProcess: localProcess, leader: o => o.Config = new WorkflowConfig { RetryCount = 0 });
        var result = await host.Runner.RunWorkflowAsync<GraphCaseJob, int>(graph).WaitAsync(Bound);

        result.Succeeded.Should().Be(valid);
        if (!valid)
        {
            result.FailedJobs.Should().ContainSingle().Which.Log.Should().MatchRegex("JobGraph|ConflictingPredecessor|ArgumentException");
        }
    }

    [TestCase(-1, true)]
    [TestCase(-2, false)]
    [TestCase(-3, false)]
    public async Task RunWorkflowAsync_NewCheckpointMustBeLeaf_OnlyLeafRuns(int shape, bool valid)
    {
        await using var host = LeaderHost.Create(localProcess: localProcess, leader: o => o.Config = new WorkflowConfig { RetryCount = 0 });
        var result = await host.Runner.RunWorkflowAsync<GraphCaseJob, int>(shape).WaitAsync(Bound);

        result.Succeeded.Should().Be(valid);
        if (!valid)
        {
            result.FailedJobs.Should().ContainSingle().Which.Log.Should().Contain("CheckpointNotLeaf");
        }
    }

    [Test]
    public async Task RunAsync_RootWithReturnValue_ReturnsItAndDestroysStore()
    {
        await using var host = LeaderHost.Create(localProcess: localProcess, fileStore: true);
        int sum = await host.Runner.RunAsync<SumJob, int[], int>([1, 2, 39]).WaitAsync(Bound);

        sum.Should().Be(42);
        Directory.Exists(Path.Combine(host.Directory, "store")).Should().BeFalse();
        Directory.EnumerateFileSystemEntries(Path.Combine(host.Directory, "work")).Should().BeEmpty("shut-down removes the workers' per-node directories");
    }

    [Test]
    public async Task RunAsync_FailedRootWithValue_ThrowsTypedException()
    {
        await using var host = LeaderHost.Create(localProcess: localProcess);
        var act = () => host.Runner.RunAsync<SumJob, int[], int>(null!).WaitAsync(Bound);
        var thrown = await act.Should().ThrowAsync<FailedJobsException>();
        thrown.Which.NumberOfFailedJobs.Should().Be(1);
        thrown.Which.Message.Should().Contain("1 failed job");
    }

    private async Task<(WorkflowResult Result, int Runs)> RunCheckRetryCountAsync(int retryCount, int k)
    {
        var config = new WorkflowConfig { RetryCount = retryCount, RetryBackoffSeconds = 0 };
        await using var host = LeaderHost.Create(localProcess: localProcess, leader: o => o.Config = config);
        await using var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = host.Locator }, config);
        await store.CreateRootJobAsync<CheckRetryCountJob, CheckRetryInput>(host.Registry, new(host.Directory, k), checkpoint: true);
        var result = await host.Runner.RunStoreAsync(store).WaitAsync(Bound);
        return (result, Counter.Read(Path.Combine(host.Directory, "checkpointRun")));
    }
}
