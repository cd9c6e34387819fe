using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Toil.Runtime.Leader.BatchSystems;
using Toil.Runtime.Slurm;

#pragma warning disable IDE0130 // The conventional namespace for IServiceCollection extensions.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the Slurm batch system. See <c>docs/slurm.md</c>.</summary>
public static class SlurmServiceCollectionExtensions
{
    /// <summary>
    /// Makes the leader run its workers as Slurm jobs: registers <see cref="SlurmBatchSystem"/> as the
    /// <see cref="IBatchSystem"/> (a new one per run; the run shuts it down), replacing the in-process default whether
    /// called before or after <c>AddToilLeader</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options (the worker command, partition, worker-log directory, ...).</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddSlurmBatchSystem(this IServiceCollection services, Action<SlurmBatchSystemOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptionsWithValidateOnStart<SlurmBatchSystemOptions, SlurmBatchSystemOptionsValidator>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.Replace(ServiceDescriptor.Transient<IBatchSystem>(sp => new SlurmBatchSystem(
            sp.GetRequiredService<IOptions<SlurmBatchSystemOptions>>(),
            sp.GetService<ILogger<SlurmBatchSystem>>())));
        return services;
    }
}
