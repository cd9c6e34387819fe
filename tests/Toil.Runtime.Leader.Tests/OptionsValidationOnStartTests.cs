using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Toil.Runtime.Jobs;
using Toil.Runtime.Leader.BatchSystems;
using Toil.Runtime.Leader.Workflows;

namespace Toil.Runtime.Leader.Tests;

/// <summary>Each options type of the leader fails at the host's start, naming the option, through its one generated validator.</summary>
[TestFixture]
public sealed class OptionsValidationOnStartTests
{
    [Test]
    public void AddToilLeader_RestartWithoutJobStore_FailsOnStartNamingTheOption()
    {
        using var provider = new ServiceCollection().AddLogging().AddToilLeader(o => o.Restart = true).BuildServiceProvider();

        Start(provider).Should().Throw<OptionsValidationException>().WithMessage("*LeaderOptions.Restart needs LeaderOptions.JobStore*");
    }

    [Test]
    public void AddToilLeader_NullConfig_FailsOnStartNamingTheOption()
    {
        using var provider = new ServiceCollection().AddLogging().AddToilLeader(o => o.Config = null!).BuildServiceProvider();

        Start(provider).Should().Throw<OptionsValidationException>().WithMessage("*Config must not be null*");
    }

    [Test]
    public void AddToilLeader_InProcessCoresNotPositive_FailsOnStartNamingTheOption()
    {
        using var provider = new ServiceCollection().AddLogging().AddToilLeader()
            .Configure<InProcessBatchSystemOptions>(o => o.MaxCores = 0).BuildServiceProvider();

        Start(provider).Should().Throw<OptionsValidationException>().WithMessage("*MaxCores must be a positive number*");
    }

    [Test]
    public void AddLocalProcessBatchSystem_NegativeOutputTail_FailsOnStartNamingTheOption()
    {
        using var provider = new ServiceCollection().AddLogging().AddToilLeader()
            .AddLocalProcessBatchSystem(o => o.OutputTailBytes = -1).BuildServiceProvider();

        Start(provider).Should().Throw<OptionsValidationException>().WithMessage("*OutputTailBytes*");
    }

    [Test]
    public void LocalProcessBatchSystem_OptionsTheHostRefuses_ConstructorRefusesWithTheSameRules()
    {
        var options = new LocalProcessBatchSystemOptions { WorkerCommand = [], Memory = DataSize.FromInt64(0), KillTimeout = TimeSpan.Zero };
        var failures = new LocalProcessBatchSystemOptionsValidator().Validate(null, options).Failures;

        var create = () => new LocalProcessBatchSystem(options);

        failures.Should().HaveCount(3);
        create.Should().Throw<ArgumentException>().Which.Message.Should().ContainAll(failures);
    }

    private static Action Start(IServiceProvider provider) => () => provider.GetRequiredService<IStartupValidator>().Validate();
}
