using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Executors.Contained;

internal static partial class ContainedExecutorLog
{
    [LoggerMessage(1, LogLevel.Debug, "Starting executor")]
    public static partial void Starting(ILogger logger);

    [LoggerMessage(2, LogLevel.Error, "Executor requires exactly one base64-encoded argument; got {Count}")]
    public static partial void WrongArgumentCount(ILogger logger, int count);

    [LoggerMessage(3, LogLevel.Error, "Cannot decode the executor payload: {Reason}")]
    public static partial void BadPayload(ILogger logger, string reason);

    [LoggerMessage(4, LogLevel.Debug, "Payload environment: {Names}")]
    public static partial void EnvironmentApplied(ILogger logger, string names);

    [LoggerMessage(5, LogLevel.Debug, "Resource root {Root}")]
    public static partial void ResourceRoot(ILogger logger, string root);

    [LoggerMessage(6, LogLevel.Debug, "Deployed user script {Name} at {Path}")]
    public static partial void ResourceDeployed(ILogger logger, string name, string path);

    [LoggerMessage(7, LogLevel.Debug, "Started child {ProcessId} in its own process group")]
    public static partial void ChildStarted(ILogger logger, int processId);

    [LoggerMessage(8, LogLevel.Information, "Forwarding signal {Signal} to process group {ProcessGroupId}")]
    public static partial void Forwarding(ILogger logger, int signal, int processGroupId);

    [LoggerMessage(9, LogLevel.Warning, "Process group {ProcessGroupId} did not exit within {GracePeriod} of a forwarded signal; sending SIGKILL")]
    public static partial void Escalating(ILogger logger, int processGroupId, TimeSpan gracePeriod);

    [LoggerMessage(10, LogLevel.Debug, "Child exited with code {ExitCode}")]
    public static partial void ChildExited(ILogger logger, int exitCode);

    [LoggerMessage(11, LogLevel.Error, "Encountered exception running child")]
    public static partial void ChildFailed(ILogger logger, Exception exception);

    [LoggerMessage(12, LogLevel.Warning, "Signal {Signal} arrived before the child started; it is not started")]
    public static partial void TerminatedBeforeStart(ILogger logger, int signal);

    [LoggerMessage(13, LogLevel.Debug, "Cleaning up resources")]
    public static partial void CleaningUp(ILogger logger);

    [LoggerMessage(14, LogLevel.Warning, "Could not remove the resource root {Root}")]
    public static partial void CleanupFailed(ILogger logger, string root, Exception exception);

    [LoggerMessage(15, LogLevel.Debug, "Shutting down with exit code {ExitCode}")]
    public static partial void ShuttingDown(ILogger logger, int exitCode);

    [LoggerMessage(16, LogLevel.Error, "Cannot signal process group {ProcessGroupId}")]
    public static partial void SignalFailed(ILogger logger, int processGroupId, Exception exception);

    [LoggerMessage(17, LogLevel.Error, "Invalid executor options: {Failures}")]
    public static partial void InvalidOptions(ILogger logger, string failures);
}
