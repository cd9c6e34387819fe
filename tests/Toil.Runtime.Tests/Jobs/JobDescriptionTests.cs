using Toil.Runtime.Jobs;

namespace Toil.Runtime.Tests.Jobs;

public sealed class JobDescriptionTests
{
    private static JobDescription WithConfig(JobDescription job, WorkflowConfig? config = null)
    {
        job.AssignConfig(config ?? new WorkflowConfig());
        return job;
    }

    // ---- Toil's jobDescriptionTest (src/toil/test/src/jobDescriptionTest.py), ported ----

    [Test]
    public void TestJobDescription_ToilScenario_BodyRequirementsAndEmptySuccessors()
    {
        // Toil writes memory 2^32, which is Python XOR, so 34.
        var requirements = JobRequirements.Parse(cores: "1", preemptible: "1") with { Memory = 34, Disk = 34 };
        var job = WithConfig(new JobDescription("job", requirements, unitName: "unit"));

        job.HasBody.Should().BeFalse();
        job.NextSuccessors().Should().BeNull("with no body and no successors nothing is left");

        job.AttachBody(new JobBody("fake", "toil"));
        job.HasBody.Should().BeTrue();
        job.Memory.Bytes.Should().Be(34);
        job.Disk.Bytes.Should().Be(34);
        job.Cores.Should().Be(1);
        job.Preemptible.Should().BeTrue();
        JobDescription.IsTemporaryId(job.JobStoreId).Should().BeTrue();
        job.SuccessorsAndServiceHosts().Should().BeEmpty();
        job.AllSuccessors().Should().BeEmpty();
        job.ServiceHostIdsInBatches().Should().BeEmpty();
        job.Services.Should().BeEmpty();
        job.NextSuccessors().Should().NotBeNull().And.BeEmpty("the body must run first");
        job.PredecessorsFinished.Should().BeEmpty();
        job.LogJobStoreFileId.Should().BeNull();

        var twin = WithConfig(new JobDescription("job", requirements, unitName: "unit"));
        twin.AttachBody(new JobBody("fake", "toil"));
        twin.Should().NotBe(job, "equality is identity");
        twin.Equals(job).Should().BeFalse();
    }

    [Test]
    public void TestJobDescriptionSequencing_ToilScenario_BodyThenChildrenThenFollowOnsThenNull()
    {
        var job = new JobDescription("job");
        job.AddChild("child");
        job.AddFollowOn("followOn");
        job.AttachBody(new JobBody("fake", "toil"));
        job.NextSuccessors().Should().BeEmpty();

        job.DetachBody();
        job.NextSuccessors().Should().BeEquivalentTo(["child"]);

        job.FilterSuccessors(id => id != "child");
        job.NextSuccessors().Should().BeEquivalentTo(["followOn"]);

        job.FilterSuccessors(id => id != "followOn");
        job.NextSuccessors().Should().BeNull();
    }

    // ---- Names, identity, text ----

    [Test]
    public void Constructor_NullNames_AreCoercedToStringsAndDisplayNameDefaultsToJobName()
    {
        var job = new JobDescription(null!, unitName: null, displayName: null);
        job.JobName.Should().BeEmpty();
        job.UnitName.Should().BeEmpty();

        var named = new JobDescription("CountWords");
        named.DisplayName.Should().Be("CountWords");
        named.JobName = null!;
        named.JobName.Should().BeEmpty();
        named.Local.Should().BeFalse();
        named.Requirements.Should().Be(JobRequirements.None);
    }

    [Test]
    public void NewTemporaryId_TwoCalls_AreDistinctAndRecognized()
    {
        string a = JobDescription.NewTemporaryId();
        string b = JobDescription.NewTemporaryId();

        a.Should().NotBe(b);
        JobDescription.IsTemporaryId(a).Should().BeTrue();
        JobDescription.IsTemporaryId("kind-x/instance-1").Should().BeFalse();
        JobDescription.IsTemporaryId(null).Should().BeFalse();
        new JobDescription("x").JobStoreId.Should().NotBe(new JobDescription("x").JobStoreId);
    }

    [Test]
    public void ToString_Job_IsQuotedNameUnitIdAndVersion()
    {
        var job = new JobDescription("count", unitName: "wc") { JobStoreId = "kind-count/instance-1", Version = 3 };

        job.ToString().Should().Be("'count' [wc] kind-count/instance-1 v3");
    }

