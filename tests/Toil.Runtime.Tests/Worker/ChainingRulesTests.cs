using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

/// <summary>Toil's workerTest.testNextChainable, every case with a child link and with a follow-on link, plus docs/decisions.md#chaining.</summary>
[TestFixture]
public sealed class ChainingRulesTests
{
    private static readonly JobRequirements Base = new() { Memory = 1, Cores = 2, Disk = 3, Preemptible = true };

    private static IEnumerable<bool> Passes() => [false, true];

    [TestCaseSource(nameof(Passes))]
    public async Task NextChainable_TwoIdenticalJobs_ReturnsTheSuccessor(bool followOn)
    {
        var (store, a, b) = await PairAsync(followOn, Base, Base);
        var (successor, reason) = await ChainingRules.NextChainableAsync(a, store, runLocalJobsOnWorkers: false);
        reason.Should().BeNull();
        successor!.JobStoreId.Should().Be(b.JobStoreId);
    }

    [TestCaseSource(nameof(Passes))]
    public async Task NextChainable_BothCheckpointsWithoutSnapshot_ReturnsNull(bool followOn)
    {
        var (store, a, _) = await PairAsync(followOn, Base, Base, predecessorCheckpoint: true, successorCheckpoint: true);
        (await ChainingRules.NextChainableAsync(a, store, false)).Successor.Should().BeNull();
    }

    [TestCaseSource(nameof(Passes))]
    public async Task NextChainable_PlainIntoCheckpoint_ReturnsNull(bool followOn)
    {
        var (store, a, _) = await PairAsync(followOn, Base, Base, successorCheckpoint: true);
        (await ChainingRules.NextChainableAsync(a, store, false)).Successor.Should().BeNull();
    }

    [Test]
    public async Task NextChainable_NoSuccessor_ReturnsNull()
    {
        var store = new InMemoryJobStore();
        var a = await CreateAsync(store, "a", Base);
        var (successor, reason) = await ChainingRules.NextChainableAsync(a, store, false);
        successor.Should().BeNull();
        reason.Should().Contain("no successors");
    }

    [TestCaseSource(nameof(Passes))]
    public async Task NextChainable_TwoSuccessors_ReturnsNull(bool followOn)
    {
        var (store, a, _) = await PairAsync(followOn, Base, Base);
        var c = await CreateAsync(store, "c", Base);
        if (followOn)
        {
            a.AddFollowOn(c.JobStoreId);
        }
        else
        {
            a.AddChild(c.JobStoreId);
        }

        (await ChainingRules.NextChainableAsync(a, store, false)).Successor.Should().BeNull();
    }

    private static IEnumerable<TestCaseData> BiggerSuccessors()
    {
        foreach (bool followOn in Passes())
        {
            yield return new TestCaseData(followOn, Base with { Memory = 2 }).SetArgDisplayNames(followOn.ToString(), "memory 2");
            yield return new TestCaseData(followOn, Base with { Cores = 3 }).SetArgDisplayNames(followOn.ToString(), "cores 3");
            yield return new TestCaseData(followOn, Base with { Disk = 4 }).SetArgDisplayNames(followOn.ToString(), "disk 4");
            yield return new TestCaseData(followOn, Base with { Preemptible = false }).SetArgDisplayNames(followOn.ToString(), "preemptible false");
        }
    }

    [TestCaseSource(nameof(BiggerSuccessors))]
    public async Task NextChainable_SuccessorNeedsMoreOrDiffersInPreemptibility_ReturnsNull(bool followOn, JobRequirements successor)
    {
        var (store, a, _) = await PairAsync(followOn, Base, successor);
        (await ChainingRules.NextChainableAsync(a, store, false)).Successor.Should().BeNull();
    }

    [TestCaseSource(nameof(Passes))]
    public async Task NextChainable_LocalIntoNonLocal_ReturnsNull(bool followOn)
    {
        var (store, a, _) = await PairAsync(followOn, Base, Base, predecessorLocal: true);
        (await ChainingRules.NextChainableAsync(a, store, false)).Successor.Should().BeNull();
    }

    [TestCaseSource(nameof(Passes))]
    public async Task NextChainable_LocalIntoNonLocalWithRunLocalJobsOnWorkers_ReturnsTheSuccessor(bool followOn)
    {
        var (store, a, b) = await PairAsync(followOn, Base, Base, predecessorLocal: true);
        (await ChainingRules.NextChainableAsync(a, store, true)).Successor!.JobStoreId.Should().Be(b.JobStoreId);
    }

    [TestCaseSource(nameof(Passes))]
    public async Task NextChainable_NonLocalIntoLocal_ReturnsTheSuccessor(bool followOn)
    {
        var (store, a, b) = await PairAsync(followOn, Base, Base, successorLocal: true);
        (await ChainingRules.NextChainableAsync(a, store, false)).Successor!.JobStoreId.Should().Be(b.JobStoreId);
    }

