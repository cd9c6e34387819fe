using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

public sealed class ChainedRecordDeletionTests
{
    private static readonly CommitChain Committed = new(TimeSpan.FromMinutes(1), new FakeTimeProvider(), "issued");

    [Test]
    public async Task DeleteDueBatchAsync_FewerCandidatesThanABatch_DeletesNothing()
    {
        await using var store = new InMemoryJobStore();
        var (predecessor, chainedIn) = await ChainAsync(store, chainedIn: 3);
        var deletion = new ChainedRecordDeletion(batch: 4, background: false, NullLogger.Instance);

        await deletion.DeleteDueBatchAsync(predecessor, store, Committed, CancellationToken.None);

        predecessor.MergedJobNames.Should().HaveCount(5);
        foreach (string id in chainedIn)
        {
            (await store.JobExistsAsync(id)).Should().BeTrue();
        }
    }

    [Test]
    public async Task DeleteDueBatchAsync_BatchDue_DeletesTheChainedInRecordsAndDropsTheirNames()
    {
        await using var store = new InMemoryJobStore();
        var (predecessor, chainedIn) = await ChainAsync(store, chainedIn: 3);
        var issued = predecessor.MergedJobNames[0];
        var running = predecessor.MergedJobNames[^1];
        var deletion = new ChainedRecordDeletion(batch: 3, background: false, NullLogger.Instance);

        await deletion.DeleteDueBatchAsync(predecessor, store, Committed, CancellationToken.None);

        predecessor.MergedJobNames.Should().Equal(issued, running);
        foreach (string id in chainedIn)
        {
            (await store.JobExistsAsync(id)).Should().BeFalse();
        }

        (await store.JobExistsAsync(running.JobStoreId)).Should().BeTrue("the running job's own record holds its body file");
        (await store.JobExistsAsync(predecessor.JobStoreId)).Should().BeTrue("the issued ID is never in a batch");
    }

    [Test]
    public async Task DeleteDueBatchAsync_InTheBackground_KeepsTheNamesListedUntilTheBatchSettles()
    {
        await using var store = new InMemoryJobStore();
        var (predecessor, chainedIn) = await ChainAsync(store, chainedIn: 2);
        var deletion = new ChainedRecordDeletion(batch: 2, background: true, NullLogger.Instance);

        await deletion.DeleteDueBatchAsync(predecessor, store, Committed, CancellationToken.None);

        deletion.IsDeleting.Should().BeTrue();
        predecessor.MergedJobNames.Should().HaveCount(4, "a name leaves the record only after its deletion finished");
        (await deletion.SettleAsync()).Should().BeEquivalentTo(chainedIn);
        deletion.IsDeleting.Should().BeFalse();
        foreach (string id in chainedIn)
        {
            (await store.JobExistsAsync(id)).Should().BeFalse();
        }
    }

    [Test]
    public async Task DeleteDueBatchAsync_PreviousCommitFailed_ThrowsAndDeletesNothing()
    {
        await using var store = new InMemoryJobStore();
        var (predecessor, chainedIn) = await ChainAsync(store, chainedIn: 2);
        var failed = new CommitChain(TimeSpan.FromMinutes(1), new FakeTimeProvider(), "issued");
        failed.Follow(_ => ValueTask.FromException(new IOException("commit failed")));
        var deletion = new ChainedRecordDeletion(batch: 2, background: false, NullLogger.Instance);

        await deletion.Invoking(d => d.DeleteDueBatchAsync(predecessor, store, failed, CancellationToken.None).AsTask()).Should().ThrowAsync<IOException>();

        predecessor.MergedJobNames.Should().HaveCount(4);
        foreach (string id in chainedIn)
        {
            (await store.JobExistsAsync(id)).Should().BeTrue("records are deleted only after the write that recorded them done is durable");
        }
    }

    [Test]
    public async Task SettleAsync_NothingDeleting_ReturnsNull()
    {
        var deletion = new ChainedRecordDeletion(batch: 2, background: true, NullLogger.Instance);

        (await deletion.SettleAsync()).Should().BeNull();
    }

    /// <summary>The issued job as the run holds it mid-chain: merged names [issued, chained-in..., the running job's own record].</summary>
    private static async Task<(JobDescription Predecessor, List<string> ChainedIn)> ChainAsync(InMemoryJobStore store, int chainedIn)
    {
        var issued = await CreateAsync(store, "issued");
        var ids = new List<string>();
        issued.MergedJobNames.Add(issued.GetNames());
        for (int i = 0; i < chainedIn; i++)
        {
            var job = await CreateAsync(store, "chained" + i);
            issued.MergedJobNames.Add(job.GetNames());
            ids.Add(job.JobStoreId);
        }

        var running = await CreateAsync(store, "running");
        issued.MergedJobNames.Add(running.GetNames());
        return (issued, ids);
    }

    private static async Task<JobDescription> CreateAsync(InMemoryJobStore store, string name)
    {
        var job = new JobDescription(name);
        await store.AssignJobIdAsync(job);
        await store.CreateJobsAsync([job]);
        return job;
    }
}
