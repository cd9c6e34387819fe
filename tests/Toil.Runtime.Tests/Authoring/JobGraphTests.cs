using Toil.Runtime.Authoring;
using Toil.Runtime.Jobs;

namespace Toil.Runtime.Tests.Authoring;

public sealed class JobGraphTests
{
    private AuthoringHarness _harness = null!;

    [SetUp]
    public void SetUp() => _harness = new AuthoringHarness();

    [TearDown]
    public async Task TearDown() => await _harness.DisposeAsync();

    [Test]
    public async Task SaveAsync_ChildrenAndFollowOn_AssignsIdsAndCreatesAllInOneBatchBeforeTheParentCommit()
    {
        JobHandle? grandchild = null;
        Step("parent", context =>
        {
            var child = context.AddChild<Scripted, ScriptInput>(new ScriptInput("child"), new JobRequirements { Cores = 0.5 });
            grandchild = child.AddChild<Scripted, ScriptInput>(new ScriptInput("grandchild"), displayName: "gc");
            context.AddFollowOn<Scripted, ScriptInput>(new ScriptInput("follow"));
        });
        string root = await CreateRootAsync("parent");
        _harness.Store.Events.Clear();

        var run = await _harness.RunJobAsync(root);

        run.Outcome.JobsCreated.Should().Be(3);
        var events = _harness.Store.EventList;
        var assigned = events.Where(e => e.StartsWith("assign:", StringComparison.Ordinal)).Select(e => e["assign:".Length..]).ToList();
        assigned.Should().HaveCount(3);
        events.Where(e => e.StartsWith("create:", StringComparison.Ordinal)).Should().ContainSingle()
            .Which.Split(':')[1].Split(',').Should().BeEquivalentTo(assigned);
        int create = events.FindIndex(e => e.StartsWith("create:", StringComparison.Ordinal));
        int parentCommit = events.FindIndex(e => e.StartsWith($"update:{root}:", StringComparison.Ordinal));
        create.Should().BeLessThan(parentCommit, "new jobs exist before the parent record that refers to them");
        events.Take(create).Count(e => e.StartsWith("write-file:", StringComparison.Ordinal)).Should().Be(3, "every body is saved before the batch");

        var parent = await _harness.Store.LoadJobAsync(root);
        parent.Children.Should().ContainSingle();
        parent.FollowOns.Should().ContainSingle();
        var child = await _harness.Store.LoadJobAsync(parent.Children.Single());
        child.Requirements.Cores.Should().Be(0.5);
        child.PredecessorNumber.Should().Be(1);
        child.GetBody().TypeName.Should().Be("scripted");
        child.Children.Should().ContainSingle().Which.Should().Be(grandchild!.JobStoreId);
        var gc = await _harness.Store.LoadJobAsync(child.Children.Single());
        gc.DisplayName.Should().Be("gc");
        gc.HasBody.Should().BeTrue();
        assigned.Should().NotContain(id => JobDescription.IsTemporaryId(id));
    }

    [Test]
    public async Task SaveAsync_JobsRunInSuccessorOrder()
    {
        Step("parent", context =>
        {
            var child = context.AddChild<Scripted, ScriptInput>(new ScriptInput("child"));
            child.AddChild<Scripted, ScriptInput>(new ScriptInput("grandchild"));
            child.AddFollowOn<Scripted, ScriptInput>(new ScriptInput("child-follow"));
            context.AddFollowOn<Scripted, ScriptInput>(new ScriptInput("follow"));
        });
        string root = await CreateRootAsync("parent");

        await _harness.RunSubtreeAsync(root);

        _harness.Script.Ran.Should().Equal("parent", "child", "grandchild", "child-follow", "follow");
    }

    [Test]
    public async Task SaveAsync_UnlinkedCreatedJob_ThrowsTwoRootsAndWritesNothing()
    {
        Step("parent", context =>
        {
            context.AddChild<Scripted, ScriptInput>(new ScriptInput("a"));
            context.CreateJob<Scripted, ScriptInput>(new ScriptInput("orphan"));
        });
        string root = await CreateRootAsync("parent");
        _harness.Store.Events.Clear();

        var act = () => _harness.RunJobAsync(root);

        (await act.Should().ThrowAsync<JobGraphRootException>()).Which.Roots.Should().HaveCount(2);
        _harness.Store.EventList.Should().BeEmpty();
    }

