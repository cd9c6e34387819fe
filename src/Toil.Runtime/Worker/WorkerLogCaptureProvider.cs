using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Worker;

/// <summary>
/// A logger provider that writes every entry logged while a worker run is active, in that run's asynchronous flow, into
/// the run's worker log (<c>worker_log.txt</c>, DESIGN D6). <c>AddToilRuntime</c> registers it, so a job's own
/// <see cref="ILogger{TCategoryName}"/> from DI is captured like <c>JobContext.Logger</c>. Outside a run it does nothing.
/// The host's logging filters apply before it (by default, Information and above).
/// </summary>
public sealed class WorkerLogCaptureProvider : ILoggerProvider
{
    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new CaptureLogger(categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class CaptureLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && WorkerLogCapture.Current is { } t && logLevel >= t.Level;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (logLevel == LogLevel.None || WorkerLogCapture.Current is not { } target || logLevel < target.Level)
            {
                return;
            }

            try
            {
                target.File.Write(target.Time.GetUtcNow(), logLevel, category, formatter(state, exception), exception);
            }
            catch (IOException)
            {
                // Logging never fails the job.
            }
            catch (ObjectDisposedException)
            {
                // Work the run started logged after it ended.
            }
        }
    }
}
