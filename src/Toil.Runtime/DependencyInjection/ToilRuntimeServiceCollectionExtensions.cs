using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
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
    /// Real-time logging: when no <see cref="RealtimeLoggingSettings"/> is registered yet and this process's environment
    /// has <c>TOIL_RT_LOGGING_LEVEL</c> (a worker the leader started), it calls
    /// <see cref="ToilRealtimeLoggingBuilderExtensions.AddToilRealtimeLogging(ILoggingBuilder)"/>, which reads the two
    /// variables now, so each job's <c>JobContext.RealtimeLogger</c> sends to the leader. Without the variable no
    /// provider or filter rule is added, and the job's real-time logger (and the <see cref="RealtimeLogger"/> service
    /// jobs may inject, always registered) passes critical records only, into the worker log. To choose the settings
    /// yourself, call <c>AddLogging(b =&gt; b.AddToilRealtimeLogging(settings))</c> first.
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configureWorker">Configures the worker options, or <see langword="null"/> for the defaults.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="UnknownLogLevelException"><c>TOIL_RT_LOGGING_LEVEL</c> holds an unknown level name.</exception>
    /// <exception cref="FormatException"><c>TOIL_RT_LOGGING_ADDRESS</c> is malformed.</exception>
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

        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, HostLogCaptureProvider>());
        if (!services.Any(d => d.ServiceType == typeof(RealtimeLoggingSettings)) &&
            Environment.GetEnvironmentVariable(RealtimeLoggingSettings.LevelVariable) is not null)
        {
            // Without the variable, registering nothing keeps a leader's host free of a toil-rt filter rule at critical.
            var settings = RealtimeLoggingSettings.FromEnvironment();
            services.AddLogging(b => b.AddToilRealtimeLogging(settings));
        }

        // Jobs may inject RealtimeLogger whatever the environment: without settings it passes critical records only.
        services.TryAddSingleton(sp => new RealtimeLogger(
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
            sp.GetService<RealtimeLoggingSettings>() ?? RealtimeLoggingSettings.Disabled));

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