    [Test]
    public void GetNames_Job_UsesDisplayNameAsStatsNameAndCurrentId()
    {
        var job = new JobDescription("job", unitName: "unit", displayName: "Display") { JobStoreId = "id-1" };

        job.GetNames().Should().Be(new JobNames("job", "unit", "Display", "Display", "id-1"));
        job.GetChain().Should().Equal(job.GetNames());
    }

    // ---- Body ----

    [Test]
    public void GetBody_NoBody_ThrowsNamingTheJob()
    {
        var job = new JobDescription("bodiless");

        var act = () => job.GetBody();

        act.Should().Throw<InvalidOperationException>().WithMessage("*'bodiless'*");
    }

    [Test]
    public void AttachBody_ThenDetach_TracksWhetherTheBodyRan()
    {
        var job = new JobDescription("j");
        var body = new JobBody("type", "file");

        job.AttachBody(body);
        job.GetBody().Should().Be(body);
        job.DetachBody();

        job.HasBody.Should().BeFalse();
        job.Body.Should().BeNull();
    }

    // ---- Successors ----

    [Test]
    public void ChildrenAndFollowOns_AfterSetSuccessorPhases_AreViewsOfTheLastTwoPhases()
    {
        var job = new JobDescription("j");
        job.AddChild("c");
        job.AddFollowOn("f");

        job.SuccessorPhases.Should().HaveCount(2);
        job.SuccessorPhases[^1].Should().BeSameAs(job.Children);
        job.SuccessorPhases[^2].Should().BeSameAs(job.FollowOns);
        job.Children.Should().BeEquivalentTo(["c"]);
        job.FollowOns.Should().BeEquivalentTo(["f"]);

        job.SetSuccessorPhases([["adopted"], ["f2"], ["c2"]]);
        job.AddChild("c3");
        job.SuccessorPhases[^1].Should().BeEquivalentTo(["c2", "c3"]);
        job.Children.Should().BeSameAs(job.SuccessorPhases[^1]);
        job.FollowOns.Should().BeEquivalentTo(["f2"]);
    }

    [TestCase("a")]
    [TestCase("f")]
    [TestCase("c")]
    [TestCase("absent")]
    public void RemoveSuccessor_AnyPhaseOrNone_LeavesWhatFilterSuccessorsLeaves(string id)
    {
        // The leader drops each finished child with RemoveSuccessor (constant time per phase); it must agree with the
        // filter it replaced, including the removal of an adopted phase left empty.
        var removed = new JobDescription("j");
        removed.SetSuccessorPhases([["a"], ["b", "f"], ["c", "d"]]);
        var filtered = new JobDescription("j");
        filtered.SetSuccessorPhases([["a"], ["b", "f"], ["c", "d"]]);

        removed.RemoveSuccessor(id);
        filtered.FilterSuccessors(s => s != id);

        removed.SuccessorsByPhase().Should().Equal(filtered.SuccessorsByPhase());
        removed.NextSuccessors().Should().BeEquivalentTo(filtered.NextSuccessors());
    }

    [Test]
    public async Task RemoveSuccessor_OnALoadedCopy_LeavesTheStoredJobAlone()
    {
        await using var store = new Toil.Runtime.JobStores.InMemoryJobStore();
        var parent = new JobDescription("j");
        await store.AssignJobIdAsync(parent);
        parent.AddChild("c1");
        parent.AddChild("c2");
        await store.CreateJobsAsync([parent]);
        var copy = await store.LoadJobAsync(parent.JobStoreId);

        copy.RemoveSuccessor("c1");

        copy.Children.Should().BeEquivalentTo(["c2"]);
        (await store.LoadJobAsync(parent.JobStoreId)).Children.Should().BeEquivalentTo(["c1", "c2"], "the loaded copy's phases are unshared before the change");
    }

    [Test]
    public void AllSuccessors_SeveralPhases_TakesPhasesFromTheLeftAndServicesLast()
    {
        var job = new JobDescription("j");
        job.SetSuccessorPhases([["a"], ["f"], ["c"]]);
        job.AddServiceHostJob("s");

        job.AllSuccessors().Should().Equal("a", "f", "c");
        job.SuccessorsByPhase().Should().Equal((0, "a"), (1, "f"), (2, "c"));
        job.SuccessorsAndServiceHosts().Should().Equal("a", "f", "c", "s");
    }

