using Microsoft.Extensions.Logging;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Worker;

/// <summary>
/// A logger provider that writes every entry logged while a worker run is active, in that run's asynchronous flow, into
/// the run's worker log (<c>worker_log.txt</c>, docs/decisions.md#log-capture). <c>AddToilRuntime</c> registers it, so a job's own
/// <see cref="ILogger{TCategoryName}"/> from DI is captured like <c>JobContext.Logger</c>. Outside a run it does nothing.
/// The host's logging filters apply before it (by default, Information and above); then the worker's
/// <see cref="WorkerOptions.LogLevel"/>, except for the real-time categories (<c>toil-rt</c>, <c>toil-rt.*</c>), whose
/// level is the leader's alone, as in Toil.
/// </summary>
internal sealed class HostLogCaptureProvider : ILoggerProvider
{
    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new CaptureLogger(categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class CaptureLogger(string category) : ILogger
    {
        private readonly bool _realtime = RealtimeLoggerProvider.IsRealtimeCategory(category);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && AmbientWorkerLog.Current is { } t && Passes(logLevel, t);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (logLevel == LogLevel.None || AmbientWorkerLog.Current is not { } target || !Passes(logLevel, target))
            {
                return;
            }

            try
            {
                target.File.Write(target.Time, logLevel, category, formatter(state, exception), exception);
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

        private bool Passes(LogLevel logLevel, AmbientWorkerLog.Target target) => _realtime || logLevel >= target.Level;
    }
}
