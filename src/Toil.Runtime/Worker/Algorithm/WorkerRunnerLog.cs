using Microsoft.Extensions.Logging;
using Toil.Runtime.Jobs;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Worker;

/// <summary>The worker's log messages (source-generated; the texts follow Toil's where a user may grep for them).</summary>
internal static partial class WorkerRunnerLog
{
    /// <summary>
    /// The per-job lines of Toil's worker log (banner, start, working on, completed, log location, finished): Debug for the host, which
    /// keeps Information for what an operator acts on, but written into the worker log at Information, where Toil has
    /// them, so a failed job's log read by the leader still shows them (docs/decisions.md, "Quiet by default").
    /// </summary>
    public static bool IsWorkerLogLine(EventId id) => id.Id is 1 or 2 or 4 or 5 or 6 or 11 or 12;

    /// <summary>
    /// Whether the entry is "Working on job", which an in-process run holds back so that the job's next line ("Completed
    /// body", or whatever the job logs first) carries it to the worker log in the same write: one <c>pwrite</c> per chained
    /// job instead of two, the same bytes in the same order, and both in the file before the job's commit
    /// (docs/decisions.md#log-capture).
    /// </summary>
    public static bool IsHeldLine(EventId id) => id.Id == 4;

    // The event IDs of the two lines, as their generated methods log them.
    private static readonly EventId WorkingOnId = new(4, nameof(WorkingOn));
    private static readonly EventId CompletedBodyId = new(6, nameof(CompletedBody));

    [LoggerMessage(1, LogLevel.Debug, "---TOIL WORKER OUTPUT LOG---")]
    public static partial void Banner(ILogger logger);

    [LoggerMessage(2, LogLevel.Debug, "Toil.Runtime {Version} worker running job {JobStoreId} ({JobName}) on host {Host} in {Mode} mode")]
    public static partial void Starting(ILogger logger, string version, string jobStoreId, string? jobName, string host, WorkerMode mode);

    [LoggerMessage(3, LogLevel.Debug, "Worker options: max log size {MaxLogFileSize}, clean work dir {CleanWorkDir}, chaining disabled {DisableChaining}, temp dir {TempDirectory}, coordination dir {CoordinationDirectory}")]
    public static partial void Options(ILogger logger, long maxLogFileSize, CleanWorkDirPolicy cleanWorkDir, bool disableChaining, string tempDirectory, string coordinationDirectory);

    /// <summary>"Working on job {Job}" (Toil's text), written by a run's logger without making the message string.</summary>
    public static void WorkingOn(ILogger logger, JobDescription job)
    {
        if (logger is not RunTeeLogger tee || !tee.TryWriteFileOnly(LogLevel.Debug, WorkingOnId, "Working on job ", job.ToString()))
        {
            WorkingOnEntry(logger, job);
        }
    }

    [LoggerMessage(EventId = 4, EventName = nameof(WorkingOn), Level = LogLevel.Debug, Message = "Working on job {Job}")]
    private static partial void WorkingOnEntry(ILogger logger, JobDescription job);

    [LoggerMessage(5, LogLevel.Debug, "No user job to run, so finishing")]
    public static partial void NoBody(ILogger logger);

    /// <summary>"Completed body for {Job}" (Toil's text), written by a run's logger without making the message string.</summary>
    public static void CompletedBody(ILogger logger, JobDescription job)
    {
        if (logger is not RunTeeLogger tee || !tee.TryWriteFileOnly(LogLevel.Debug, CompletedBodyId, "Completed body for ", job.ToString()))
        {
            CompletedBodyEntry(logger, job);
        }
    }

    [LoggerMessage(EventId = 6, EventName = nameof(CompletedBody), Level = LogLevel.Debug, Message = "Completed body for {Job}")]
    private static partial void CompletedBodyEntry(ILogger logger, JobDescription job);

    [LoggerMessage(7, LogLevel.Debug, "Not chaining from job {Job}: {Reason}")]
    public static partial void NotChaining(ILogger logger, JobDescription job, string reason);

    [LoggerMessage(8, LogLevel.Debug, "Chaining from {Predecessor} to {Successor}")]
    public static partial void Chaining(ILogger logger, JobDescription predecessor, string successor);

    [LoggerMessage(9, LogLevel.Critical, "Worker crashed with traceback:")]
    public static partial void Crashed(ILogger logger, Exception exception);