    [Test]
    public void NextSuccessors_SeveralPhases_ReturnsTheRightmostNonEmptyPhaseAsACopy()
    {
        var job = new JobDescription("j");
        job.SetSuccessorPhases([["adopted"], ["f"], []]);

        var next = job.NextSuccessors();

        next.Should().BeEquivalentTo(["f"]);
        ((HashSet<string>)next!).Add("sneaky");
        job.FollowOns.Should().BeEquivalentTo(["f"], "the result is a copy");
        job.FilterSuccessors(id => id != "f");
        job.NextSuccessors().Should().BeEquivalentTo(["adopted"]);
    }

    [Test]
    public void NextSuccessors_BodyPendingWithChildren_ReturnsAnEmptySetNotNull()
    {
        var job = new JobDescription("j");
        job.AttachBody(new JobBody("t", "f"));

        job.NextSuccessors().Should().NotBeNull().And.BeEmpty();
        job.AddChild("c");
        job.NextSuccessors().Should().NotBeNull().And.BeEmpty();
    }

    [Test]
    public void FilterSuccessors_RejectedIds_RemovedFromEveryPhaseAndEmptyAdoptedPhasesDropped()
    {
        var job = new JobDescription("j");
        job.SetSuccessorPhases([["x", "keep1"], ["x"], ["f"], ["c", "x"]]);

        job.FilterSuccessors(id => id != "x");

        job.SuccessorPhases.Select(p => p.Order(StringComparer.Ordinal).ToArray()).Should().BeEquivalentTo(
            new[] { new[] { "keep1" }, new[] { "f" }, new[] { "c" } },
            o => o.WithStrictOrdering());
    }

    [Test]
    public void FilterSuccessors_EverythingRemoved_KeepsOwnPhasesSoALaterChildIsVisible()
    {
        // Toil drops the job's own (empty) child phase here, and a later addChild is lost (docs/decisions.md#job-model).
        var job = new JobDescription("j");
        job.SetSuccessorPhases([["a"], ["f"], ["c"]]);

        job.FilterSuccessors(_ => false);
        job.NextSuccessors().Should().BeNull();
        job.SuccessorPhases.Should().HaveCount(2);
        job.AddChild("late");

        job.NextSuccessors().Should().BeEquivalentTo(["late"]);
        job.Children.Should().BeEquivalentTo(["late"]);
    }

    [Test]
    public void ClearDependents_WithPhasesAndServices_LeavesTwoEmptyOwnPhasesAndNoServices()
    {
        var job = new JobDescription("j");
        job.SetSuccessorPhases([["a"], ["f"], ["c"]]);
        job.AddServiceHostJob("s");

        job.ClearDependents();

        job.SuccessorPhases.Should().HaveCount(2).And.OnlyContain(p => p.Count == 0);
        job.ServiceTree.Should().BeEmpty();
        job.NextSuccessors().Should().BeNull();
        job.AddChild("c2");
        job.Children.Should().BeEquivalentTo(["c2"]);
    }

    [Test]
    public void IsSubtreeDone_BodySuccessorOrService_EachKeepsItNotDone()
    {
        var job = new JobDescription("j");
        job.IsSubtreeDone().Should().BeTrue();

        job.AttachBody(new JobBody("t", "f"));
        job.IsSubtreeDone().Should().BeFalse();
        job.DetachBody();

        job.SetSuccessorPhases([["adopted"], [], []]);
        job.IsSubtreeDone().Should().BeFalse("an adopted phase is still work");
        job.ClearDependents();

        job.AddServiceHostJob("s");
        job.IsSubtreeDone().Should().BeFalse();
        job.FilterServiceHosts(_ => false);
        job.IsSubtreeDone().Should().BeTrue();
    }

    // ---- Services ----

