using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Logging;

/// <summary>
/// Toil's log line (<c>configure_root_logger</c>): <c>[2026-07-01T19:23:13-0400] [MainThread] [I] [toil-rt] text</c> —
/// the timestamp with its UTC offset and no colon in it, the thread name left-justified to 10 characters, the first
/// letter of the level name, the logger name, the message.
/// </summary>
public static class ToilLogFormat
{
    /// <summary>The level Toil's root logger starts at.</summary>
    public const LogLevel DefaultLevel = LogLevel.Information;

    /// <summary>Formats one line (without a line terminator).</summary>
    /// <param name="timestamp">When the record was created; its offset is printed.</param>
    /// <param name="threadName">The thread name; <see langword="null"/> prints an empty name.</param>
    /// <param name="level">The level (<see cref="LogLevel.None"/> is not a record level).</param>
    /// <param name="loggerName">The logger name (category).</param>
    /// <param name="message">The message.</param>
    /// <returns>The line.</returns>
    public static string FormatLine(DateTimeOffset timestamp, string? threadName, LogLevel level, string loggerName, string message) =>
        $"[{FormatTimestamp(timestamp)}] [{threadName ?? "",-10}] [{ToilLogLevel.GetName(level)[0]}] [{loggerName}] {message}";

    /// <summary>Formats a record a worker sent, with the worker's timestamp (shown in <paramref name="zone"/>) and thread name.</summary>
    /// <param name="record">The record.</param>
    /// <param name="zone">The time zone to show the timestamp in (the leader's, usually <see cref="TimeProvider.LocalTimeZone"/>).</param>
    /// <param name="receivedAt">The timestamp to use if the record carries none.</param>
    /// <returns>The line.</returns>
    public static string FormatLine(RealtimeLogRecord record, TimeZoneInfo zone, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(zone);
        DateTimeOffset at = TimeZoneInfo.ConvertTime(record.Created ?? receivedAt, zone);
        return FormatLine(at, record.ThreadName, record.Level, record.Name, record.ToString());
    }

    /// <summary>Formats a timestamp as Toil does (<c>%Y-%m-%dT%H:%M:%S%z</c>, e.g. <c>2026-07-01T19:23:13-0400</c>).</summary>
    /// <param name="timestamp">The timestamp.</param>
    /// <returns>The text.</returns>
    public static string FormatTimestamp(DateTimeOffset timestamp)
    {
        TimeSpan offset = timestamp.Offset;
        char sign = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        return timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + sign +
               offset.Hours.ToString("00", CultureInfo.InvariantCulture) + offset.Minutes.ToString("00", CultureInfo.InvariantCulture);
    }
}
