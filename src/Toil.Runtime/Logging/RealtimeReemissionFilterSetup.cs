using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Toil.Runtime.Logging;

/// <summary>
/// On the leader, lets re-emitted <c>toil-rt</c> records through at every level: the worker applied the level the
/// leader asked for, and Toil's server calls <c>handle()</c>, which skips the logger's level. A provider-specific rule
/// beats this one, so a sink's own level (Toil: a handler's level) still applies.
/// </summary>
internal sealed class RealtimeReemissionFilterSetup : IConfigureOptions<LoggerFilterOptions>
{
    public void Configure(LoggerFilterOptions options) =>
        options.Rules.Add(new LoggerFilterRule(null, RealtimeLogger.CategoryName, LogLevel.Trace, null));
}
