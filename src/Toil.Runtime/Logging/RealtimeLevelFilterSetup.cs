using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Toil.Runtime.Logging;

/// <summary>
/// Gives the <c>toil-rt</c> category the level the leader asked for, for every provider that has no rule of its own:
/// Toil sets that level on the logger itself, so it governs the worker's own log as well as what is sent.
/// </summary>
internal sealed class RealtimeLevelFilterSetup(RealtimeLoggingSettings settings) : IConfigureOptions<LoggerFilterOptions>
{
    public void Configure(LoggerFilterOptions options) =>
        options.Rules.Add(new LoggerFilterRule(null, RealtimeLogger.CategoryName, settings.MinimumLevel, null));
}