    [Test]
    public void AddServiceHostJob_DuplicateOrMissingParent_Throws()
    {
        var job = new JobDescription("j");
        job.AddServiceHostJob("s1");

        var duplicate = () => job.AddServiceHostJob("s1");
        var orphan = () => job.AddServiceHostJob("s2", "no-such-parent");

        duplicate.Should().Throw<InvalidOperationException>().WithMessage("*s1*");
        orphan.Should().Throw<InvalidOperationException>().WithMessage("*no-such-parent*");
        job.ServiceTree.Keys.Should().Equal("s1");
    }

    [Test]
    public void ServiceHostIdsInBatches_Tree_TopLevelFirstThenEachGenerationAndEveryServiceHasAKey()
    {
        var job = new JobDescription("j");
        job.AddServiceHostJob("root1");
        job.AddServiceHostJob("root2");
        job.AddServiceHostJob("child1", "root1");
        job.AddServiceHostJob("child2", "root2");
        job.AddServiceHostJob("grandchild", "child1");

        var batches = job.ServiceHostIdsInBatches().ToList();

        batches.Should().HaveCount(3);
        batches[0].Should().BeEquivalentTo(["root1", "root2"]);
        batches[1].Should().BeEquivalentTo(["child1", "child2"]);
        batches[2].Should().BeEquivalentTo(["grandchild"]);
        job.ServiceTree["grandchild"].Should().BeEmpty();
        job.Services.Should().HaveCount(5);
    }

    [Test]
    public void FilterServiceHosts_Rejected_RemovedAsKeyAndFromEveryChildList()
    {
        var job = new JobDescription("j");
        job.AddServiceHostJob("root");
        job.AddServiceHostJob("gone", "root");
        job.AddServiceHostJob("kept", "root");

        job.FilterServiceHosts(id => id != "gone");

        job.ServiceTree.Keys.Should().BeEquivalentTo(["root", "kept"]);
        job.ServiceTree["root"].Should().Equal("kept");
    }

    // ---- Renames ----

    [Test]
    public void RenameReferences_TemporaryIds_RewrittenInPhasesAndServicesKeepingSetIdentity()
    {
        var job = new JobDescription("j");
        job.AddChild("tmp-c");
        job.AddFollowOn("tmp-f");
        job.AddFollowOn("real");
        job.AddServiceHostJob("tmp-s");
        job.AddServiceHostJob("tmp-s2", "tmp-s");
        var children = job.Children;

        job.RenameReferences(new Dictionary<string, string> { ["tmp-c"] = "c", ["tmp-f"] = "f", ["tmp-s"] = "s", ["tmp-s2"] = "s2" });

        job.Children.Should().BeSameAs(children).And.BeEquivalentTo(["c"]);
        job.FollowOns.Should().BeEquivalentTo(["f", "real"]);
        job.ServiceTree.Keys.Should().BeEquivalentTo(["s", "s2"]);
        job.ServiceTree["s"].Should().Equal("s2");
    }

    // ---- Versions ----

    [Test]
    public void IncrementVersion_ThenReserveVersions_RaisesVersionAndStampsThisProcess()
    {
        var job = new JobDescription("j");

        job.IncrementVersion();
        job.Version.Should().Be(1);
        job.VersionWriter.Should().Be(Environment.ProcessId);
        job.ReserveVersions(3);
        job.Version.Should().Be(4);
        var negative = () => job.ReserveVersions(-1);
        negative.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Test]
    public void AssertIsNotNewerThan_OtherOlder_Throws()
    {
        var job = new JobDescription("j") { JobStoreId = "a", Version = 5 };

        var older = () => job.AssertIsNotNewerThan(new JobDescription("j") { JobStoreId = "a", Version = 4 });
        var same = () => job.AssertIsNotNewerThan(new JobDescription("j") { JobStoreId = "a", Version = 5 });

        older.Should().Throw<InvalidOperationException>();
        same.Should().NotThrow();
    }

    [Test]
    public void IsUpdatedBy_VariousIdsAndVersions_TrueOnlyForSameIdAndHigherVersion()
    {
        var job = new JobDescription("j") { JobStoreId = "a", Version = 5 };

        job.IsUpdatedBy(new JobDescription("j") { JobStoreId = "a", Version = 6 }).Should().BeTrue();
        job.IsUpdatedBy(new JobDescription("j") { JobStoreId = "a", Version = 5 }).Should().BeFalse();
        job.IsUpdatedBy(new JobDescription("j") { JobStoreId = "b", Version = 9 }).Should().BeFalse("another job is never an update");
    }

