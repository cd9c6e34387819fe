using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Toil.Runtime.Hosting.Workflows;
using Toil.Runtime.Leader.BatchSystems;
using Toil.Runtime.Leader.Workflows;

#pragma warning disable IDE0130 // The conventional namespace for IServiceCollection extensions.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the Toil leader from configuration and a hosted service that runs a workflow (<c>docs/hosting.md</c>).</summary>
public static class ToilHostingServiceCollectionExtensions
{
    /// <summary>
    /// Adds the leader (<c>AddToilLeader</c>) configured from <paramref name="configuration"/>, the application's
    /// <c>"Toil"</c> section: <c>JobStore</c> (a locator), <c>Leader</c> bound to <see cref="LeaderOptions"/> and
    /// <c>BatchSystem</c> bound to <see cref="InProcessBatchSystemOptions"/>. Each binding is
    /// <c>services.AddOptions&lt;T&gt;().Bind(section)</c>, so code-based <c>Configure</c> calls and the options'
    /// validators compose with it; values are read when the options are first resolved.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The <c>"Toil"</c> configuration section.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddToilLeader(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddToilLeader();
        services.AddOptions<LeaderOptions>()
            .Bind(configuration.GetSection("Leader"))
            .Configure(o => o.JobStore = configuration["JobStore"] ?? o.JobStore);
        services.AddOptions<InProcessBatchSystemOptions>().Bind(configuration.GetSection("BatchSystem"));
        return services;
    }

    /// <summary>
    /// Adds a hosted service that runs one workflow from a new root job <typeparamref name="TJob"/> (or continues the one
    /// in the store, with <see cref="LeaderOptions.Restart"/>) when the host starts, and stops the host when it ends. When
    /// the host stops first (SIGTERM, Ctrl+C), the run is cancelled: running jobs are killed, their deferred functions
    /// run, and the store is left for a restart. The outcome is <see cref="ToilWorkflowRun.Completion"/>.
    /// </summary>
    /// <typeparam name="TJob">The root job type (registered with <c>AddToilJob</c>).</typeparam>
    /// <typeparam name="TInput">The root job's input type.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="input">Creates the root job's input.</param>
    /// <param name="stopApplicationWhenDone">Whether the host stops when the workflow ends (the default), or keeps running.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddToilWorkflow<TJob, TInput>(this IServiceCollection services, Func<IServiceProvider, TInput> input, bool stopApplicationWhenDone = true)
        where TJob : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(input);
        services.TryAddSingleton<ToilWorkflowRun>();
        services.AddHostedService(sp => new ToilWorkflowService<TJob, TInput>(
            sp.GetRequiredService<IWorkflowRunner>(),
            sp.GetRequiredService<ToilWorkflowRun>(),
            () => input(sp),
            stopApplicationWhenDone ? sp.GetService<IHostApplicationLifetime>() : null));
        return services;
    }
}
