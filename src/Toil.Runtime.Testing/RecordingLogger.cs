using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Testing;

/// <summary>The job's worker log in a test: keeps every entry.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly List<JobTestLogEntry> _entries = [];

    public IReadOnlyList<JobTestLogEntry> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        lock (_entries)
        {
            _entries.Add(new JobTestLogEntry(logLevel, formatter(state, exception), exception));
        }
    }
}
