using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Toil.Runtime.Logging;

/// <summary>
/// The real-time provider of a worker configured by its environment: a <see cref="RealtimeLoggerProvider"/> over the
/// <c>TOIL_RT_LOGGING_*</c> variables when <c>TOIL_RT_LOGGING_LEVEL</c> is set, and nothing when it is not or when
/// a request was registered explicitly (their own provider sends then, so nothing is sent twice).
/// </summary>
internal sealed class EnvironmentRealtimeLoggerProvider : ILoggerProvider
{
    private readonly RealtimeLoggerProvider? _inner;

    public EnvironmentRealtimeLoggerProvider(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.GetService<RealtimeLoggingRequest>() is null &&
            services.GetRequiredService<IOptions<RealtimeLoggingFromEnvironment>>().Value.Request is { } request)
        {
            _inner = new RealtimeLoggerProvider(request, services.GetRequiredService<IOptions<RealtimeLoggerProviderOptions>>().Value);
        }
    }

    /// <summary>Gets the provider that sends, or <see langword="null"/> when the environment asked for nothing.</summary>
    internal RealtimeLoggerProvider? Inner => _inner;

    public ILogger CreateLogger(string categoryName) => _inner?.CreateLogger(categoryName) ?? NullLogger.Instance;

    public void Dispose() => _inner?.Dispose();
}
