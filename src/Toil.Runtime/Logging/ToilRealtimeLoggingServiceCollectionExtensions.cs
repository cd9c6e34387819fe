using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Toil.Runtime.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the leader side of Toil real-time logging to an <see cref="IServiceCollection"/>.</summary>
public static class ToilRealtimeLoggingServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="RealtimeLoggingServer"/> (not started), its validated options, and a logging rule
    /// that lets every re-emitted <c>toil-rt</c> record through whatever the leader's own level (the worker already
    /// filtered; rules a provider has of its own still apply). Calling it again is harmless.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the options, or <see langword="null"/>.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddToilRealtimeLoggingServer(this IServiceCollection services, Action<RealtimeLoggingServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptionsWithValidateOnStart<RealtimeLoggingServerOptions, RealtimeLoggingServerOptionsValidator>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<LoggerFilterOptions>, RealtimeReemissionFilterSetup>());
        services.TryAddSingleton<RealtimeLoggingServer>();
        return services;
    }
}