    // ---- Requirements resolution ----

    [Test]
    public void Requirements_Unset_FallBackToTheConfigurationDefaults()
    {
        var config = new WorkflowConfig { DefaultMemory = "1Gi", DefaultCores = 2, DefaultDisk = "3Gi", DefaultPreemptible = true, DefaultWalltime = TimeSpan.FromMinutes(5), DefaultAccelerators = [new AcceleratorRequirement()] };
        var job = WithConfig(new JobDescription("j", new JobRequirements { Memory = "100Mi" }), config);

        job.Memory.Bytes.Should().Be(100L << 20);
        job.Cores.Should().Be(2);
        job.Disk.Bytes.Should().Be(3L << 30);
        job.Preemptible.Should().BeTrue();
        job.Walltime.Should().Be(TimeSpan.FromMinutes(5));
        job.Accelerators.Should().Equal(new AcceleratorRequirement());
        job.RemainingTryCount.Should().Be(config.RetryCount + 1);
    }

    [Test]
    public void Requirements_UnsetWithoutConfiguration_ThrowsNamingTheJob()
    {
        var job = new JobDescription("unconfigured", new JobRequirements { Memory = "1Gi" });

        job.Memory.Bytes.Should().Be(1L << 30, "an explicit requirement needs no configuration");
        var cores = () => job.Cores;
        var tries = () => job.RemainingTryCount;

        cores.Should().Throw<InvalidOperationException>().WithMessage("*'unconfigured'*configuration*");
        tries.Should().Throw<InvalidOperationException>();
    }

    // ---- Clone ----

    [Test]
    public void Clone_EveryField_IsDeepAndSharesOnlyTheConfiguration()
    {
        var config = new WorkflowConfig();
        var job = WithConfig(new JobDescription("j", new JobRequirements { Memory = "1Gi" }, "u", "D", local: true), config);
        job.JobStoreId = "id";
        job.AttachBody(new JobBody("t", "f"));
        job.SetSuccessorPhases([["a"], ["f"], ["c"]]);
        job.AddServiceHostJob("s");
        job.FilesToDelete.Add("del");
        job.FilesToUse.Add("use");
        job.MergedJobNames.Add(new JobNames("x", "y", "z", "z", "id0"));
        job.PredecessorsFinished.Add("p");
        job.RemainingTryCountOverride = 4;
        job.RetryBackoffSecondsOverride = 2;
        job.LogJobStoreFileId = "log";
        job.Version = 7;

        var copy = job.Clone();
        job.AddChild("after");
        job.ServiceTree["s"].Add("x");
        job.FilesToDelete.Clear();

        copy.Should().NotBeSameAs(job);
        copy.Config.Should().BeSameAs(config);
        copy.Children.Should().BeEquivalentTo(["c"]);
        copy.SuccessorPhases.Should().HaveCount(3);
        copy.ServiceTree["s"].Should().BeEmpty();
        copy.FilesToDelete.Should().Equal("del");
        copy.FilesToUse.Should().BeEquivalentTo(["use"]);
        copy.MergedJobNames.Should().Equal(new JobNames("x", "y", "z", "z", "id0"));
        copy.PredecessorsFinished.Should().BeEquivalentTo(["p"]);
        copy.RemainingTryCount.Should().Be(4);
        copy.RetryBackoff.Should().Be(TimeSpan.FromSeconds(2));
        copy.LogJobStoreFileId.Should().Be("log");
        copy.Version.Should().Be(7);
        copy.Local.Should().BeTrue();
        copy.DisplayName.Should().Be("D");
        copy.UnitName.Should().Be("u");
        copy.GetBody().Should().Be(new JobBody("t", "f"));
    }

    // ---- Collections made on first use ----

