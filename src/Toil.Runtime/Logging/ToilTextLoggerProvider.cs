using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Logging;

/// <summary>
/// Writes records as Toil's log lines (<see cref="ToilLogFormat"/>) to a <see cref="TextWriter"/> — a worker log, or
/// the leader's standard error. A record a worker sent (<see cref="RealtimeLogRecord"/> state) shows the worker's
/// timestamp and thread, as on Toil's leader. Text is escaped as <see cref="ToilLogFormat"/> does (see docs/security.md):
/// no record can write a control character or a line that passes as another record. Minimum level and category rules come from the logger factory (Toil's
/// default is INFO, <see cref="ToilLogFormat.DefaultLevel"/>). Thread-safe; a failing writer never throws into the caller.
/// </summary>
[ProviderAlias("ToilText")]
internal sealed class ToilTextLoggerProvider : ILoggerProvider
{
    private readonly TextWriter _writer;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();

    /// <summary>Initializes a new instance of the <see cref="ToilTextLoggerProvider"/> class.</summary>
    /// <param name="writer">Where lines go; the provider does not dispose it.</param>
    /// <param name="timeProvider">The clock and time zone of timestamps, or <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    public ToilTextLoggerProvider(TextWriter writer, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new TextLogger(this, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Write<TState>(string category, LogLevel level, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            DateTimeOffset now = TimeZoneInfo.ConvertTime(_time.GetUtcNow(), _time.LocalTimeZone);
            string line = state is RealtimeLogRecord record
                ? ToilLogFormat.FormatLine(record, _time.LocalTimeZone, now)
                : ToilLogFormat.FormatLine(now, ThreadNames.Current(),
                    level, category, exception is null ? formatter(state, exception) : formatter(state, exception) + "\n" + exception);
            lock (_gate)
            {
                _writer.WriteLine(line);
                _writer.Flush();
            }
        }
#pragma warning disable CA1031 // A log sink never throws into the code that logs.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private sealed class TextLogger(ToilTextLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(category, logLevel, state, exception, formatter);
            }
        }
    }
}
