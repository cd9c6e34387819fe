using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging.Abstractions;
using Toil.Runtime.Logging;

namespace Microsoft.Extensions.Logging;

/// <summary>Adds the worker side of Toil real-time logging to an <see cref="ILoggingBuilder"/>.</summary>
public static class ToilRealtimeLoggingBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="RealtimeLoggerProvider"/> configured from the process environment, the <c>toil-rt</c> level for
    /// every provider, and a <see cref="RealtimeLogger"/> for job code. The variables are read once, when the container
    /// first needs them (the host's start), so an environment set after this call counts; without
    /// <c>TOIL_RT_LOGGING_LEVEL</c> nothing is sent and no level rule is added. A request registered explicitly
    /// (<see cref="AddToilRealtimeLogging(ILoggingBuilder, RealtimeLoggingRequest, Action{RealtimeLoggerProviderOptions}?)"/>),
    /// before or after, win. Calling it again is harmless.
    /// </summary>
    /// <param name="builder">The logging builder.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>A malformed variable fails the host's start: <see cref="UnknownLogLevelException"/> for
    /// <c>TOIL_RT_LOGGING_LEVEL</c>, <see cref="FormatException"/> for <c>TOIL_RT_LOGGING_ADDRESS</c>.</remarks>
    public static ILoggingBuilder AddToilRealtimeLogging(this ILoggingBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRealtimeLoggingFromEnvironment();
        return builder;
    }

    /// <summary>
    /// Adds a <see cref="RealtimeLoggerProvider"/> with the given request, the <c>toil-rt</c> level for every provider
    /// (so records below it reach neither the leader nor the worker's own log), and a <see cref="RealtimeLogger"/> for
    /// job code. Registrations use <c>TryAdd</c>: the first request registered wins, over the environment's too.
    /// </summary>
    /// <param name="builder">The logging builder.</param>
    /// <param name="request">What the leader asked for.</param>
    /// <param name="configure">Configures the provider's options, or <see langword="null"/>.</param>
    /// <returns>The same builder.</returns>
    public static ILoggingBuilder AddToilRealtimeLogging(this ILoggingBuilder builder, RealtimeLoggingRequest request, Action<RealtimeLoggerProviderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(request);
        IServiceCollection services = builder.Services;
        services.TryAddSingleton(request);
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.AddRealtimeLoggingServices();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, RealtimeLoggerProvider>(sp =>
            new RealtimeLoggerProvider(sp.GetRequiredService<RealtimeLoggingRequest>(), sp.GetRequiredService<IOptions<RealtimeLoggerProviderOptions>>().Value)));
        return builder;
    }

    /// <summary>
    /// Registers real-time logging as this process's <c>TOIL_RT_LOGGING_*</c> variables ask, read when the container first
    /// needs them; a request registered explicitly, before or after, wins. <c>AddToilRuntime</c> calls it.
    /// </summary>
    internal static IServiceCollection AddRealtimeLoggingFromEnvironment(this IServiceCollection services)
    {
        services.AddOptions<RealtimeLoggingFromEnvironment>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<RealtimeLoggingFromEnvironment>, RealtimeLoggingEnvironmentSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, EnvironmentRealtimeLoggerProvider>());
        return services.AddRealtimeLoggingServices();
    }

    /// <summary>
    /// The registrations both sources of the request share: the provider's options, the level rule and the
    /// <see cref="RealtimeLogger"/>, over the request <see cref="RealtimeLoggingFromEnvironment.Resolve"/> picks when the
    /// container builds them.
    /// </summary>
    internal static IServiceCollection AddRealtimeLoggingServices(this IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<RealtimeLoggerProviderOptions, RealtimeLoggerProviderOptionsValidator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<LoggerFilterOptions>, RealtimeLevelFilterSetup>());
        services.TryAddSingleton(sp => new RealtimeLogger(
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
            RealtimeLoggingFromEnvironment.Resolve(sp) ?? RealtimeLoggingRequest.Disabled));
        return services;
    }
}