    [Test]
    public void Clone_NothingEverAdded_MakesNoCollectionsAndEachCopyGrowsItsOwn()
    {
        var job = new JobDescription("j");

        var copy = job.Clone();

        job.PhasesOrNull.Should().BeNull();
        copy.PhasesOrNull.Should().BeNull();
        copy.PredecessorsFinishedOrNull.Should().BeNull();
        copy.ServiceTreeOrNull.Should().BeNull();
        copy.FilesToDeleteOrNull.Should().BeNull();
        copy.MergedJobNamesOrNull.Should().BeNull();
        copy.FilesToUseOrNull.Should().BeNull();
        copy.AddChild("c");
        copy.AddFollowOn("f");
        copy.AddServiceHostJob("s");
        copy.FilesToDelete.Add("d");
        copy.FilesToUse.Add("u");
        copy.PredecessorsFinished.Add("p");
        copy.MergedJobNames.Add(new JobNames("x", "y", "z", "z", "id0"));
        job.Children.Should().BeEmpty();
        job.FollowOns.Should().BeEmpty();
        job.SuccessorPhases.Should().HaveCount(2);
        job.ServiceTree.Should().BeEmpty();
        job.FilesToDelete.Should().BeEmpty();
        job.FilesToUse.Should().BeEmpty();
        job.PredecessorsFinished.Should().BeEmpty();
        job.MergedJobNames.Should().BeEmpty();
        copy.Children.Should().Equal("c");
        copy.FollowOns.Should().Equal("f");
    }

    [Test]
    public void CopyFrom_IntoInstanceWithCollectionsFromSourceWithout_ClearsThemInPlace()
    {
        var target = new CopyingJob();
        target.AddChild("c");
        target.AddServiceHostJob("s");
        target.FilesToUse.Add("u");
        target.MergedJobNames.Add(new JobNames("x", "y", "z", "z", "id0"));
        var phases = target.SuccessorPhases;
        var tree = target.ServiceTree;
        var uses = target.FilesToUse;
        var merged = target.MergedJobNames;

        // The views handed out earlier stay the instance's own and show the source's (empty) state.
        target.CopyOf(new JobDescription("src"));

        phases.Should().HaveCount(2).And.OnlyContain(p => p.Count == 0);
        target.Children.Should().BeEmpty();
        tree.Should().BeEmpty();
        uses.Should().BeEmpty();
        merged.Should().BeEmpty();
    }

    [Test]
    public void SuccessorPhasesAndChildren_ReadBeforeFirstChild_AreLiveViews()
    {
        var job = new JobDescription("j");
        var phases = job.SuccessorPhases;
        var children = job.Children;
        var merged = job.MergedJobNames;
        string ownId = job.JobStoreId;

        job.AddChild("c");
        job.Replace(new JobDescription("pred", "pred-id"));

        children.Should().Equal("c");
        phases[^1].Should().Equal("c");
        merged.Select(n => n.JobStoreId).Should().Equal("pred-id", ownId);
    }

    [Test]
    public void Replace_NeitherEverChained_NewMergedListHoldsBothNamesAndLeavesThePredecessorWithout()
    {
        var predecessor = new JobDescription("pred", "pred-id");
        predecessor.AddChild("succ-id");
        var successor = new JobDescription("succ", "succ-id");

        successor.Replace(predecessor);

        successor.MergedJobNames.Select(n => n.JobStoreId).Should().Equal("pred-id", "succ-id");
        successor.PhasesOrNull.Should().BeNull("the predecessor's only successor was this job");
        predecessor.MergedJobNamesOrNull.Should().BeNull();
    }

    [Test]
    public void Clone_EmptyPhasesCopied_AChangeToOneCopyReachesNoOtherAndViewsStayLive()
    {
        var job = new JobDescription("j");
        job.SetSuccessorPhases([[], [], ["c"]]);
        var first = job.Clone();
        var second = job.Clone();
        var secondFollowOns = second.FollowOns;

        first.AddFollowOn("f1");
        second.AddFollowOn("f2");
        first.FilterSuccessors(_ => true);
        first.RenameReferences(new Dictionary<string, string> { ["f1"] = "f1-renamed" });

        first.FollowOns.Should().Equal("f1-renamed");
        secondFollowOns.Should().Equal("f2");
        job.FollowOns.Should().BeEmpty();
        job.Clone().FollowOns.Should().BeEmpty();
        second.SuccessorPhases[0].Should().BeEmpty();
        first.SuccessorPhases.Should().HaveCount(2, "filtering drops the empty adopted phase");
        first.Children.Should().Equal("c");
    }

    private sealed class CopyingJob : JobDescription
    {
        public CopyingJob()
            : base("target")
        {
        }

        public void CopyOf(JobDescription source) => CopyFrom(source);
    }
}
