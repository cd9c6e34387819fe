using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Leader.Scheduling;

namespace Toil.Runtime.Leader.Tests.Scheduling;

/// <summary>
/// The restart clean-up (docs/leader.md, "Restart after a crash") loads each stored job once, from its listing, and still
/// never deletes a job that a parent reaches on disk when the clean-up decides (docs/performance.md, "Chain through the
/// leader: the per-job cost").
/// </summary>
[TestFixture]
public sealed class RestartCleanerTests
{
    [Test]
    public async Task CleanAsync_ParentUpdatedByAnOrphanAfterTheListing_ItsNewChildIsNotDeleted()
    {
        await using var inner = new InMemoryJobStore();
        var root = new JobDescription("root");
        await inner.AssignJobIdAsync(root);
        var child = new JobDescription("child");
        await inner.AssignJobIdAsync(child);
        // An orphan's commit: it created the child before the listing and updates the parent after it.
        await inner.CreateJobsAsync([root, child]);
        await inner.SetRootJobIdAsync(root.JobStoreId);
        var store = new ListingHookJobStore(inner, async () =>
        {
            var parent = await inner.LoadJobAsync(root.JobStoreId);
            parent.AddChild(child.JobStoreId);
            await inner.UpdateJobAsync(parent);
        });

        var outcome = await RestartCleaner.CleanAsync(store, root.JobStoreId, CancellationToken.None);

        outcome.Unreachable.Should().Be(0, "the parent on disk reaches the child when the clean-up decides");
        (await inner.JobExistsAsync(child.JobStoreId)).Should().BeTrue();
        (await inner.LoadJobAsync(root.JobStoreId)).Children.Should().Contain(child.JobStoreId);
    }

    [Test]
    public async Task CleanAsync_JobNothingReaches_DeletedWithItsJournaledFiles()
    {
        await using var store = new InMemoryJobStore();
        var root = new JobDescription("root");
        await store.AssignJobIdAsync(root);
        var stray = new JobDescription("stray");
        await store.AssignJobIdAsync(stray);
        string file = await store.WriteFileAsync(new byte[] { 1 }, stray.JobStoreId);
        stray.FilesToDelete.Add(file);
        await store.CreateJobsAsync([root, stray]);
        await store.SetRootJobIdAsync(root.JobStoreId);

        var outcome = await RestartCleaner.CleanAsync(store, root.JobStoreId, CancellationToken.None);

        outcome.Unreachable.Should().Be(1);
        (await store.JobExistsAsync(stray.JobStoreId)).Should().BeFalse();
        (await store.FileExistsAsync(file)).Should().BeFalse("a deleted job's journaled files go with it");
        (await store.JobExistsAsync(root.JobStoreId)).Should().BeTrue();
    }
}
