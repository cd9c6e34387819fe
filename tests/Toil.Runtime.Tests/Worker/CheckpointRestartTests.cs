using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

/// <summary>Toil's restartCheckpoint (docs/worker-algorithm.md §2 step 4).</summary>
[TestFixture]
public sealed class CheckpointRestartTests
{
    [Test]
    public async Task RestartCheckpointAsync_NoSnapshot_Throws()
    {
        var store = new InMemoryJobStore();
        var cp = new CheckpointJobDescription("cp");
        await store.CreateJobAsync(cp);
        var act = async () => await CheckpointRestart.RestartCheckpointAsync(store, (CheckpointJobDescription)await store.LoadJobAsync(cp.JobStoreId));
        await act.Should().ThrowAsync<InvalidOperationException>();
    }

    [Test]
    public async Task RestartCheckpointAsync_BodyDiffersFromSnapshot_ThrowsAndWritesNothing()
    {
        var store = new InMemoryJobStore();
        var cp = new CheckpointJobDescription("cp") { Checkpoint = new JobBody("cp", "snapshot") };
        cp.AttachBody(new JobBody("cp", "other"));
        cp.AddChild("x");
        await store.CreateJobAsync(cp);
        var loaded = (CheckpointJobDescription)await store.LoadJobAsync(cp.JobStoreId);
        var act = async () => await CheckpointRestart.RestartCheckpointAsync(store, loaded);
        await act.Should().ThrowAsync<InvalidOperationException>();
        (await store.LoadJobAsync(cp.JobStoreId)).Version.Should().Be(loaded.Version);
    }

    [Test]
    public async Task RestartCheckpointAsync_FinishedSubtree_DoesNothing()
    {
        var store = new InMemoryJobStore();
        var cp = new CheckpointJobDescription("cp") { Checkpoint = new JobBody("cp", "snapshot") };
        await store.CreateJobAsync(cp);
        var loaded = (CheckpointJobDescription)await store.LoadJobAsync(cp.JobStoreId);
        (await CheckpointRestart.RestartCheckpointAsync(store, loaded)).Should().BeEmpty();
        loaded.HasBody.Should().BeFalse();
        (await store.LoadJobAsync(cp.JobStoreId)).Version.Should().Be(loaded.Version);
    }

    [Test]
    public async Task RestartCheckpointAsync_DiamondSubtreeWithChainedRecord_DeletesEveryDescendantOnceAndRestoresTheBody()
    {
        var store = new InMemoryJobStore();
        var shared = new JobDescription("shared");
        await store.CreateJobAsync(shared);
        var merged = new JobDescription("merged-in");
        await store.CreateJobAsync(merged);
        var left = new JobDescription("left");
        left.AddChild(shared.JobStoreId);
        await store.AssignJobIdAsync(left);
        left.MergedJobNames.Add(new JobNames("left", "", "left", "left", left.JobStoreId));
        left.MergedJobNames.Add(merged.GetNames());
        await store.CreateJobsAsync([left]);
        var right = new JobDescription("right");
        right.AddChild(shared.JobStoreId);
        await store.CreateJobAsync(right);
        var cp = new CheckpointJobDescription("cp") { Checkpoint = new JobBody("cp", "snapshot") };
        cp.AddChild(left.JobStoreId);
        cp.AddChild(right.JobStoreId);
        cp.AddChild("kind-gone/instance-ffffffff");
        await store.CreateJobAsync(cp);
        var loaded = (CheckpointJobDescription)await store.LoadJobAsync(cp.JobStoreId);

        var deleted = (await CheckpointRestart.RestartCheckpointAsync(store, loaded)).ToList();

        deleted.Should().BeEquivalentTo([shared.JobStoreId, left.JobStoreId, merged.JobStoreId, right.JobStoreId]);
        deleted.IndexOf(shared.JobStoreId).Should().BeLessThan(deleted.IndexOf(left.JobStoreId), "a job goes after its descendants");
        var stored = (CheckpointJobDescription)await store.LoadJobAsync(cp.JobStoreId);
        stored.Body.Should().Be(new JobBody("cp", "snapshot"));
        stored.AllSuccessors().Should().BeEmpty();
        stored.Checkpoint.Should().NotBeNull("the snapshot is never cleared");
    }
}
