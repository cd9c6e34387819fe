using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Toil.Runtime.Logging;

namespace Microsoft.Extensions.Logging;

/// <summary>Adds the worker side of Toil real-time logging to an <see cref="ILoggingBuilder"/>.</summary>
public static class ToilRealtimeLoggingBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="RealtimeLoggerProvider"/> configured from the process environment (read once, now), the
    /// <c>toil-rt</c> level for every provider, and a <see cref="RealtimeLogger"/> for job code. Calling it again is harmless.
    /// </summary>
    /// <param name="builder">The logging builder.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="UnknownLogLevelException"><c>TOIL_RT_LOGGING_LEVEL</c> holds an unknown name.</exception>
    /// <exception cref="FormatException"><c>TOIL_RT_LOGGING_ADDRESS</c> is malformed.</exception>
    public static ILoggingBuilder AddToilRealtimeLogging(this ILoggingBuilder builder) =>
        builder.AddToilRealtimeLogging(RealtimeLoggingSettings.FromEnvironment());

    /// <summary>
    /// Adds a <see cref="RealtimeLoggerProvider"/> with the given settings, the <c>toil-rt</c> level for every provider
    /// (so records below it reach neither the leader nor the worker's own log), and a <see cref="RealtimeLogger"/> for
    /// job code. Registrations use <c>TryAdd</c>: the first settings registered win.
    /// </summary>
    /// <param name="builder">The logging builder.</param>
    /// <param name="settings">What the leader asked for.</param>
    /// <param name="configure">Configures the provider's options, or <see langword="null"/>.</param>
    /// <returns>The same builder.</returns>
    public static ILoggingBuilder AddToilRealtimeLogging(this ILoggingBuilder builder, RealtimeLoggingSettings settings, Action<RealtimeLoggerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        IServiceCollection services = builder.Services;
        services.TryAddSingleton(settings);
        var options = services.AddOptions<RealtimeLoggerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RealtimeLoggerOptions>, RealtimeLoggerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<LoggerFilterOptions>, RealtimeLevelFilterSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, RealtimeLoggerProvider>(sp =>
            new RealtimeLoggerProvider(sp.GetRequiredService<RealtimeLoggingSettings>(), sp.GetRequiredService<IOptions<RealtimeLoggerOptions>>().Value)));
        services.TryAddSingleton(sp => new RealtimeLogger(sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<RealtimeLoggingSettings>()));
        return builder;
    }
}
