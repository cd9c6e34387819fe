using Microsoft.Extensions.Logging;

namespace HelloWorkflow;

/// <summary>Prints the leader's messages (its progress, and what jobs told it) as one line each: <c>level: message</c>.</summary>
/// <param name="output">Where the lines go.</param>
public sealed class ProgressLoggerProvider(TextWriter output) : ILoggerProvider
{
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith("Toil.Runtime.Leader", StringComparison.Ordinal) ? new Printer(this) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Printer(ProgressLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            // The leader has already escaped job-chosen text in the message.
            string line = $"{logLevel.ToString().ToLowerInvariant()}: {formatter(state, exception)}";
            lock (owner._lock)
            {
                owner.Output.WriteLine(line);
            }
        }
    }

    private TextWriter Output => output;
}
