using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Toil.Runtime.Authoring;
using Toil.Runtime.Deferred;
using Toil.Runtime.Logging;
using Toil.Runtime.Worker;

#pragma warning disable IDE0130 // The conventional namespace for IServiceCollection extensions.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers Toil.Runtime in a service collection.</summary>
public static class ToilRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Adds the worker runtime: <see cref="IWorkerRunner"/>, the job-type registry and the default body invoker, the
    /// deferred-function registry and the file-backed manager factory, <see cref="TimeProvider.System"/>, and
    /// <see cref="WorkerOptions"/> validated on start, and <see cref="HostLogCaptureProvider"/> so that what jobs log
    /// through the host's loggers lands in their run's worker log. Register job types with <c>AddToilJob</c>. Every registration
    /// is a <c>TryAdd</c>, so calling it twice, or registering your own implementation first, is harmless.
    /// </summary>
    /// <remarks>
    /// Real-time logging: the <c>TOIL_RT_LOGGING_LEVEL</c> and <c>TOIL_RT_LOGGING_ADDRESS</c> variables of a worker the
    /// leader started are read when the container first needs them (an <c>IConfigureOptions</c>, validated on start),
    /// not at this call, so an environment or registrations made later count. With the level variable, each job's
    /// <c>JobContext.RealtimeLogger</c> (and the <see cref="RealtimeLogger"/> service jobs may inject) sends to the leader
    /// at that level, which also becomes the <c>toil-rt</c> level of every provider. Without it nothing is sent, no
    /// filter rule is added, and the real-time logger passes critical records only, into the worker log. To choose the
    /// settings yourself, call <c>AddLogging(b =&gt; b.AddToilRealtimeLogging(settings))</c>, before or after.
    /// A malformed variable fails the host's start (<see cref="UnknownLogLevelException"/>, <see cref="FormatException"/>).
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configureWorker">Configures the worker options, or <see langword="null"/> for the defaults.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddToilRuntime(this IServiceCollection services, Action<WorkerOptions>? configureWorker = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptionsWithValidateOnStart<WorkerOptions, WorkerOptionsValidator>();
        if (configureWorker is not null)
        {
            options.Configure(configureWorker);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, HostLogCaptureProvider>());
        services.AddRealtimeLoggingFromEnvironment();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DeferredFunctionRegistry>();
        services.TryAddSingleton<IDeferredFunctionManagerFactory>(sp => new DeferredFunctionManagerFactory(
            sp.GetRequiredService<DeferredFunctionRegistry>(),
            sp,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton<IWorkerRunner>(sp => new WorkerRunner(
            sp.GetRequiredService<IJobBodyInvoker>(),
            sp.GetRequiredService<IDeferredFunctionManagerFactory>(),
            sp.GetRequiredService<IOptions<WorkerOptions>>(),
            sp,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>(),
            RealtimeLoggingFromEnvironment.Resolve(sp)));
        return services.AddToilJobRuntime();
    }
}
