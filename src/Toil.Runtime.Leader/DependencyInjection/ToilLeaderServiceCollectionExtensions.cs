using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Toil.Runtime.Deferred;
using Toil.Runtime.Leader.BatchSystems;
using Toil.Runtime.Leader.Workflows;
using Toil.Runtime.Worker;

#pragma warning disable IDE0130 // The conventional namespace for IServiceCollection extensions.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the Toil leader in a service collection.</summary>
public static class ToilLeaderServiceCollectionExtensions
{
    /// <summary>
    /// Adds the leader: <see cref="IWorkflowRunner"/>, <see cref="LeaderOptions"/> and
    /// <see cref="InProcessBatchSystemOptions"/> validated on start, the worker runtime (<c>AddToilRuntime</c>), and the
    /// <see cref="InProcessBatchSystem"/> as the default <see cref="IBatchSystem"/> (a new one per run; register your own
    /// <see cref="IBatchSystem"/> as transient first to replace it). Every registration is a <c>TryAdd</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the leader, or <see langword="null"/> for the defaults.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddToilLeader(this IServiceCollection services, Action<LeaderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddToilRuntime();
        var leader = services.AddOptionsWithValidateOnStart<LeaderOptions, LeaderOptionsValidator>();
        if (configure is not null)
        {
            leader.Configure(configure);
        }

        services.AddOptionsWithValidateOnStart<InProcessBatchSystemOptions, InProcessBatchSystemOptionsValidator>();
        services.TryAddTransient<IBatchSystem>(sp => new InProcessBatchSystem(
            sp.GetRequiredService<IWorkerRunner>(),
            sp.GetRequiredService<IOptions<InProcessBatchSystemOptions>>(),
            sp.GetService<IOptions<WorkerOptions>>(),
            sp.GetService<DeferredFunctionRegistry>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<InProcessBatchSystem>>()));
        services.TryAddSingleton<IWorkflowRunner, WorkflowRunner>();
        return services;
    }

    /// <summary>
    /// Makes the <see cref="LocalProcessBatchSystem"/> the leader's batch system: each job a worker process (replaces any
    /// <see cref="IBatchSystem"/> registered before; a new one per run). Call it before or after <see cref="AddToilLeader"/>.
    /// Options left unset come from the container: <see cref="LocalProcessBatchSystemOptions.DeferredFunctions"/> from
    /// its <see cref="DeferredFunctionRegistry"/>, the clock from its <see cref="TimeProvider"/>, and
    /// <see cref="LocalProcessBatchSystemOptions.WorkDirectory"/> and
    /// <see cref="LocalProcessBatchSystemOptions.CoordinationDirectory"/> from <see cref="WorkerOptions"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the worker command and the machine's resources.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddLocalProcessBatchSystem(this IServiceCollection services, Action<LocalProcessBatchSystemOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptionsWithValidateOnStart<LocalProcessBatchSystemOptions, LocalProcessBatchSystemOptionsValidator>().Configure(configure);
        services.RemoveAll<IBatchSystem>();
        services.AddTransient<IBatchSystem>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LocalProcessBatchSystemOptions>>().Value;
            var worker = sp.GetService<IOptions<WorkerOptions>>()?.Value;
            options.WorkDirectory ??= worker?.WorkDir;
            options.CoordinationDirectory ??= worker?.CoordinationDir;
            return new LocalProcessBatchSystem(
                options,
                sp.GetService<DeferredFunctionRegistry>(),
                sp.GetService<TimeProvider>(),
                sp.GetService<ILogger<LocalProcessBatchSystem>>());
        });
        return services;
    }

    /// <summary>Configures the in-process batch system's slots.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the slots.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection ConfigureInProcessBatchSystem(this IServiceCollection services, Action<InProcessBatchSystemOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        return services;
    }
}
