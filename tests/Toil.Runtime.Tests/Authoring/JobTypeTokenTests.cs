using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;
using Toil.Runtime.Testing;

namespace Toil.Runtime.Tests.Authoring;

/// <summary>
/// The typed registration tokens (<see cref="JobType{TJob, TInput, TOutput}"/>): every entry point takes the token and
/// infers the type arguments (the calls below name none), and the registry holds the tokens under their names.
/// </summary>
public sealed class JobTypeTokenTests
{
    private static JobTestHarness Harness() => new(services => services
        .AddToilJob(TokenLength.Type)
        .AddToilJob(TokenSum.Type)
        .AddToilJob(TokenNote.Type)
        .AddToilJob(TokenFanOut.Type)
        .AddToilJob(AddsTokenChild.Type));

    [Test]
    public async Task AddToilJob_Tokens_RegistryHoldsEachTokenUnderItsName()
    {
        await using var harness = Harness();
        var registry = harness.Services.GetRequiredService<JobTypeRegistry>();

        registry.Names.Should().BeEquivalentTo("token-length", "token-sum", "token-note", "token-fan-out", "adds-token-child");
        registry.TryGet(TokenLength.Type.Name, out var byName).Should().BeTrue();
        byName.Should().BeSameAs(TokenLength.Type);
        registry.TryGet(typeof(TokenSum), out var byClass).Should().BeTrue();
        byClass.Should().BeSameAs(TokenSum.Type);
        TokenNote.Type.Name.Should().Be("token-note", "without a name the token takes the ToilJob attribute's");
        harness.Services.GetRequiredService<TokenLength>().Should().NotBeNull("the token's job class is registered as a service");
    }

    [Test]
    public void AddToilJob_SameTokenTwice_CountsOnce()
    {
        using var provider = new ServiceCollection().AddToilJob(TokenLength.Type).AddToilJob(TokenLength.Type).BuildServiceProvider();

        provider.GetRequiredService<JobTypeRegistry>().Names.Should().Equal("token-length");
        provider.GetServices<JobTypeRegistration>().Should().ContainSingle();
    }

    [Test]
    public async Task RunAsync_TokenWithOutput_InfersTheTypesAndReturnsTheValue()
    {
        await using var harness = Harness();

        JobTestRun<int> run = await harness.RunAsync(TokenLength.Type, "four");

        run.Result.Should().Be(4);
        run.TypeName.Should().Be("token-length");
    }

    [Test]
    public async Task RunAsync_TokenWithoutOutput_RunsTheJob()
    {
        await using var harness = Harness();

        JobTestRun run = await harness.RunAsync(TokenNote.Type, new TokenNoteInput("hello"));

        run.LeaderMessages.Select(m => m.Text).Should().Equal("hello");
    }

    [Test]
    public async Task AddChildAndFollowOn_Tokens_CreateTypedJobsWithTheirInputs()
    {
        await using var harness = Harness();

        var run = await harness.RunAsync(TokenFanOut.Type, new TokenFanInput(["a", "bb", "ccc"]));

        run.Children.Select(c => c.TypeName).Should().BeEquivalentTo("token-length", "token-length", "token-length", "token-note");
        run.Children.Where(c => c.TypeName == "token-length").Select(c => c.InputAs(TokenTestJson.Default.String))
            .Should().BeEquivalentTo("a", "bb", "ccc");
        run.Children.Single(c => c.TypeName == "token-note").IsCheckpoint.Should().BeTrue();
        run.FollowOns.Select(c => c.TypeName).Should().Equal("token-sum");
    }

    [Test]
    public async Task RunGraphAsync_TokenFanOut_PromisesFromTokenChildrenReachTheFollowOn()
    {
        await using var harness = Harness();

        JobGraphTestRun graph = await harness.RunGraphAsync(TokenFanOut.Type, new TokenFanInput(["a", "bb", "ccc", "dddd"]));

        graph.RunsOf("token-length").Should().HaveCount(4);
        graph.LeaderMessages.Select(m => m.Text).Should().ContainInOrder("total 10", "after the total");
        graph.LeaderMessages.Select(m => m.Text).Should().Contain("checkpoint");
    }

    [Test]
    public async Task RunGraphAsync_TokenWithOutput_ReturnsTheRootValue()
    {
        await using var harness = Harness();

        JobGraphTestRun<int> graph = await harness.RunGraphAsync(TokenSum.Type, new TokenSumInput([1, 2, 3]));

        graph.Result.Should().Be(6);
    }

    [Test]
    public void JobTypeRegistry_SameNameForTwoClasses_ThrowsTheRegistryError()
    {
        var other = JobType.Create<TwoInputs, string, int>(TokenTestJson.Default.String, TokenTestJson.Default.Int32, "token-length");

        var act = () => new JobTypeRegistry(TokenLength.Type, other);

        act.Should().Throw<ArgumentException>().WithMessage("*'token-length' is registered for both*TokenLength*TwoInputs*");
    }

    [Test]
    public void JobTypeRegistry_SameNameAndClassWithTwoInputTypes_ThrowsTheRegistryError()
    {
        var byString = JobType.Create<TwoInputs, string, int>(TokenTestJson.Default.String, TokenTestJson.Default.Int32, "two");
        var byName = JobType.Create<TwoInputs, NameInput, int>(TokenTestJson.Default.NameInput, TokenTestJson.Default.Int32, "two");

        var act = () => new JobTypeRegistry(byString, byName);

        act.Should().Throw<ArgumentException>().WithMessage("*'two' is registered for both*input String*input NameInput*");
    }

    [Test]
    public async Task RunAsync_TokenWhoseNameIsRegisteredWithOtherTypes_ThrowsAndCreatesNoJob()
    {
        await using var harness = Harness();
        var mismatched = JobType.Create<TwoInputs, string, int>(TokenTestJson.Default.String, TokenTestJson.Default.Int32, "token-length");

        var act = async () => await harness.RunAsync(mismatched, "x");

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*'token-length' is registered as*TokenLength*not as*TwoInputs*");
        (await harness.Store.ListJobsAsync().ToListAsync()).Should().BeEmpty();
    }

    [Test]
    public async Task AddChild_TokenWhoseNameIsRegisteredWithOtherTypes_FailsTheJobWithTheTypedError()
    {
        await using var harness = Harness();

        var act = async () => await harness.RunAsync(AddsTokenChild.Type, "mismatched");

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*'token-length' is registered as*");
    }

    [Test]
    public async Task AddChild_UnregisteredToken_FailsTheJobWithUnknownJobTypeException()
    {
        await using var harness = Harness();

        var act = async () => await harness.RunAsync(AddsTokenChild.Type, "unregistered");

        (await act.Should().ThrowAsync<UnknownJobTypeException>()).Which.TypeName.Should().Be("not-registered");
    }

    [Test]
    public void OldForm_ExplicitTypeArguments_StillFindTheTokenRegistration()
    {
        var registry = new JobTypeRegistry(TokenLength.Type);
        var old = JobTypeRegistration.Create<TokenLength, string, int>(TokenTestJson.Default.String, TokenTestJson.Default.Int32, "token-length");

        old.Should().BeOfType<JobType<TokenLength, string, int>>("the old factory makes the same token");
        new JobTypeRegistry(TokenLength.Type, old).Names.Should().Equal("token-length");
        registry.TryGet(typeof(TokenLength), out var found).Should().BeTrue();
        found.Should().BeSameAs(TokenLength.Type);
    }
}