    [Test]
    public async Task SaveAsync_DirectCycle_ThrowsCycle()
    {
        Step("parent", context =>
        {
            var a = context.AddChild<Scripted, ScriptInput>(new ScriptInput("a"));
            var b = a.AddChild<Scripted, ScriptInput>(new ScriptInput("b"));
            b.AddChild(a);
        });
        string root = await CreateRootAsync("parent");
        _harness.Store.Events.Clear();

        var act = () => _harness.RunJobAsync(root);

        (await act.Should().ThrowAsync<JobGraphCycleException>()).Which.Cycle.Should().HaveCount(3);
        _harness.Store.EventList.Should().BeEmpty();
    }

    [Test]
    public async Task SaveAsync_SelfLoop_ThrowsCycle()
    {
        Step("parent", context =>
        {
            var a = context.AddChild<Scripted, ScriptInput>(new ScriptInput("a"));
            a.AddFollowOn(a);
        });
        string root = await CreateRootAsync("parent");

        var act = () => _harness.RunJobAsync(root);

        await act.Should().ThrowAsync<JobGraphCycleException>();
    }

    [Test]
    public async Task SaveAsync_CycleOnlyThroughAnImpliedFollowOnEdge_ThrowsCycle()
    {
        // B is under the parent's children (via A), so it must run before the parent's follow-on F; F -> B closes a cycle.
        Step("parent", context =>
        {
            var a = context.AddChild<Scripted, ScriptInput>(new ScriptInput("a"));
            var f = context.AddFollowOn<Scripted, ScriptInput>(new ScriptInput("f"));
            var b = a.AddChild<Scripted, ScriptInput>(new ScriptInput("b"));
            f.AddChild(b);
        });
        string root = await CreateRootAsync("parent");

        var act = () => _harness.RunJobAsync(root);

        await act.Should().ThrowAsync<JobGraphCycleException>();
    }

    [Test]
    public async Task SaveAsync_DiamondWithTwoPredecessors_IsSavedWithPredecessorCount()
    {
        Step("parent", context =>
        {
            var a = context.AddChild<Scripted, ScriptInput>(new ScriptInput("a"));
            var b = context.AddChild<Scripted, ScriptInput>(new ScriptInput("b"));
            var d = context.CreateJob<Scripted, ScriptInput>(new ScriptInput("d"));
            a.AddChild(d);
            b.AddChild(d);
        });
        string root = await CreateRootAsync("parent");

        var run = await _harness.RunJobAsync(root);

        run.Outcome.JobsCreated.Should().Be(3);
        var a = await _harness.Store.LoadJobAsync(run.Job.Children.First());
        (await _harness.Store.LoadJobAsync(a.Children.Single())).PredecessorNumber.Should().Be(2);
    }

    [Test]
    public async Task AddChild_SameSuccessorTwice_ThrowsConflictingPredecessor()
    {
        Step("parent", context =>
        {
            var a = context.AddChild<Scripted, ScriptInput>(new ScriptInput("a"));
            context.AddFollowOn(a);
        });
        string root = await CreateRootAsync("parent");

        var act = () => _harness.RunJobAsync(root);

        await act.Should().ThrowAsync<ConflictingPredecessorException>();
    }

    [TestCase("child")]
    [TestCase("follow-on")]
    public async Task SaveAsync_NewCheckpointWithSuccessor_ThrowsCheckpointNotLeaf(string kind)
    {
        Step("parent", context =>
        {
            var checkpoint = context.AddCheckpointChild<Scripted, ScriptInput>(new ScriptInput("cp"));
            if (kind == "child")
            {
                checkpoint.AddChild<Scripted, ScriptInput>(new ScriptInput("x"));
            }
            else
            {
                checkpoint.AddFollowOn<Scripted, ScriptInput>(new ScriptInput("x"));
            }
        });
        string root = await CreateRootAsync("parent");

        var act = () => _harness.RunJobAsync(root);

        await act.Should().ThrowAsync<CheckpointNotLeafException>();
    }

