using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Leader.Progress;

/// <summary>The progress feature's log messages (source-generated).</summary>
internal static partial class ProgressLog
{
    [LoggerMessage(EventId = 60, Level = LogLevel.Warning, Message = "A workflow observer ({Observer}) threw; the run goes on")]
    public static partial void ObserverFailed(ILogger logger, Exception exception, string observer);

    [LoggerMessage(EventId = 61, Level = LogLevel.Warning, Message = "The workflow observers did not take the run's last events within {Bound}; the run ends without waiting for them")]
    public static partial void ObserversSlow(ILogger logger, TimeSpan bound);

    [LoggerMessage(EventId = 62, Level = LogLevel.Information, Message = "Wrote the run's timeline to {Path}")]
    public static partial void TimelineWritten(ILogger logger, string path);

    [LoggerMessage(EventId = 63, Level = LogLevel.Warning, Message = "Could not write the run's timeline to {Path}")]
    public static partial void TimelineFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 64, Level = LogLevel.Warning, Message = "The run's timeline was asked for next to the job store, but the store {Locator} is not a file job store; give LeaderOptions.TimelinePath")]
    public static partial void TimelineNoPlace(ILogger logger, string locator);
}
