using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Leader.Workflows;
using Toil.Runtime.Reliability.Host;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Reliability;

/// <summary>
/// Optimistic-concurrency conflicts provoked on purpose (docs/reliability.md, "Load"): two writers of one record through
/// two instances of the same <see cref="FileJobStore"/> (as two processes have), and an orphaned attempt racing the
/// leader's new attempt of the same job. Each conflict is counted and resolved: no update is lost, the workflow is right.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ConcurrencyConflictTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("toil-conflict-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    [CancelAfter(60_000)]
    public async Task UpdateJobAsync_TwoStoreInstancesUpdateTheSameJob_LoserGetsConflictReloadsAndBothUpdatesLand(CancellationToken cancellationToken)
    {
        string locator = "file:" + Path.Combine(_directory, "store");
        await using var first = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = locator }, cancellationToken: cancellationToken);
        await using var second = await FileJobStore.OpenAsync(locator, cancellationToken);
        var job = new JobDescription("contended");
        await first.AssignJobIdAsync(job, cancellationToken);
        await first.CreateJobsAsync([job], cancellationToken);

        var mine = await first.LoadJobAsync(job.JobStoreId, cancellationToken);
        var theirs = await second.LoadJobAsync(job.JobStoreId, cancellationToken);
        mine.RemainingTryCountOverride = 3;
        theirs.RetryBackoffSecondsOverride = 5;
        await first.UpdateJobAsync(mine, cancellationToken);

        int conflicts = 0;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                await second.UpdateJobAsync(theirs, cancellationToken);
                break;
            }
            catch (ConcurrentJobModificationException e)
            {
                conflicts++;
                e.JobId.Should().Be(job.JobStoreId);
                theirs = await second.LoadJobAsync(job.JobStoreId, cancellationToken);
                theirs.RetryBackoffSecondsOverride = 5;
            }
        }

        conflicts.Should().Be(1, "the second writer loaded the version the first one replaced");
        var stored = await first.LoadJobAsync(job.JobStoreId, cancellationToken);
        stored.RemainingTryCountOverride.Should().Be(3, "the first writer's update is not lost");
        stored.RetryBackoffSecondsOverride.Should().Be(5, "the second writer's update landed after it reloaded");
    }

    [Test]
    [CancelAfter(3 * 60_000)]
    public async Task RunWorkflowAsync_OrphanAttemptCommitsBeforeTheLeadersAttempt_ConflictCountedNoTryChargedWorkflowRight(CancellationToken cancellationToken)
    {
        var (result, orphan) = await RaceAsync(orphanCommitsFirst: true, cancellationToken);

        orphan.ExitCode.Should().Be(WorkerExitCodes.Success, "the orphan's commit came first");
        result.Succeeded.Should().BeTrue("the leader follows the record the orphan committed; with no retries left, a charged try would have failed the root");
        result.ConcurrentModifications.Should().Be(1, "the leader's attempt lost the race and said so with its exit code");
        result.FailedAttempts.Should().Be(0, "a lost race whose record moved on is not a failed attempt");
        AssertEveryLeafRanOnce();
        File.ReadAllLines(Path.Combine(_directory, "effects", "root")).Should().HaveCount(2, "the root's body ran in both attempts (at least once: an orphan explains the repeat)");
        MachineFaults.InstanceDirectories(Path.Combine(_directory, "store")).Should().BeEmpty("the loser's unrecorded children are swept at the end");
    }

    [Test]
    [CancelAfter(3 * 60_000)]
    public async Task RunWorkflowAsync_LeadersAttemptCommitsBeforeTheOrphan_OrphanExitsWithConflictCodeWorkflowRight(CancellationToken cancellationToken)
    {
        var (result, orphan) = await RaceAsync(orphanCommitsFirst: false, cancellationToken);

        orphan.ExitCode.Should().Be(WorkerExitCodes.ConcurrentModification, "the orphan's commit lost to the leader's attempt");
        orphan.Error.Should().BeOfType<ConcurrentJobModificationException>();
        result.Succeeded.Should().BeTrue();
        result.ConcurrentModifications.Should().Be(0, "the leader never issued the orphan");
        result.FailedAttempts.Should().Be(0);
        AssertEveryLeafRanOnce();
        MachineFaults.InstanceDirectories(Path.Combine(_directory, "store")).Should().BeEmpty("the orphan's unrecorded children are swept at the end");
    }

    /// <summary>
    /// The leader (in-process batch system, no retries) issues the gated root; once its attempt waits at the gate, an
    /// orphan attempt of the same root starts on another store instance and waits too; both hold the same version. One is
    /// let go and finishes its commit, then the other.
    /// </summary>
    private async Task<(WorkflowResult Result, WorkerResult Orphan)> RaceAsync(bool orphanCommitsFirst, CancellationToken cancellationToken)
    {
        string store = Path.Combine(_directory, "store");
        string work = Directory.CreateDirectory(Path.Combine(_directory, "work")).FullName;
        string effects = Directory.CreateDirectory(Path.Combine(_directory, "effects")).FullName;
        ConflictJobs.Arm(3); // the two root attempts, then the first leaf (it keeps the root's record alive)
        await using var provider = ConflictJobs.Register(new ServiceCollection().AddLogging())
            .AddToilLeader(o =>
            {
                o.JobStore = "file:" + store;
                o.Clean = CleanPolicy.Never;
                o.Config = new WorkflowConfig { RetryCount = 0, RetryBackoffSeconds = 0 };
                o.StatsPollInterval = TimeSpan.FromMilliseconds(100);
            })
            .ConfigureInProcessBatchSystem(o => { o.MaxCores = 2; o.MaxMemory = 8L << 30; o.MaxDisk = 8L << 30; })
            .Configure<WorkerOptions>(o => { o.WorkDir = work; o.CoordinationDir = work; })
            .BuildServiceProvider();
        var run = provider.GetRequiredService<IWorkflowRunner>().RunWorkflowAsync<GatedRootJob, GatedRootInput>(new(10, effects), cancellationToken);
        await ConflictJobs.EnteredAsync(0).WaitAsync(MachineFaults.Bound, cancellationToken);

        await using var other = await FileJobStore.OpenAsync("file:" + store, cancellationToken);
        string rootId = (await other.GetRootJobIdAsync(cancellationToken))!;
        var orphanRun = provider.GetRequiredService<IWorkerRunner>().RunAsync(new WorkerRequest(other, rootId) { JobName = "gated-root" }, cancellationToken);
        await ConflictJobs.EnteredAsync(1).WaitAsync(MachineFaults.Bound, cancellationToken);

        WorkerResult orphan;
        if (orphanCommitsFirst)
        {
            ConflictJobs.Release(1);
            orphan = await orphanRun.WaitAsync(MachineFaults.Bound, cancellationToken);
            ConflictJobs.Release(0);
            ConflictJobs.Release(2);
        }
        else
        {
            ConflictJobs.Release(0);
            await ConflictJobs.EnteredAsync(2).WaitAsync(MachineFaults.Bound, cancellationToken); // committed: a leaf runs
            ConflictJobs.Release(1);
            orphan = await orphanRun.WaitAsync(MachineFaults.Bound, cancellationToken);
            ConflictJobs.Release(2);
        }

        var result = await run.WaitAsync(MachineFaults.Bound, cancellationToken);
        TestContext.Out.WriteLine($"orphan exit {orphan.ExitCode} ({orphan.Error?.GetType().Name}: {orphan.Error?.Message}); leader: succeeded {result.Succeeded}, attempts {result.AttemptsIssued}, failed attempts {result.FailedAttempts}, conflicts {result.ConcurrentModifications}");
        return (result, orphan);
    }

    private void AssertEveryLeafRanOnce()
    {
        string effects = Path.Combine(_directory, "effects");
        Enumerable.Range(0, 10).Select(i => ConflictJobs.LeafFile(effects, i))
            .Should().OnlyContain(f => File.Exists(f) && File.ReadAllLines(f).Length == 1, "every leaf ran exactly once: only the winning commit's children are in the workflow");
    }
}
