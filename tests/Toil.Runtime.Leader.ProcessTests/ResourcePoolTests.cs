using Toil.Runtime.Jobs;
using Toil.Runtime.Leader.BatchSystems;

namespace Toil.Runtime.Leader.ProcessTests;

public sealed class ResourcePoolTests
{
    [Test]
    public void TryReserve_FractionalCores_AddUpExactly()
    {
        var pool = new ResourcePool(1, "1Gi", "1Gi", []);
        var tenth = new JobResources { Cores = 0.1 };

        var taken = Enumerable.Range(0, 10).Select(_ => pool.TryReserve(tenth)).ToList();

        taken.Should().OnlyContain(r => r != null);
        pool.TryReserve(tenth).Should().BeNull();
        pool.Release(taken[0]!);
        pool.TryReserve(tenth).Should().NotBeNull();
    }

    [Test]
    public void TryReserve_MemoryTaken_WaitsForItsRelease()
    {
        var pool = new ResourcePool(8, "1Gi", "1Gi", []);
        var big = new JobResources { Cores = 1, Memory = "600Mi" };

        var first = pool.TryReserve(big);

        first.Should().NotBeNull();
        pool.TryReserve(big).Should().BeNull();
        pool.Release(first!);
        pool.TryReserve(big).Should().NotBeNull();
    }

    [Test]
    public void TryReserve_Accelerators_MatchKindBrandAndCount()
    {
        var pool = new ResourcePool(8, "1Gi", "1Gi", [new AcceleratorRequirement(2, Brand: "nvidia", Api: "cuda")]);
        var cuda = new JobResources { Accelerators = [AcceleratorRequirement.Parse("cuda:1")] };
        var amd = new JobResources { Accelerators = [AcceleratorRequirement.Parse("amd")] };

        pool.WhyNeverFits(amd).Should().Contain("accelerators");
        pool.WhyNeverFits(new JobResources { Accelerators = [AcceleratorRequirement.Parse("cuda:3")] }).Should().NotBeNull();
        pool.TryReserve(cuda).Should().NotBeNull();
        pool.TryReserve(cuda).Should().NotBeNull();
        pool.TryReserve(cuda).Should().BeNull();
    }

    [Test]
    public void WhyNeverFits_EverythingTooLarge_NamesEachResource()
    {
        var pool = new ResourcePool(2, "1Gi", "1Gi", []);

        string? why = pool.WhyNeverFits(new JobResources { Cores = 3, Memory = "2Gi", Disk = "2Gi" });

        why.Should().Contain("3 cores").And.Contain("memory").And.Contain("disk");
        pool.WhyNeverFits(new JobResources { Cores = 2, Memory = "1Gi", Disk = "1Gi" }).Should().BeNull();
    }

    [Test]
    public void ForThisMachine_NothingGiven_TakesTheMachineTotals()
    {
        var pool = ResourcePool.ForThisMachine(null, null, null, [], Path.GetTempPath());

        pool.TotalMilliCores.Should().Be(Environment.ProcessorCount * 1000L);
        pool.TotalMemory.Should().Be(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        pool.TotalDisk.Should().BePositive();
    }

    [Test]
    public void ForCounts_BareAcceleratorCount_AnyAcceleratorSatisfiesAnyRequirement()
    {
        var pool = ResourcePool.ForCounts(2, 1L << 30, 1L << 30, 2);
        var cuda = new JobResources { Accelerators = [AcceleratorRequirement.Parse("cuda:1")] };
        var amd = new JobResources { Accelerators = [AcceleratorRequirement.Parse("amd")] };

        pool.WhyNeverFits(new JobResources { Accelerators = [AcceleratorRequirement.Parse("cuda:3")] }).Should().Contain("accelerators");
        pool.TryReserve(cuda).Should().NotBeNull();
        pool.TryReserve(amd).Should().NotBeNull();
        pool.TryReserve(cuda).Should().BeNull();
    }

    [Test]
    public void WhyNeverFits_TooManyCores_SaysWhatTheMachineOffersAtMost()
    {
        var pool = ResourcePool.ForCounts(1, 1L << 30, 1L << 30, 0);

        pool.WhyNeverFits(new JobResources { Cores = 3 }).Should().Contain("3 cores").And.Contain("offers at most 1 cores");
    }
}
