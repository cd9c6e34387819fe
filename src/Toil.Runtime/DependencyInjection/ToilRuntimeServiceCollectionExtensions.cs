using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Toil.Runtime.Deferred;
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
    /// <see cref="WorkerOptions"/> validated on start, and <see cref="WorkerLogCaptureProvider"/> so that what jobs log
    /// through the host's loggers lands in their run's worker log. Register job types with <c>AddToilJob</c>. Every registration
    /// is a <c>TryAdd</c>, so calling it twice, or registering your own implementation first, is harmless.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configureWorker">Configures the worker options, or <see langword="null"/> for the defaults.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddToilRuntime(this IServiceCollection services, Action<WorkerOptions>? configureWorker = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<WorkerOptions>();
        if (configureWorker is not null)
        {
            options.Configure(configureWorker);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>());

        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, WorkerLogCaptureProvider>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DeferredFunctionRegistry>();
        services.TryAddSingleton<IDeferredFunctionManagerFactory>(sp => new DeferredFunctionManagerFactory(
            sp.GetRequiredService<DeferredFunctionRegistry>(),
            sp,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton<IWorkerRunner, WorkerRunner>();
        return services.AddToilJobRuntime();
    }
}
