using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Logging;

/// <summary>
/// Toil's log line (<c>configure_root_logger</c>): <c>[2026-07-01T19:23:13-0400] [MainThread] [I] [toil-rt] text</c> —
/// the timestamp with its UTC offset and no colon in it, the thread name left-justified to 10 characters, the first
/// letter of the level name, the logger name, the message. Text a job or a worker chose cannot drive the terminal the
/// line is shown on or forge a line of its own: the thread and logger names are escaped onto one line and the message
/// with <see cref="TerminalText.Escape(string?)"/> (the lines of a multi-line message after the first start with
/// <see cref="TerminalText.ContinuationMark"/>).
/// </summary>
internal static class ToilLogFormat
{
    /// <summary>The level Toil's root logger starts at.</summary>
    public const LogLevel DefaultLevel = LogLevel.Information;

    /// <summary>Formats one record (without a line terminator): a line, plus the marked continuation lines of a multi-line message.</summary>
    /// <param name="timestamp">When the record was created; its offset is printed.</param>
    /// <param name="threadName">The thread name, escaped onto one line; <see langword="null"/> prints an empty name.</param>
    /// <param name="level">The level (<see cref="LogLevel.None"/> is not a record level).</param>
    /// <param name="loggerName">The logger name (category), escaped onto one line.</param>
    /// <param name="message">The message, not yet escaped (<see cref="TerminalText.Escape(string?)"/> is applied here).</param>
    /// <returns>The text.</returns>
    public static string FormatLine(DateTimeOffset timestamp, string? threadName, LogLevel level, string loggerName, string message) =>
        $"[{FormatTimestamp(timestamp)}] [{TerminalText.EscapeLine(threadName),-10}] [{ToilLogLevel.GetName(level)[0]}] [{TerminalText.EscapeLine(loggerName)}] {TerminalText.Escape(message)}";

    /// <summary>
    /// Formats a record a worker sent, with the worker's timestamp (shown in <paramref name="zone"/>) and thread name, and
    /// its text as Python's <c>logging.Formatter</c> renders it (message, exception text, stack), escaped.
    /// </summary>
    /// <param name="record">The record.</param>
    /// <param name="zone">The time zone to show the timestamp in (the leader's, usually <see cref="TimeProvider.LocalTimeZone"/>).</param>
    /// <param name="receivedAt">The timestamp to use if the record carries none.</param>
    /// <returns>The line.</returns>
    public static string FormatLine(RealtimeLogRecord record, TimeZoneInfo zone, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(zone);
        DateTimeOffset at = TimeZoneInfo.ConvertTime(record.Created ?? receivedAt, zone);
        return FormatLine(at, record.ThreadName, record.Level, record.Name, record.RawText);
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