    [LoggerMessage(10, LogLevel.Error, "Exiting the worker because of a failed job on host {Host}")]
    public static partial void ExitingOnFailure(ILogger logger, string host);

    [LoggerMessage(11, LogLevel.Debug, "Worker log can be found at {TempDirectory}. Set CleanWorkDir to retain this log")]
    public static partial void LogLocation(ILogger logger, string tempDirectory);

    [LoggerMessage(12, LogLevel.Debug, "Finished running the chain of jobs on this node, we ran for a total of {Seconds} seconds")]
    public static partial void Finished(ILogger logger, double seconds);

    [LoggerMessage(13, LogLevel.Debug, "Removed {Count} successors of {Job} that no longer exist")]
    public static partial void DroppedSuccessors(ILogger logger, int count, JobDescription job);

    [LoggerMessage(14, LogLevel.Information, "Restarting checkpoint {Job}: deleted {Count} jobs of its subtree")]
    public static partial void CheckpointRestarted(ILogger logger, JobDescription job, int count);

    [LoggerMessage(15, LogLevel.Debug, "Deleted {Count} checkpoint files of completed checkpoint {Job}")]
    public static partial void CheckpointFilesDeleted(ILogger logger, int count, JobDescription job);

    [LoggerMessage(16, LogLevel.Error, "The commit chain of job {JobStoreId} failed")]
    public static partial void CommitFailed(ILogger logger, Exception exception, string jobStoreId);

    [LoggerMessage(17, LogLevel.Error, "Job {JobStoreId} no longer exists after its failed attempt; no log is stored for it")]
    public static partial void FailedJobVanished(ILogger logger, string jobStoreId);

    [LoggerMessage(18, LogLevel.Error, "Could not store the worker log of failed job {JobStoreId}")]
    public static partial void LogUploadFailed(ILogger logger, Exception exception, string jobStoreId);

    [LoggerMessage(19, LogLevel.Error, "Could not write the worker's stats for job {JobStoreId}")]
    public static partial void StatsFailed(ILogger logger, Exception exception, string jobStoreId);

    [LoggerMessage(20, LogLevel.Warning, "Could not remove the worker temporary directory {TempDirectory}")]
    public static partial void CleanupFailed(ILogger logger, Exception exception, string tempDirectory);

    [LoggerMessage(21, LogLevel.Error, "Could not delete the finished job records of {JobStoreId}")]
    public static partial void DeleteFailed(ILogger logger, Exception exception, string jobStoreId);

    [LoggerMessage(22, LogLevel.Warning, "Chaos (badWorker): this worker will be killed within {Delay}")]
    public static partial void ChaosArmed(ILogger logger, TimeSpan delay);

    [LoggerMessage(23, LogLevel.Warning, "Chaos (badWorker): the in-process run of {JobStoreId} was aborted; nothing more is committed")]
    public static partial void ChaosCrashed(ILogger logger, string jobStoreId);

    [LoggerMessage(28, LogLevel.Warning, "The leader that launched this worker ({Leader}) is gone; job {JobStoreId} is left to the next leader (docs/decisions.md#restart-fence)")]
    public static partial void LeaderGone(ILogger logger, string jobStoreId, string leader);

    [LoggerMessage(24, LogLevel.Error, "The worker could not set up its directories or log for job {JobStoreId}")]
    public static partial void SetupFailed(ILogger logger, Exception exception, string jobStoreId);

    [LoggerMessage(25, LogLevel.Warning, "Job {Job} has an invalid requested cores value {Cores}; its CPU use is not checked")]
    public static partial void InvalidCores(ILogger logger, double cores, JobDescription job);

    [LoggerMessage(26, LogLevel.Debug, "Worker {Request}")]
    public static partial void RealtimeLogging(ILogger logger, RealtimeLoggingRequest request);

    [LoggerMessage(27, LogLevel.Warning, "Could not spool the worker's stats to its temporary directory; the rest of the chain's stats are kept in memory")]
    public static partial void StatsSpoolFailed(ILogger logger, Exception exception);

    [LoggerMessage(29, LogLevel.Warning, "Could not write the worker log into the kept temporary directory {TempDirectory}")]
    public static partial void KeepLogFailed(ILogger logger, Exception exception, string tempDirectory);

    [LoggerMessage(30, LogLevel.Warning, "The deferred-function manager failed to close; functions it held may run later, as a killed worker's (docs/decisions.md#deferred-functions)")]
    public static partial void DeferredCloseFailed(ILogger logger, Exception exception);
}
