using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;
using Toil.Runtime.Benchmarks.Worker;

[assembly: ToilJobModule(typeof(Toil.Runtime.Benchmarks.LocalProcess.LocalProcessBenchJobs))]

namespace Toil.Runtime.Benchmarks.LocalProcess;

/// <summary>
/// Makes this assembly a job assembly for <c>toil worker</c> (the JIT rows of <see cref="LocalProcessFanOutWorkload"/>):
/// it registers <see cref="TrivialJob"/>.
/// </summary>
public sealed class LocalProcessBenchJobs : IToilJobModule
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services) => services.AddToilJob<TrivialJob>();
}
