using Toil.Runtime.Authoring;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Tests.Authoring;

public sealed class PromiseTests
{
    private AuthoringHarness _harness = null!;

    [SetUp]
    public void SetUp() => _harness = new AuthoringHarness();

    [TearDown]
    public async Task TearDown() => await _harness.DisposeAsync();

    [Test]
    public async Task Promise_ChildrenCountsInFollowOnInput_AreResolvedWhenTheFollowOnRuns()
    {
        var input = new FanInput([new("a", "one two three"), new("b", "four five"), new("c", "six")]);
        var root = await _harness.CreateRootAsync<FanOut, FanInput, int>(input);

        var fan = await _harness.RunJobAsync(root.JobStoreId);
        foreach (string child in fan.Job.Children)
        {
            await _harness.RunJobAsync(child);
        }

        string sumId = fan.Job.FollowOns.Single();
        var sumBody = await _harness.Store.ReadAllBytesAsync((await _harness.Store.LoadJobAsync(sumId)).GetBody().FileId!);
        var sum = await _harness.RunJobAsync(sumId);

        (await root.ReadResultAsync(_harness.Store)).Should().Be(3);
        System.Text.Encoding.UTF8.GetString(sumBody).Should().Contain("\"promise\":\"files-flat/", "the follow-on's input holds promise file IDs, not values");
        sum.Outcome.ConsumedPromiseFileIds.Should().HaveCount(3);
        foreach (string fileId in sum.Outcome.ConsumedPromiseFileIds)
        {
            (await _harness.Store.FileExistsAsync(fileId)).Should().BeFalse("consumed promise files are deleted with the consumer's commit");
        }

        _harness.LeaderMessages.Select(m => m.Text).Should().Contain(["a: 3 words", "b: 2 words", "c: 1 words", "total: 6"]);
    }

    [Test]
    public async Task Promise_ChainOfAppends_ResolvesEachPredecessorsValue()
    {
        // Toil's testStatic2 shape through promises: each job appends its letter to its predecessor's promised string.
        _harness.Script.Steps["build"] = context =>
        {
            var a = context.AddChild<AppendLetter, ChainInput, string>(new ChainInput("", "A"));
            var b = a.Job!.AddChild<AppendLetter, ChainInput, string>(new ChainInput(a, "B"));
            var c = b.Job!.AddFollowOn<AppendLetter, ChainInput, string>(new ChainInput(b, "C"));
            context.AddFollowOn<AppendLetter, ChainInput, string>(new ChainInput(c, "D"));
            return ValueTask.CompletedTask;
        };
        string root = await _harness.CreateRootAsync<Scripted, ScriptInput>(new ScriptInput("build"));

        await _harness.RunSubtreeAsync(root);

        _harness.Script.Ran.Should().Equal("A", "AB", "ABC", "ABCD");
    }

    [Test]
    public async Task Promise_ReadBeforeItsProducerRan_FailsWithInvalidJobInput()
    {
        var input = new FanInput([new("a", "one")]);
        var root = await _harness.CreateRootAsync<FanOut, FanInput, int>(input);
        var fan = await _harness.RunJobAsync(root.JobStoreId);

        var act = () => _harness.RunJobAsync(fan.Job.FollowOns.Single());

        (await act.Should().ThrowAsync<InvalidJobInputException>()).Which.Message.Should().Contain("has not run");
    }

    [Test]
    public async Task Promise_ConsumedByAJobThatDoesNotRunAfterItsProducer_FailsTheSave()
    {
        _harness.Script.Steps["build"] = context =>
        {
            var a = context.AddChild<AppendLetter, ChainInput, string>(new ChainInput("", "A"));
            context.AddChild<AppendLetter, ChainInput, string>(new ChainInput(a, "B"));
            return ValueTask.CompletedTask;
        };
        string root = await _harness.CreateRootAsync<Scripted, ScriptInput>(new ScriptInput("build"));
        _harness.Store.Events.Clear();

        var act = () => _harness.RunJobAsync(root);

        (await act.Should().ThrowAsync<JobGraphException>()).Which.Message.Should().Contain("does not run before it");
        _harness.Store.EventList.Should().BeEmpty();
    }

