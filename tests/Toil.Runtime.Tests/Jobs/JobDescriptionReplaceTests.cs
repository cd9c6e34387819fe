using Toil.Runtime.Jobs;

namespace Toil.Runtime.Tests.Jobs;

/// <summary><see cref="JobDescription.Replace"/>, the chaining primitive (docs/worker-algorithm.md).</summary>
public sealed class JobDescriptionReplaceTests
{
    private static JobDescription Job(string name, string id)
    {
        var job = new JobDescription(name, unitName: "u-" + name, displayName: "D-" + name) { JobStoreId = id };
        job.AssignConfig(new WorkflowConfig());
        return job;
    }

    [Test]
    public void Replace_PredecessorWithRemainingFollowOns_AdoptedPhasesRunAfterTheSuccessorsOwn()
    {
        // A has children {B} and follow-ons {F1, F2}; the worker chains A -> B (its first child, as Toil does).
        var a = Job("A", "id-a");
        a.AddChild("id-b");
        a.AddFollowOn("id-f1");
        a.AddFollowOn("id-f2");
        var b = Job("B", "id-b");
        b.AddChild("id-bc");
        b.AddFollowOn("id-bf");

        b.Replace(a);

        b.SuccessorPhases.Should().HaveCount(3, "A's child phase held only B, so it is dropped");
        b.SuccessorPhases[0].Should().BeEquivalentTo(["id-f1", "id-f2"]);
        b.FollowOns.Should().BeEquivalentTo(["id-bf"]);
        b.Children.Should().BeEquivalentTo(["id-bc"]);

        // Run order: B's children, then B's follow-ons, then A's follow-ons.
        var order = new List<IReadOnlySet<string>>();
        while (b.NextSuccessors() is { } next)
        {
            order.Add(next);
            b.FilterSuccessors(id => !next.Contains(id));
        }

        order.Select(p => p.Order(StringComparer.Ordinal).ToArray()).Should().BeEquivalentTo(
            new[] { new[] { "id-bc" }, new[] { "id-bf" }, new[] { "id-f1", "id-f2" } },
            o => o.WithStrictOrdering());
    }

    [Test]
    public void Replace_SiblingsInTheSamePhase_AreAdoptedWithoutTheSuccessor()
    {
        var a = Job("A", "id-a");
        a.AddChild("id-b");
        a.AddChild("id-sibling");
        var b = Job("B", "id-b");

        b.Replace(a);

        b.AllSuccessors().Should().BeEquivalentTo(["id-sibling"]);
        b.AllSuccessors().Should().NotContain("id-b");
        b.SuccessorPhases[0].Should().BeEquivalentTo(["id-sibling"]);
    }

    [Test]
    public void Replace_Chained_TakesPredecessorsIdAndVersionAndStampsThisProcess()
    {
        var a = Job("A", "id-a");
        a.Version = 7;
        var b = Job("B", "id-b");
        b.Version = 1;
        b.VersionWriter = -1;

        b.Replace(a);

        b.JobStoreId.Should().Be("id-a");
        b.Version.Should().Be(7);
        b.VersionWriter.Should().Be(Environment.ProcessId);
    }

    [Test]
    public void Replace_FirstChain_MergedNamesArePredecessorThenSuccessorWithOriginalIds()
    {
        var a = Job("A", "id-a");
        var b = Job("B", "id-b");

        b.Replace(a);

        b.MergedJobNames.Should().Equal(
            new JobNames("A", "u-A", "D-A", "D-A", "id-a"),
            new JobNames("B", "u-B", "D-B", "D-B", "id-b"));
        b.GetChain().Select(n => n.JobStoreId).Should().Equal("id-a", "id-b");
    }

    [Test]
    public void Replace_ChainOfThree_MergedNamesAccumulateInExecutionOrder()
    {
        // Worked example §2.4: A -> B -> C -> D in one worker; every original ID is in the chain.
        var a = Job("A", "id-a");
        a.AddChild("id-b");
        a.AddFollowOn("id-c");
        var b = Job("B", "id-b");
        var c = Job("C", "id-c");
        c.AddChild("id-d");
        var d = Job("D", "id-d");

        b.Replace(a);
        b.NextSuccessors().Should().BeEquivalentTo(["id-c"]);
        c.Replace(b);
        c.SuccessorPhases.Should().HaveCount(2, "B had nothing left besides C");
        c.NextSuccessors().Should().BeEquivalentTo(["id-d"]);
        d.Replace(c);

        d.JobStoreId.Should().Be("id-a");
        d.GetChain().Select(n => n.JobStoreId).Should().Equal("id-a", "id-b", "id-c", "id-d");
        d.NextSuccessors().Should().BeNull();
        d.IsSubtreeDone().Should().BeTrue();
    }

    [Test]
    public void Replace_SuccessorAlreadyChained_KeepsItsOwnMergedListAfterThePredecessors()
    {
        var a = Job("A", "id-a");
        var b = Job("B", "id-b");
        b.MergedJobNames.Add(new JobNames("X", "", "X", "X", "id-x"));

        b.Replace(a);

        b.MergedJobNames.Select(n => n.JobStoreId).Should().Equal("id-a", "id-x");
    }

    [Test]
    public void Replace_CommitInFlightOnEitherSide_ThrowsAndChangesNothing()
    {
        var a = Job("A", "id-a");
        a.FilesToDelete.Add("pending");
        var b = Job("B", "id-b");
        b.AddChild("c");

        var act = () => b.Replace(a);

        act.Should().Throw<InvalidOperationException>();
        b.JobStoreId.Should().Be("id-b");
        b.MergedJobNames.Should().BeEmpty();
        b.SuccessorPhases.Should().HaveCount(2);

        var a2 = Job("A", "id-a");
        b.FilesToDelete.Add("own-pending");
        var act2 = () => b.Replace(a2);
        act2.Should().Throw<InvalidOperationException>();
    }

    [Test]
    public void Replace_Chained_KeepsTheSuccessorsTriesRequirementsLocalFlagPredecessorCountAndLog()
    {
        var a = Job("A", "id-a");
        a.Requirements = new JobRequirements { Memory = "8Gi" };
        a.RemainingTryCountOverride = 0;
        a.RetryBackoffSecondsOverride = 18;
        a.Local = true;
        a.PredecessorNumber = 3;
        a.LogJobStoreFileId = "a-log";
        var b = Job("B", "id-b");
        b.Requirements = new JobRequirements { Memory = "1Gi" };

        b.Replace(a);

        b.Memory.Bytes.Should().Be(1L << 30);
        b.RemainingTryCount.Should().Be(2, "a chained job gets a fresh try budget");
        b.RetryBackoff.Should().Be(TimeSpan.Zero);
        b.Local.Should().BeFalse();
        b.PredecessorNumber.Should().Be(0);
        b.LogJobStoreFileId.Should().BeNull();
    }
}
