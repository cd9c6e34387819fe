using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Leader.BatchSystems.LocalProcess;

internal static partial class LocalProcessLog
{
    [LoggerMessage(1, LogLevel.Debug, "Attempt {BatchJobId} of job {JobStoreId} ({JobName}) started as process {ProcessId}")]
    public static partial void Started(ILogger logger, long batchJobId, string jobStoreId, string jobName, int processId);

    [LoggerMessage(2, LogLevel.Debug, "Attempt {BatchJobId} ended: exit code {ExitCode}, {Reason}, after {WallTime}")]
    public static partial void Ended(ILogger logger, long batchJobId, int exitCode, Jobs.BatchJobExitReason reason, TimeSpan wallTime);

    [LoggerMessage(3, LogLevel.Error, "Attempt {BatchJobId} of job {JobStoreId}: the worker program '{Program}' could not be started")]
    public static partial void StartFailed(ILogger logger, Exception exception, long batchJobId, string jobStoreId, string program);

    [LoggerMessage(4, LogLevel.Debug, "Killing attempt {BatchJobId} (process {ProcessId}) with SIGTERM; SIGKILL after {GracePeriod}")]
    public static partial void Terminating(ILogger logger, long batchJobId, int processId, TimeSpan gracePeriod);

    [LoggerMessage(5, LogLevel.Warning, "Attempt {BatchJobId} (process {ProcessId}) outlived its {GracePeriod} grace period after SIGTERM; sending SIGKILL")]
    public static partial void Escalating(ILogger logger, long batchJobId, int processId, TimeSpan gracePeriod);

    [LoggerMessage(6, LogLevel.Information, "Ran the deferred functions of dead workers in {Directory}: {Ran} ran, {Failed} failed, {SetAside} set aside")]
    public static partial void OrphansRan(ILogger logger, string directory, int ran, int failed, int setAside);

    [LoggerMessage(7, LogLevel.Warning, "Workers left deferred-function state in {Directory}, but no DeferredFunctions registry is configured; the next worker of the workflow on this machine runs it")]
    public static partial void OrphansLeft(ILogger logger, string directory);

    [LoggerMessage(8, LogLevel.Warning, "The output of attempt {BatchJobId} could not be kept in {Path}")]
    public static partial void OutputFailed(ILogger logger, Exception exception, long batchJobId, string path);

    [LoggerMessage(9, LogLevel.Warning, "The output pipes of attempt {BatchJobId} stayed open {Bound} after its worker exited (a process it started still holds them); their rest is dropped")]
    public static partial void OutputAbandoned(ILogger logger, long batchJobId, TimeSpan bound);

    [LoggerMessage(10, LogLevel.Warning, "Attempt {BatchJobId} (process {ProcessId}) outlived its job's walltime of {Walltime}; stopping it")]
    public static partial void OverWalltime(ILogger logger, long batchJobId, int processId, TimeSpan walltime);

    [LoggerMessage(11, LogLevel.Error, "The worker process {ProcessId} of attempt {BatchJobId} could not be stopped")]
    public static partial void StopFailed(ILogger logger, Exception exception, long batchJobId, int processId);

    [LoggerMessage(12, LogLevel.Debug, "Attempt {BatchJobId} of job {JobStoreId} ({JobName}) handed to the pooled worker process {ProcessId}")]
    public static partial void StartedPooled(ILogger logger, long batchJobId, string jobStoreId, string jobName, int processId);

    [LoggerMessage(13, LogLevel.Debug, "Started pooled worker process {ProcessId} ({Count} of at most {Max})")]
    public static partial void PoolWorkerStarted(ILogger logger, int processId, int count, int max);

    [LoggerMessage(14, LogLevel.Warning, "The pooled worker process could not be started with '{Program}'; the attempt gets a process of its own")]
    public static partial void PoolWorkerStartFailed(ILogger logger, Exception exception, string program);

    [LoggerMessage(15, LogLevel.Debug, "Pooled worker process {ProcessId} left the pool: {Why}")]
    public static partial void PoolWorkerRetired(ILogger logger, int processId, string why);
}
