using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Logging;

internal static partial class RealtimeLoggingLog
{
    [LoggerMessage(1, LogLevel.Information, "Starting real-time logging on {Address}; workers log at {Level}")]
    public static partial void Starting(ILogger logger, string address, string level);

    [LoggerMessage(2, LogLevel.Debug, "Real-time logging disabled (no level)")]
    public static partial void Disabled(ILogger logger);

    [LoggerMessage(3, LogLevel.Warning, "Ignoring nested request to start real-time logging ({Outstanding} starts now need a stop each)")]
    public static partial void NestedStart(ILogger logger, int outstanding);

    [LoggerMessage(4, LogLevel.Information, "Stopping real-time logging server on {Address}")]
    public static partial void Stopping(ILogger logger, string address);

    [LoggerMessage(5, LogLevel.Error, "Malformed log message from {Sender}: {Reason}")]
    public static partial void Malformed(ILogger logger, string sender, string reason);

    [LoggerMessage(6, LogLevel.Error, "Could not re-emit a real-time log record from {Sender}")]
    public static partial void EmitFailed(ILogger logger, Exception exception, string sender);

    [LoggerMessage(7, LogLevel.Warning, "Real-time logging could not receive a datagram; still serving")]
    public static partial void ReceiveFailed(ILogger logger, Exception exception);

    [LoggerMessage(8, LogLevel.Warning, "Dropped {Dropped} real-time log records in the last {Seconds} s from {Senders} sender(s) over the limit of {RecordsPerSecond} records/s (burst {Burst}); most from {TopSender} ({TopDropped})")]
    public static partial void Dropped(ILogger logger, long dropped, long seconds, int senders, double recordsPerSecond, int burst, string topSender, long topDropped);
}
