using Microsoft.Extensions.Options;
using Toil.Runtime.JobStores;
using Toil.Runtime.Leader.BatchSystems;

namespace Toil.Runtime.Leader.Tests.BatchSystems;

/// <summary>
/// The in-process batch system keeps the thread pool's minimum at the processor count plus the jobs it runs at once, at
/// most twice the processor count more (docs/decisions.md#thread-pool-reserve): a running job may hold its thread in synchronous file I/O, and the pool adds
/// threads past its minimum only slowly. Most cases use a pool given by its getter and setter, so nothing here changes the
/// test process's pool but the last case.
/// </summary>
[TestFixture]
public sealed class ThreadPoolReserveTests
{
    [Test]
    public void Cover_MoreJobsThanTheHostMinimumAllows_RaisesTheMinimumToProcessorsPlusJobs()
    {
        var pool = new FakePool(worker: 20);
        var reserve = pool.Reserve(processors: 16);
        using var lease = reserve.Open();

        lease.Cover(1);
        pool.Sets.Should().BeEmpty("16 processors + 1 job is below the host's minimum of 20, which is never lowered");

        lease.Cover(5);
        pool.Worker.Should().Be(21, "16 processors + 5 running jobs");
        pool.CompletionPort.Should().Be(4, "the I/O completion threads' minimum is left as it was");
    }

    [Test]
    public void Cover_NoMoreJobsThanBefore_SetsNothing()
    {
        var pool = new FakePool(worker: 16);
        var reserve = pool.Reserve(processors: 16);
        using var lease = reserve.Open();
        lease.Cover(5);

        lease.Cover(3);
        lease.Cover(5);

        pool.Sets.Should().Equal([21], "a lease reserves its most jobs at once, and only a new most changes the pool");
        lease.HighWater.Should().Be(5);
    }

    [Test]
    public void Dispose_TwoLeases_AddUpAndTheLastRestoresTheHostMinimum()
    {
        var pool = new FakePool(worker: 16);
        var reserve = pool.Reserve(processors: 16);
        var first = reserve.Open();
        var second = reserve.Open();

        first.Cover(10);
        second.Cover(5);
        pool.Worker.Should().Be(31, "16 processors + 10 + 5 jobs of two batch systems");

        first.Dispose();
        pool.Worker.Should().Be(21, "the first batch system's 10 threads are given back");
        second.Dispose();
        pool.Worker.Should().Be(16, "with the last lease gone the host's minimum is back");
        reserve.Reserved.Should().Be(0);

        second.Dispose();
        pool.Sets.Should().Equal([26, 31, 21, 16], "a second dispose changes nothing");
    }

    [Test]
    public void Dispose_AfterTheHostSetItsOwnMinimum_LeavesTheHostsValue()
    {
        var pool = new FakePool(worker: 16);
        var reserve = pool.Reserve(processors: 16);
        var lease = reserve.Open();
        lease.Cover(10);

        pool.Worker = 40; // The host raises the minimum itself while the jobs run.
        var other = reserve.Open();
        other.Cover(1);
        pool.Worker.Should().Be(40, "the host's minimum is a floor the reserve never goes below");

        other.Dispose();
        lease.Dispose();
        pool.Worker.Should().Be(40, "the host's own setting is not replaced by the value before it");
    }

    [Test]
    public void Cover_MoreJobsThanTwiceTheProcessors_ReservesTwiceTheProcessors()
    {
        var pool = new FakePool(worker: 2);
        var reserve = pool.Reserve(processors: 2);
        using var lease = reserve.Open();

        lease.Cover(20);

        pool.Worker.Should().Be(6, "2 processors + at most twice as many threads for jobs in blocking calls (docs/performance.md, \"The thread pool's minimum\")");
        reserve.MaxReserved.Should().Be(4);
        reserve.Reserved.Should().Be(20, "the reservation is counted whole, so a later release lowers the minimum only when it falls under the cap");
    }