    [Test]
    public async Task SaveAsync_LeafCheckpoint_IsSavedAsCheckpointAndMayAddChildrenWhenItRuns()
    {
        Step("parent", context => context.AddCheckpointChild<Scripted, ScriptInput>(new ScriptInput("cp")));
        Step("cp", context => context.AddChild<Scripted, ScriptInput>(new ScriptInput("under-cp")));
        string root = await CreateRootAsync("parent");

        var run = await _harness.RunJobAsync(root);
        string checkpointId = run.Job.Children.Single();
        var checkpoint = await _harness.Store.LoadJobAsync(checkpointId);
        var checkpointRun = await _harness.RunJobAsync(checkpointId);

        checkpoint.Should().BeOfType<CheckpointJobDescription>();
        checkpointRun.Outcome.JobsCreated.Should().Be(1, "a running checkpoint is a pre-existing root and exempt");
    }

    [Test]
    public async Task AddChild_UnregisteredClass_ThrowsUnknownJobType()
    {
        Step("parent", context => context.AddChild<Unnamed, NameInput>(new NameInput("x")));
        string root = await CreateRootAsync("parent");

        var act = () => _harness.RunJobAsync(root);

        (await act.Should().ThrowAsync<UnknownJobTypeException>()).Which.TypeName.Should().Contain(nameof(Unnamed));
    }

    [Test]
    public async Task AddChild_JobWithAReturnValueWithoutAskingForIt_RunsAndIgnoresTheValue()
    {
        Step("parent", context => context.AddChild<Greeter, NameInput>(new NameInput("Bo")));
        string root = await CreateRootAsync("parent");

        var run = await _harness.RunJobAsync(root);
        var greeter = await _harness.RunJobAsync(run.Job.Children.Single());

        greeter.Job.HasBody.Should().BeFalse();
        greeter.Job.JobName.Should().Be("greeter");
    }

    [Test]
    public async Task AddChild_InputTypeOtherThanRegistered_ThrowsArgumentException()
    {
        Step("parent", context => context.AddChild<Greeter, ScriptInput>(new ScriptInput("x")));
        string root = await CreateRootAsync("parent");

        var act = () => _harness.RunJobAsync(root);

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("'greeter'");
    }

    [Test]
    public async Task AddChild_AfterTheBodyReturned_Throws()
    {
        JobContext? saved = null;
        Step("parent", context => saved = context);
        string root = await CreateRootAsync("parent");
        await _harness.RunJobAsync(root);

        var act = () => saved!.AddChild<Scripted, ScriptInput>(new ScriptInput("late"));

        act.Should().Throw<InvalidOperationException>().WithMessage("*already saved*");
    }

    [Test]
    public async Task AddChild_FromManyTasksAtOnce_SavesEveryChild()
    {
        _harness.Script.Steps["parent"] = async context =>
        {
            await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => context.AddChild<Scripted, ScriptInput>(new ScriptInput("leaf-" + i)))));
        };
        string root = await CreateRootAsync("parent");

        var run = await _harness.RunJobAsync(root);

        run.Outcome.JobsCreated.Should().Be(200);
        run.Job.Children.Should().HaveCount(200);
    }

    private void Step(string name, Action<JobContext> body) =>
        _harness.Script.Steps[name] = context =>
        {
            _harness.Script.Ran.Add(name);
            body(context);
            return ValueTask.CompletedTask;
        };

    private async Task<string> CreateRootAsync(string step)
    {
        foreach (string name in new[] { "a", "b", "d", "child", "grandchild", "child-follow", "follow", "f", "x", "cp", "under-cp" })
        {
            if (!_harness.Script.Steps.ContainsKey(name))
            {
                Step(name, _ => { });
            }
        }

        return await _harness.CreateRootAsync<Scripted, ScriptInput>(new ScriptInput(step));
    }
}
