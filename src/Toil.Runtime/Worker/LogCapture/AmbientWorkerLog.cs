using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Worker;

/// <summary>
/// Which worker log the current asynchronous flow writes to. A run sets it for its duration, so entries that job code
/// logs through the host's <c>ILogger&lt;T&gt;</c> (resolved from DI) reach that run's log through
/// <see cref="HostLogCaptureProvider"/>, and concurrent runs never see each other's entries (docs/decisions.md#failure-state-per-run, docs/decisions.md#log-capture).
/// </summary>
internal static class AmbientWorkerLog
{
    private static readonly AsyncLocal<Target?> CurrentTarget = new();

    [ThreadStatic]
    private static bool t_suppressed;

    public static Target? Current => t_suppressed ? null : CurrentTarget.Value;

    public static IDisposable Begin(WorkerLogFile file, LogLevel level, TimeProvider time)
    {
        var previous = CurrentTarget.Value;
        CurrentTarget.Value = new Target(file, level, time);
        return new Restore(previous);
    }

    /// <summary>Runs a forward to the host's loggers without capturing it again (the run already wrote it).</summary>
    public static void Forward<TState>(ILogger host, LogLevel level, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        bool was = t_suppressed;
        t_suppressed = true;
        try
        {
            host.Log(level, eventId, state, exception, formatter);
        }
        finally
        {
            t_suppressed = was;
        }
    }

    internal sealed record Target(WorkerLogFile File, LogLevel Level, TimeProvider Time);

    private sealed class Restore(Target? previous) : IDisposable
    {
        public void Dispose() => CurrentTarget.Value = previous;
    }
}