    [Test]
    public async Task NextChainable_SuccessorWithTwoPredecessors_ReturnsNull()
    {
        var (store, a, _) = await PairAsync(false, Base, Base, successorSetup: s => s.PredecessorNumber = 2);
        (await ChainingRules.NextChainableAsync(a, store, false)).Successor.Should().BeNull();
    }

    [Test]
    public async Task NextChainable_SuccessorWithServices_ReturnsNull()
    {
        var (store, a, _) = await PairAsync(false, Base, Base, successorSetup: s => s.AddServiceHostJob("svc"));
        (await ChainingRules.NextChainableAsync(a, store, false)).Successor.Should().BeNull();
    }

    [Test]
    public async Task NextChainable_PredecessorWithServices_ReturnsNull()
    {
        var (store, a, _) = await PairAsync(false, Base, Base);
        a.AddServiceHostJob("svc");
        (await ChainingRules.NextChainableAsync(a, store, false)).Reason.Should().Contain("services");
    }

    [Test]
    public async Task NextChainable_FromCheckpointWithSnapshot_ReturnsNull()
    {
        var (store, a, _) = await PairAsync(false, Base, Base, predecessorCheckpoint: true);
        ((CheckpointJobDescription)a).Checkpoint = new JobBody("a", "file");
        (await ChainingRules.NextChainableAsync(a, store, false)).Reason.Should().Contain("checkpoint");
    }

    [Test]
    public async Task NextChainable_PredecessorWithBody_ReturnsNullBecauseThePhaseIsEmpty()
    {
        var (store, a, _) = await PairAsync(false, Base, Base);
        a.AttachBody(new JobBody("a", "file"));
        (await ChainingRules.NextChainableAsync(a, store, false)).Reason.Should().Contain("empty");
    }

    [TestCase(null, "gpu", false)]
    [TestCase("gpu", "gpu", true)]
    [TestCase("gpu", "gpu:2", false)]
    [TestCase("cuda:2", "gpu", true)]
    [TestCase("amd", "nvidia", false)]
    [TestCase("gpu", null, true)]
    public async Task NextChainable_Accelerators_ChainOnlyWhenTheAllocationHasThem(string? offered, string? needed, bool chains)
    {
        var pred = Base with { Accelerators = offered is null ? [] : [AcceleratorRequirement.Parse(offered)] };
        var succ = Base with { Accelerators = needed is null ? [] : [AcceleratorRequirement.Parse(needed)] };
        var (store, a, _) = await PairAsync(false, pred, succ);
        (await ChainingRules.NextChainableAsync(a, store, false)).Successor.Should().Match(s => chains ? s != null : s == null);
    }

    [TestCase(0, 7200, true)]
    [TestCase(3600, 1800, true)]
    [TestCase(3600, 3600, true)]
    [TestCase(3600, 7200, false)]
    [TestCase(3600, 0, false)]
    public async Task NextChainable_Walltime_ChainsOnlyIntoAShorterOrEqualLimit(int offeredSeconds, int neededSeconds, bool chains)
    {
        var pred = Base with { Walltime = TimeSpan.FromSeconds(offeredSeconds) };
        var succ = Base with { Walltime = TimeSpan.FromSeconds(neededSeconds) };
        var (store, a, _) = await PairAsync(false, pred, succ);
        (await ChainingRules.NextChainableAsync(a, store, false)).Successor.Should().Match(s => chains ? s != null : s == null);
    }

    private static async Task<JobDescription> CreateAsync(IJobStore store, string name, JobRequirements req, bool checkpoint = false, bool local = false, Action<JobDescription>? setup = null)
    {
        JobDescription job = checkpoint ? new CheckpointJobDescription(name, req, local: local) : new JobDescription(name, req, local: local);
        setup?.Invoke(job);
        await store.CreateJobAsync(job);
        return await store.LoadJobAsync(job.JobStoreId);
    }

    private static async Task<(IJobStore Store, JobDescription A, JobDescription B)> PairAsync(
        bool followOn, JobRequirements predecessor, JobRequirements successor,
        bool predecessorCheckpoint = false, bool successorCheckpoint = false,
        bool predecessorLocal = false, bool successorLocal = false, Action<JobDescription>? successorSetup = null)
    {
        var store = new InMemoryJobStore();
        var a = await CreateAsync(store, "a", predecessor, predecessorCheckpoint, predecessorLocal);
        var b = await CreateAsync(store, "b", successor, successorCheckpoint, successorLocal, successorSetup);
        if (followOn)
        {
            a.AddFollowOn(b.JobStoreId);
        }
        else
        {
            a.AddChild(b.JobStoreId);
        }

        a.PredecessorNumber.Should().Be(0);
        return (store, a, b);
    }
}
