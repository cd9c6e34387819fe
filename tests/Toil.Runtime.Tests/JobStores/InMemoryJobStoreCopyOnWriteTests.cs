using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>
/// The in-memory store's copies share a job's successor sets copy-on-write (docs/decisions.md#job-model): a change through
/// one copy, by any path, never reaches another copy or the stored version.
/// </summary>
public sealed class InMemoryJobStoreCopyOnWriteTests
{
    [Test]
    public async Task LoadJobAsync_TwoLoads_AChangeToOneReachesNeitherTheOtherNorTheStoredVersion()
    {
        await using var store = new InMemoryJobStore();
        string id = await CreateWithSuccessorsAsync(store);
        var first = await store.LoadJobAsync(id);
        var second = await store.LoadJobAsync(id);
        var secondChildren = second.Children;

        first.AddChild("c3");
        first.AddFollowOn("f2");

        first.Children.Should().BeEquivalentTo(["c1", "c2", "c3"]);
        secondChildren.Should().BeEquivalentTo(["c1", "c2"]);
        second.FollowOns.Should().BeEquivalentTo(["f1"]);
        var stored = await store.LoadJobAsync(id);
        stored.Children.Should().BeEquivalentTo(["c1", "c2"]);
        stored.FollowOns.Should().BeEquivalentTo(["f1"]);
    }

    [Test]
    public async Task LoadJobAsync_LoadedCopyFiltersRenamesAndClears_TheStoredVersionKeepsItsSuccessors()
    {
        await using var store = new InMemoryJobStore();
        string id = await CreateWithSuccessorsAsync(store);
        var filtered = await store.LoadJobAsync(id);
        var renamed = await store.LoadJobAsync(id);
        var cleared = await store.LoadJobAsync(id);

        filtered.FilterSuccessors(s => s == "c1");
        renamed.RenameReferences(new Dictionary<string, string> { ["c2"] = "c2-renamed", ["f1"] = "f1-renamed" });
        cleared.ClearDependents();

        filtered.AllSuccessors().Should().BeEquivalentTo(["c1"]);
        renamed.AllSuccessors().Should().BeEquivalentTo(["c1", "c2-renamed", "f1-renamed"]);
        cleared.AllSuccessors().Should().BeEmpty();
        (await store.LoadJobAsync(id)).AllSuccessors().Should().BeEquivalentTo(["c1", "c2", "f1"]);
    }

    [Test]
    public async Task UpdateJobAsync_WriterChangesItsInstanceAfterTheWrite_TheStoredVersionKeepsWhatWasWritten()
    {
        await using var store = new InMemoryJobStore();
        string id = await CreateWithSuccessorsAsync(store);
        var writer = await store.LoadJobAsync(id);
        writer.AddChild("c3");
        await store.UpdateJobAsync(writer);

        writer.AddChild("c4");
        writer.FilterSuccessors(s => s != "c1");
        writer.RenameReferences(new Dictionary<string, string> { ["c2"] = "c2-renamed" });

        writer.Children.Should().BeEquivalentTo(["c2-renamed", "c3", "c4"]);
        var stored = await store.LoadJobAsync(id);
        stored.Children.Should().BeEquivalentTo(["c1", "c2", "c3"]);
        stored.Version.Should().Be(writer.Version);
    }

    [Test]
    public async Task LoadJobAsync_ViewTakenBeforeAChange_StaysLiveForItsOwnCopyOnly()
    {
        await using var store = new InMemoryJobStore();
        string id = await CreateWithSuccessorsAsync(store);
        var copy = await store.LoadJobAsync(id);
        var other = await store.LoadJobAsync(id);
        var phases = copy.SuccessorPhases;

        copy.AddChild("c3");
        other.AddChild("x");

        phases[^1].Should().BeEquivalentTo(["c1", "c2", "c3"], "a view handed out stays the copy's live phase");
        other.Children.Should().BeEquivalentTo(["c1", "c2", "x"]);
    }

    [Test]
    public async Task Replace_SuccessorLoadedFromTheStore_ThePredecessorsStoredPhasesStayUnchanged()
    {
        await using var store = new InMemoryJobStore();
        var successorJob = new JobDescription("successor");
        string successorId = await store.CreateJobAsync(successorJob);
        var predecessorJob = new JobDescription("predecessor");
        predecessorJob.AddChild(successorId);
        predecessorJob.AddChild("sibling");
        string predecessorId = await store.CreateJobAsync(predecessorJob);
        var predecessor = await store.LoadJobAsync(predecessorId);
        var successor = await store.LoadJobAsync(successorId);

        successor.Replace(predecessor);
        successor.AddChild("grandchild");

        successor.AllSuccessors().Should().BeEquivalentTo(["sibling", "grandchild"]);
        (await store.LoadJobAsync(predecessorId)).Children.Should().BeEquivalentTo([successorId, "sibling"]);
    }

    private static async Task<string> CreateWithSuccessorsAsync(InMemoryJobStore store)
    {
        var job = new JobDescription("j");
        job.AddChild("c1");
        job.AddChild("c2");
        job.AddFollowOn("f1");
        return await store.CreateJobAsync(job);
    }
}