    [Test]
    public async Task Promise_UsedByTwoConsumers_GetsOneFilePerConsumer()
    {
        _harness.Script.Steps["build"] = context =>
        {
            var a = context.AddChild<AppendLetter, ChainInput, string>(new ChainInput("", "A"));
            a.Job!.AddChild<AppendLetter, ChainInput, string>(new ChainInput(a, "B"));
            a.Job!.AddChild<AppendLetter, ChainInput, string>(new ChainInput(a, "C"));
            return ValueTask.CompletedTask;
        };
        string root = await _harness.CreateRootAsync<Scripted, ScriptInput>(new ScriptInput("build"));
        var build = await _harness.RunJobAsync(root);
        string aId = build.Job.Children.Single();

        await _harness.RunJobAsync(aId);
        var a = await _harness.Store.LoadJobAsync(aId);
        var consumers = a.Children.ToList();
        var first = await _harness.RunJobAsync(consumers[0]);
        var second = await _harness.RunJobAsync(consumers[1]);

        first.Outcome.ConsumedPromiseFileIds.Should().ContainSingle();
        second.Outcome.ConsumedPromiseFileIds.Should().ContainSingle();
        first.Outcome.ConsumedPromiseFileIds.Should().NotIntersectWith(second.Outcome.ConsumedPromiseFileIds);
    }

    [Test]
    public void Promise_ValueBeforeResolution_Throws()
    {
        var promise = new Promise<int>();
        promise.IsResolved.Should().BeTrue("a promise made by the serializer's constructor holds the default value");
        Promise<int> fromValue = 5;
        fromValue.Value.Should().Be(5);
    }

    [Test]
    public async Task CreateRootJobAsync_InputWithUnresolvedPromise_ThrowsInvalidJobInput()
    {
        Promise<string>? leaked = null;
        _harness.Script.Steps["leak"] = context =>
        {
            leaked = context.AddChild<AppendLetter, ChainInput, string>(new ChainInput("", "A"));
            return ValueTask.CompletedTask;
        };
        string root = await _harness.CreateRootAsync<Scripted, ScriptInput>(new ScriptInput("leak"));
        await _harness.RunJobAsync(root);
        _harness.Store.Events.Clear();

        var act = async () => await _harness.CreateRootAsync<AppendLetter, ChainInput, string>(new ChainInput(leaked!, "B"));

        await act.Should().ThrowAsync<InvalidJobInputException>();
        var events = _harness.Store.EventList;
        string resultFile = events.Single(e => e.StartsWith("write-file:", StringComparison.Ordinal))["write-file:".Length..];
        events.Should().Contain("delete-file:" + resultFile, "the result file of a root job that was not created is removed");
        events.Should().NotContain(e => e.StartsWith("create:", StringComparison.Ordinal));
        var unresolved = () => leaked!.Value;
        unresolved.Should().Throw<InvalidOperationException>();
    }

    [Test]
    public async Task Promise_InAReturnValue_FailsTheJobInsteadOfWritingADefault()
    {
        var root = await _harness.CreateRootAsync<ReturnsPromise, NameInput, ChainInput>(new NameInput("x"));
        _harness.Store.Events.Clear();

        var act = () => _harness.RunJobAsync(root.JobStoreId);

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("unresolved promise");
        _harness.Store.EventList.Should().NotContain(e => e.StartsWith("create:", StringComparison.Ordinal));
        await root.Awaiting(r => r.ReadResultAsync(_harness.Store)).Should().ThrowAsync<InvalidOperationException>().WithMessage("*has not returned*");
    }

    [Test]
    public async Task RootJob_ReadResultBeforeItRan_Throws()
    {
        var root = await _harness.CreateRootAsync<Greeter, NameInput, string>(new NameInput("x"));

        var act = async () => await root.ReadResultAsync(_harness.Store);

        await act.Should().ThrowAsync<InvalidOperationException>();
        (await _harness.Store.FileExistsAsync(root.ResultFileId)).Should().BeTrue();
        await _harness.Store.DeleteFileAsync(root.ResultFileId);
        await act.Should().ThrowAsync<NoSuchFileException>();
    }
}
