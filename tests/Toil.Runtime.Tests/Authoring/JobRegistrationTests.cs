using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;

namespace Toil.Runtime.Tests.Authoring;

public sealed class JobRegistrationTests
{
    [Test]
    public async Task AddToilJob_JobTakingAService_IsResolvedFromDiWithTheService()
    {
        await using var harness = new AuthoringHarness();
        var root = await harness.CreateRootAsync<Greeter, NameInput, string>(new NameInput("Ada"));

        await harness.RunJobAsync(root.JobStoreId);

        (await root.ReadResultAsync(harness.Store)).Should().Be("Hi, Ada");
    }

    [Test]
    public async Task InvokeAsync_ScopedService_OneScopePerJobRunDisposedAfterIt()
    {
        var seen = new List<ScopedThing>();
        await using var harness = new AuthoringHarness(services => services
            .AddScoped<ScopedThing>()
            .AddSingleton(seen)
            .AddToilJob<UsesScoped, NameInput>(AuthoringTestJson.Default.NameInput, "uses-scoped"));
        string first = await harness.CreateRootAsync<UsesScoped, NameInput>(new NameInput("a"));

        await harness.RunJobAsync(first);
        string second = await harness.CreateRootAsync<UsesScoped, NameInput>(new NameInput("b"));
        await harness.RunJobAsync(second);

        seen.Should().HaveCount(2);
        seen[0].Id.Should().NotBe(seen[1].Id);
        seen.Should().OnlyContain(t => t.Disposed);
    }

    [Test]
    public async Task AddToilJob_ToilJobAttribute_NamesTheType()
    {
        await using var harness = new AuthoringHarness();

        string id = await harness.CreateRootAsync<Scripted, ScriptInput>(new ScriptInput("none"));

        var job = await harness.Store.LoadJobAsync(id);
        job.JobName.Should().Be("scripted");
        job.GetBody().TypeName.Should().Be("scripted");
        harness.Registry.Names.Should().Contain(["greeter", "count-words", "sum", "fan-out", "append-letter", "scripted", "self-describing"]);
    }

    [Test]
    public async Task AddToilJob_SelfDescribingJob_RegistersWithItsOwnRegistration()
    {
        await using var harness = new AuthoringHarness();
        var root = await harness.CreateRootAsync<SelfDescribing, NameInput, string>(new NameInput("ada"));

        await harness.RunJobAsync(root.JobStoreId);

        (await root.ReadResultAsync(harness.Store)).Should().Be("ADA");
    }

    [Test]
    public void AddToilJob_Twice_RegistersOnce()
    {
        var services = new ServiceCollection()
            .AddToilJob<Scripted, ScriptInput>(AuthoringTestJson.Default.ScriptInput)
            .AddToilJob<Scripted, ScriptInput>(AuthoringTestJson.Default.ScriptInput);

        services.Count(d => d.ServiceType == typeof(JobTypeRegistration)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(Scripted)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IJobBodyInvoker)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(JobTypeRegistry)).Should().Be(1);
    }

    [Test]
    public void JobTypeRegistration_NoAttributeNoName_UsesTheFullClassName()
    {
        var registration = JobTypeRegistration.Create<Unnamed, NameInput>(AuthoringTestJson.Default.NameInput);

        registration.Name.Should().Be(typeof(Unnamed).FullName);
        registration.OutputType.Should().BeNull();
    }

    [Test]
    public void JobTypeRegistration_NameWithControlCharacter_Throws()
    {
        var act = () => JobTypeRegistration.Create<Unnamed, NameInput>(AuthoringTestJson.Default.NameInput, "bad\nname");

        act.Should().Throw<ArgumentException>();
    }

    [Test]
    public void JobTypeRegistry_OneNameForTwoClasses_Throws()
    {
        var act = () => new JobTypeRegistry(
            JobTypeRegistration.Create<Unnamed, NameInput>(AuthoringTestJson.Default.NameInput, "same"),
            JobTypeRegistration.Create<Scripted, ScriptInput>(AuthoringTestJson.Default.ScriptInput, "same"));

        act.Should().Throw<ArgumentException>().WithMessage("*'same'*");
    }

    [Test]
    public void JobTypeRegistry_OneClassUnderTwoNames_Throws()
    {
        var act = () => new JobTypeRegistry(
            JobTypeRegistration.Create<Unnamed, NameInput>(AuthoringTestJson.Default.NameInput, "one"),
            JobTypeRegistration.Create<Unnamed, NameInput>(AuthoringTestJson.Default.NameInput, "two"));

        act.Should().Throw<ArgumentException>().WithMessage("*two names*");
    }

    [Test]
    public async Task CreateRootJobAsync_UnregisteredClass_ThrowsUnknownJobType()
    {
        await using var harness = new AuthoringHarness();

        var act = async () => await harness.CreateRootAsync<Unnamed, NameInput>(new NameInput("x"));

        await act.Should().ThrowAsync<UnknownJobTypeException>().WithMessage("*Unnamed*");
        harness.Store.EventList.Should().BeEmpty();
    }

    [Test]
    public async Task CreateRootJobAsync_Checkpoint_CreatesACheckpointDescription()
    {
        await using var harness = new AuthoringHarness();

        string id = await harness.Store.CreateRootJobAsync<Scripted, ScriptInput>(harness.Registry, new ScriptInput("none"), checkpoint: true);

        (await harness.Store.LoadJobAsync(id)).Should().BeOfType<Toil.Runtime.Jobs.CheckpointJobDescription>();
    }

    [Test]
    public async Task CreateRootJobAsync_Job_IsRootWithBodyOwnedByTheJob()
    {
        await using var harness = new AuthoringHarness();

        string id = await harness.CreateRootAsync<Scripted, ScriptInput>(new ScriptInput("none"));

        (await harness.Store.GetRootJobIdAsync()).Should().Be(id);
        var job = await harness.Store.LoadJobAsync(id);
        job.HasBody.Should().BeTrue();
        job.GetBody().FileId.Should().StartWith($"job-files/{id}/cleanup/");
    }
}
