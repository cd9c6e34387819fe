using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Worker;

/// <summary>
/// The logger of one run: every entry goes to the host's logger (as the host configured it) and, at or above the
/// worker's level, to the worker log. The host's console is never touched (docs/decisions.md#log-capture).
/// </summary>
/// <remarks>Entries that <paramref name="workerLogLine"/> picks are written into the worker log at Information whatever
/// their level (Toil's per-job lines, at Debug for the host: <see cref="WorkerRunnerLog.IsWorkerLogLine"/>). Entries that
/// <paramref name="heldLine"/> picks are held back to reach the file with its next write
/// (<see cref="WorkerLogFile.WriteEntry"/> with <c>hold</c>; <see cref="WorkerRunnerLog.IsHeldLine"/>).</remarks>
internal sealed class RunTeeLogger(ILogger host, WorkerLogFile? file, LogLevel fileLevel, string category, TimeProvider time, Func<EventId, bool>? workerLogLine = null, Func<EventId, bool>? heldLine = null) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => host.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) =>
        host.IsEnabled(logLevel) || FileEnabled(logLevel) || (workerLogLine is not null && logLevel == LogLevel.Debug && FileEnabled(LogLevel.Information));

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (host.IsEnabled(logLevel))
        {
            // The run writes its own entries below; a capture provider among the host's must not write them again.
            AmbientWorkerLog.Forward(host, logLevel, eventId, state, exception, formatter);
        }

        if (FileEntryLevel(logLevel, eventId) is { } fileEntryLevel)
        {
            WriteFile(fileEntryLevel, eventId, formatter(state, exception), string.Empty, exception);
        }
    }

    /// <summary>
    /// Writes an entry whose message is <paramref name="prefix"/> followed by <paramref name="text"/> to the worker log
    /// only, without making the message string, when the host's logger takes no entry at <paramref name="logLevel"/>.
    /// </summary>
    /// <returns><see langword="false"/> when the host's logger wants the entry: the caller then logs it as usual.</returns>
    public bool TryWriteFileOnly(LogLevel logLevel, EventId eventId, string prefix, string text)
    {
        if (host.IsEnabled(logLevel))
        {
            return false;
        }

        if (FileEntryLevel(logLevel, eventId) is { } fileEntryLevel)
        {
            WriteFile(fileEntryLevel, eventId, prefix, text, exception: null);
        }

        return true;
    }

    /// <summary>The level an entry is written to the worker log at (Toil's per-job lines at Information), or null when the log takes none.</summary>
    private LogLevel? FileEntryLevel(LogLevel logLevel, EventId eventId)
    {
        LogLevel level = logLevel == LogLevel.Debug && workerLogLine is not null && workerLogLine(eventId) ? LogLevel.Information : logLevel;
        return FileEnabled(level) ? level : null;
    }

    /// <summary>Writes (or holds back, for <paramref name="eventId"/>s that <c>heldLine</c> picks) one entry into the worker log.</summary>
    private void WriteFile(LogLevel level, EventId eventId, string message, string messageTail, Exception? exception)
    {
        try
        {
            file!.WriteEntry(time, level, category, message, messageTail, exception, hold: heldLine is not null && heldLine(eventId));
        }
        catch (IOException)
        {
            // A full disk must not turn a log line into a job failure; the leader still gets the stats.
        }
        catch (ObjectDisposedException)
        {
            // A background task of the job logged after the run ended.
        }
    }

    private bool FileEnabled(LogLevel level) => file is not null && level != LogLevel.None && level >= fileLevel;
}
