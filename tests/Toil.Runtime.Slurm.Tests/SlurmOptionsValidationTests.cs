using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Toil.Runtime.Slurm.Tests;

/// <summary>The Slurm batch system's options fail at the host's start, and in its constructor, by the one generated validator.</summary>
[TestFixture]
public sealed class SlurmOptionsValidationTests
{
    [Test]
    public void AddSlurmBatchSystem_RetriesOutOfRange_FailsOnStartNamingTheOption()
    {
        using var provider = new ServiceCollection().AddLogging().AddToilLeader()
            .AddSlurmBatchSystem(o => o.MaxCommandRetries = 21).BuildServiceProvider();

        var start = () => provider.GetRequiredService<IStartupValidator>().Validate();

        start.Should().Throw<OptionsValidationException>().WithMessage("*MaxCommandRetries*");
    }

    [Test]
    public void SlurmBatchSystem_OptionsTheHostRefuses_ConstructorRefusesWithTheSameRules()
    {
        var options = new SlurmBatchSystemOptions { WorkerCommand = [" "], PollInterval = TimeSpan.Zero, CoalesceMaxJobs = 1 };
        var failures = new SlurmBatchSystemOptionsValidator().Validate(null, options).Failures;

        var create = () => new SlurmBatchSystem(Options.Create(options));

        failures.Should().HaveCount(3);
        create.Should().Throw<ArgumentException>().Which.Message.Should().ContainAll(failures);
    }
}
