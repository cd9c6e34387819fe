using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Toil.Runtime.Authoring;
using Toil.Runtime.Deferred;
using Toil.Runtime.Tests.Worker;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.DependencyInjection;

[TestFixture]
public sealed class AddToilRuntimeTests
{
    [Test]
    public void AddToilRuntime_CalledTwice_RegistersEachServiceOnce()
    {
        var services = new ServiceCollection().AddToilRuntime().AddToilRuntime(o => o.DisableChaining = true);
        services.Count(d => d.ServiceType == typeof(IWorkerRunner)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IDeferredFunctionManagerFactory)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IValidateOptions<WorkerOptions>)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(TimeProvider)).Should().Be(1);
    }

    [Test]
    public void AddToilRuntime_WithAnInvoker_ResolvesTheRunnerAndTheConfiguredOptions()
    {
        using var provider = new ServiceCollection()
            .AddSingleton<IJobBodyInvoker>(new ScriptedInvoker())
            .AddToilRuntime(o => o.MaxLogFileSize = -1000)
            .BuildServiceProvider();
        provider.GetRequiredService<IWorkerRunner>().Should().BeOfType<WorkerRunner>();
        provider.GetRequiredService<IOptions<WorkerOptions>>().Value.MaxLogFileSize.Should().Be(-1000);
    }

    [Test]
    public void AddToilRuntime_OwnRegistrationFirst_IsKept()
    {
        var mine = new InMemoryDeferredFunctionManagerFactory(new DeferredFunctionRegistry());
        using var provider = new ServiceCollection().AddSingleton<IDeferredFunctionManagerFactory>(mine).AddToilRuntime().BuildServiceProvider();
        provider.GetRequiredService<IDeferredFunctionManagerFactory>().Should().BeSameAs(mine);
    }

    [TestCase("BadWorker")]
    [TestCase("BadWorkerFailInterval")]
    [TestCase("MaxLogFileSize")]
    [TestCase("WorkDir")]
    [TestCase("CoordinationDir")]
    [TestCase("LogLevel")]
    [TestCase("MaxJobsRunListed")]
    [TestCase("ChainedRecordDeleteBatch")]
    public async Task AddToilRuntime_InvalidOptions_FailValidationOnStart(string field)
    {
        using var provider = new ServiceCollection().AddToilRuntime(o =>
        {
            switch (field)
            {
                case "BadWorker": o.BadWorker = 1.5; break;
                case "BadWorkerFailInterval": o.BadWorkerFailInterval = TimeSpan.Zero; break;
                case "MaxLogFileSize": o.MaxLogFileSize = long.MinValue; break;
                case "WorkDir": o.WorkDir = "/no/such/dir/" + Guid.NewGuid().ToString("N"); break;
                case "CoordinationDir": o.CoordinationDir = " "; break;
                case "LogLevel": o.LogLevel = Microsoft.Extensions.Logging.LogLevel.None; break;
                case "MaxJobsRunListed": o.MaxJobsRunListed = -1; break;
                case "ChainedRecordDeleteBatch": o.ChainedRecordDeleteBatch = 0; break;
            }
        }).BuildServiceProvider();

        var validate = () => provider.GetRequiredService<IStartupValidator>().Validate();
        validate.Should().Throw<OptionsValidationException>().WithMessage($"*{field}*");
    }

    [Test]
    public async Task AddToilRuntime_DefaultOptions_AreValid()
    {
        using var provider = new ServiceCollection().AddToilRuntime().BuildServiceProvider();
        var validate = () => provider.GetRequiredService<IStartupValidator>().Validate();
        validate.Should().NotThrow();
    }
}