    [Test]
    public void Cover_ThePoolRefuses_NeitherThrowsNorRestoresLater()
    {
        var pool = new FakePool(worker: 2) { Refuse = true };
        var reserve = pool.Reserve(processors: 2);
        var lease = reserve.Open();

        lease.Cover(8);
        pool.Worker.Should().Be(2, "the pool refused (the minimum would pass its maximum)");

        pool.Refuse = false;
        lease.Dispose();
        pool.Sets.Should().BeEmpty("nothing was raised, so nothing is put back");
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task IssueJobAsync_TwelveJobsRunAtOnce_ReservesTwelveThreadsUntilShutDown(CancellationToken cancellationToken)
    {
        var pool = new FakePool(worker: 16);
        var runner = new BlockingRunner();
        var batch = new InProcessBatchSystem(runner, Options.Create(new InProcessBatchSystemOptions { MaxCores = 1.2, MaxMemory = 1L << 40, MaxDisk = 1L << 40 }), null, null, null, null, pool.Reserve(processors: 16));
        await using var store = new InMemoryJobStore();
        for (int i = 0; i < 20; i++)
        {
            await batch.IssueJobAsync(new BatchJobRequest { JobStoreId = "job-" + i, JobName = "job", Resources = new JobResources { Cores = 0.1 }, JobStore = store }, cancellationToken);
        }

        batch.GetRunningJobs().Should().HaveCount(12, "1.2 cores hold twelve jobs of 0.1 core");
        pool.Worker.Should().Be(28, "16 processors + 12 running jobs");

        await batch.ShutdownAsync(cancellationToken);
        pool.Worker.Should().Be(16, "the host's minimum is back once the batch system is shut down");
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task IssueJobAsync_RaiseThreadPoolMinimumOff_LeavesThePoolAlone(CancellationToken cancellationToken)
    {
        var pool = new FakePool(worker: 2);
        var options = new InProcessBatchSystemOptions { MaxCores = 1.2, MaxMemory = 1L << 40, MaxDisk = 1L << 40, RaiseThreadPoolMinimum = false };
        await using var batch = new InProcessBatchSystem(new BlockingRunner(), Options.Create(options), null, null, null, null, pool.Reserve(processors: 2));
        await using var store = new InMemoryJobStore();
        for (int i = 0; i < 12; i++)
        {
            await batch.IssueJobAsync(new BatchJobRequest { JobStoreId = "job-" + i, JobName = "job", Resources = new JobResources { Cores = 0.1 }, JobStore = store }, cancellationToken);
        }

        batch.GetRunningJobs().Should().HaveCount(12);
        pool.Sets.Should().BeEmpty("the host manages the thread pool itself");
        await batch.KillJobsAsync(batch.GetIssuedJobIds(), cancellationToken);
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task IssueJobAsync_Defaults_RaiseThisProcesssThreadPoolMinimum(CancellationToken cancellationToken)
    {
        var runner = new BlockingRunner();
        await using var batch = new InProcessBatchSystem(runner, Options.Create(new InProcessBatchSystemOptions { MaxCores = 1.2, MaxMemory = 1L << 40, MaxDisk = 1L << 40 }));
        await using var store = new InMemoryJobStore();
        for (int i = 0; i < 12; i++)
        {
            await batch.IssueJobAsync(new BatchJobRequest { JobStoreId = "job-" + i, JobName = "job", Resources = new JobResources { Cores = 0.1 }, JobStore = store }, cancellationToken);
        }

        ThreadPool.GetMinThreads(out int worker, out _);
        worker.Should().BeGreaterThanOrEqualTo(Environment.ProcessorCount + Math.Min(12, 2 * Environment.ProcessorCount), "twelve jobs run at once in this process");
        await batch.KillJobsAsync(batch.GetIssuedJobIds(), cancellationToken);
    }

    /// <summary>A thread pool's minimum, as a getter and a setter that record what they were given.</summary>
    private sealed class FakePool(int worker)
    {
        public int Worker { get; set; } = worker;

        public int CompletionPort { get; } = 4;

        public bool Refuse { get; set; }

        public List<int> Sets { get; } = [];

        public ThreadPoolReserve Reserve(int processors) => new(processors, () => (Worker, CompletionPort), Set);

        private bool Set(int workerMinimum, int completionPortMinimum)
        {
            completionPortMinimum.Should().Be(CompletionPort);
            if (Refuse)
            {
                return false;
            }

            Sets.Add(workerMinimum);
            Worker = workerMinimum;
            return true;
        }
    }
}
