using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Deferred;

internal static partial class DeferredLog
{
    [LoggerMessage(1, LogLevel.Error, "Deferred function '{Name}' of worker {WorkerId} failed; it is not run again")]
    public static partial void FunctionFailed(ILogger logger, Exception exception, string name, string workerId);

    [LoggerMessage(2, LogLevel.Error, "Deferred function '{Name}' of worker {WorkerId} timed out after {Timeout}; it is not run again")]
    public static partial void FunctionTimedOut(ILogger logger, Exception exception, string name, string workerId, TimeSpan timeout);

    [LoggerMessage(3, LogLevel.Error, "Persisted deferred call '{Name}' of worker {WorkerId} cannot run; set aside in {SetAsidePath}")]
    public static partial void SetAside(ILogger logger, DeferredFunctionException exception, string name, string workerId, string setAsidePath);

    [LoggerMessage(4, LogLevel.Error, "Deferred state file {StatePath} is corrupt; moved to {SetAsidePath} (null: left in place for a later attempt)")]
    public static partial void Corrupt(ILogger logger, DeferredStateCorruptException exception, string statePath, string? setAsidePath);

    [LoggerMessage(5, LogLevel.Information, "Running {Count} deferred function(s) orphaned by dead worker {WorkerId}")]
    public static partial void RunningOrphans(ILogger logger, int count, string workerId);

    [LoggerMessage(6, LogLevel.Debug, "Running deferred function '{Name}' of worker {WorkerId}")]
    public static partial void Running(ILogger logger, string name, string workerId);

    [LoggerMessage(7, LogLevel.Warning, "Could not close the deferred-function state of worker {WorkerId} cleanly")]
    public static partial void CleanupFailed(ILogger logger, Exception exception, string workerId);

    [LoggerMessage(8, LogLevel.Error, "Could not run the orphaned deferred functions of worker {WorkerId}; its files are kept for a later attempt")]
    public static partial void OrphanFailed(ILogger logger, Exception exception, string workerId);
}
