using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Toil.Runtime.Logging;

/// <summary>
/// Gives the <c>toil-rt</c> category the level the leader asked for, for every provider that has no rule of its own:
/// Toil sets that level on the logger itself, so it governs the worker's own log as well as what is sent. When nothing
/// was asked (no request registered, no <c>TOIL_RT_LOGGING_LEVEL</c>), it adds no rule, so a leader's host keeps its
/// own levels for <c>toil-rt</c>.
/// </summary>
internal sealed class RealtimeLevelFilterSetup(IServiceProvider services) : IConfigureOptions<LoggerFilterOptions>
{
    public void Configure(LoggerFilterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (RealtimeLoggingFromEnvironment.Resolve(services) is { } request)
        {
            options.Rules.Add(new LoggerFilterRule(null, RealtimeLogger.CategoryName, request.MinimumLevel, null));
        }
    }
}
