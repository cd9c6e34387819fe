using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Tests.JobStores;

public class InMemoryJobStoreSmokeTests
{
    [Test]
    public async Task CreateLoadUpdate_RoundTripsAndRejectsStaleVersion()
    {
        await using var store = new InMemoryJobStore();
        var job = new JobDescription("a", new JobRequirements { Memory = "2Gi", Cores = 0.5 });
        job.AttachBody(new JobBody("t", "f"));
        job.AddChild("c1");
        job.AddFollowOn("f1");
        string id = await store.CreateJobAsync(job);
        var loaded = await store.LoadJobAsync(id);
        loaded.Memory.Bytes.Should().Be(2L << 30);
        loaded.Children.Should().BeEquivalentTo(["c1"]);
        loaded.FollowOns.Should().BeEquivalentTo(["f1"]);
        loaded.Version.Should().Be(1);
        var stale = await store.LoadJobAsync(id);
        await store.UpdateJobAsync(loaded);
        var act = async () => await store.UpdateJobAsync(stale);
        await act.Should().ThrowAsync<ConcurrentJobModificationException>();
    }
}
