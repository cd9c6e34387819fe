using Microsoft.Extensions.Options;
using Toil.Runtime.JobStores;
using Toil.Runtime.Leader.BatchSystems;

namespace Toil.Runtime.Leader.Tests.BatchSystems;

/// <summary>
/// The in-process batch system's queue with many attempts behind few slots (docs/reliability.md, "Load"): a walk of the
/// queue stops once every core is taken, so issuing N attempts costs a number of reservation tries proportional to N, not
/// N²; killing them all is one pass.
/// </summary>
[TestFixture]
public sealed class InProcessBatchSystemQueueTests
{
    [Test]
    [CancelAfter(120_000)]
    public async Task IssueJobAsync_TenThousandBehindOneCore_ReservationTriesGrowLinearly(CancellationToken cancellationToken)
    {
        var runner = new BlockingRunner();
        await using var batch = new InProcessBatchSystem(runner, Options.Create(new InProcessBatchSystemOptions { MaxCores = 1, MaxMemory = 1L << 40, MaxDisk = 1L << 40 }));
        await using var store = new InMemoryJobStore();
        var ids = new List<long>();
        const int Count = 10_000;
        for (int i = 0; i < Count; i++)
        {
            ids.Add(await batch.IssueJobAsync(new BatchJobRequest { JobStoreId = "job-" + i, JobName = "job", Resources = new JobResources { Cores = 1 }, JobStore = store }, cancellationToken));
        }

        batch.GetIssuedJobIds().Should().HaveCount(Count);
        batch.GetRunningJobs().Should().HaveCount(1, "one core, one slot");
        batch.Pool.Tries.Should().BeLessThanOrEqualTo(2 * Count, "each issue tries at most the head of a full queue (before: every queued attempt, about N²/2 = 50,000,000 tries)");

        await batch.KillJobsAsync(ids, cancellationToken);
        batch.GetIssuedJobIds().Should().BeEmpty("every queued attempt left the queue and the running one was killed");
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task IssueJobAsync_ZeroCoreJobsBehindAFullCore_StillStart(CancellationToken cancellationToken)
    {
        var runner = new BlockingRunner();
        await using var batch = new InProcessBatchSystem(runner, Options.Create(new InProcessBatchSystemOptions { MaxCores = 1, MaxMemory = 1L << 40, MaxDisk = 1L << 40 }));
        await using var store = new InMemoryJobStore();
        await batch.IssueJobAsync(new BatchJobRequest { JobStoreId = "a", JobName = "job", Resources = new JobResources { Cores = 1 }, JobStore = store }, cancellationToken);
        await batch.IssueJobAsync(new BatchJobRequest { JobStoreId = "b", JobName = "job", Resources = new JobResources { Cores = 1 }, JobStore = store }, cancellationToken);
        await batch.IssueJobAsync(new BatchJobRequest { JobStoreId = "c", JobName = "job", Resources = new JobResources { Cores = 0 }, JobStore = store }, cancellationToken);

        batch.GetRunningJobs().Should().HaveCount(2, "the job of zero cores passes the queued one-core job while the core is taken");
        await batch.KillJobsAsync(batch.GetIssuedJobIds(), cancellationToken);
    }
}
