using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Leader.Scheduling;

/// <summary>The leader's log messages (source-generated). Job-chosen text arrives escaped, its original as <c>Original*</c>.</summary>
internal static partial class LeaderLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Starting the workflow in {Locator} (root job {RootJobId}) on the {BatchSystem} batch system")]
    public static partial void Starting(ILogger logger, string locator, string rootJobId, string batchSystem);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Restart clean-up: {Unreachable} unreachable job(s) removed, {Checkpoints} checkpoint(s) restarted, {Changed} job(s) reset")]
    public static partial void Cleaned(ILogger logger, int unreachable, int checkpoints, int changed);

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "The workflow finished; {Stranded} job record(s) of commits that never finished removed")]
    public static partial void StrandedRemoved(ILogger logger, int stranded);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Issued {JobName} {JobStoreId} as batch job {BatchJobId}")]
    public static partial void Issued(ILogger logger, string jobName, string jobStoreId, long batchJobId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Batch job {BatchJobId} ({JobStoreId}) ended with exit code {ExitCode} ({ExitReason})")]
    public static partial void Ended(ILogger logger, long batchJobId, string jobStoreId, int exitCode, Jobs.BatchJobExitReason exitReason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Job {Job} failed with exit code {ExitCode} ({ExitReason}); {RemainingTries} tries left, retrying after {Backoff}")]
    public static partial void AttemptFailed(ILogger logger, string job, int exitCode, Jobs.BatchJobExitReason exitReason, int remainingTries, TimeSpan backoff);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Job {Job} failed for good: {Reason}")]
    public static partial void TotallyFailed(ILogger logger, string job, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "The job seems to have left a log file, indicating failure: {Job}")]
    public static partial void LeftLogFile(ILogger logger, string job);

#pragma warning disable SYSLIB1015 // OriginalLog is a structured property only: the message shows the escaped text.
    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "{FramedLog}")]
    public static partial void FailedJobLog(ILogger logger, string framedLog, string jobStoreId, string originalLog);

    [LoggerMessage(EventId = 9, Message = "Got message from job at time {Time}: {Text}")]
    public static partial void JobMessage(ILogger logger, LogLevel level, string time, string text, string originalText);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Log from user stream {Stream}:\n{Text}")]
    public static partial void UserStream(ILogger logger, string stream, string text, string originalStream, string originalText);

    [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "Received Toil worker log. Disable debug level logging to hide this output\n{Text}")]
    public static partial void WorkerLog(ILogger logger, string text, string originalText);

    [LoggerMessage(EventId = 23, Level = LogLevel.Warning, Message = "The batch system reported for job {JobStoreId}:\n{Detail}")]
    public static partial void BatchDetail(ILogger logger, string jobStoreId, string detail, string originalDetail);
#pragma warning restore SYSLIB1015

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "No log file is present, despite job failing: {Job}")]
    public static partial void NoLogFile(ILogger logger, string job);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Job {JobStoreId} has no new version in the job store {Timeout} after its attempt succeeded; counting the attempt as failed")]
    public static partial void NoNewVersion(ILogger logger, string jobStoreId, TimeSpan timeout);

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "Checkpoint {Job}: its subtree failed; re-running it ({RemainingTries} tries left)")]
    public static partial void CheckpointRestart(ILogger logger, string job, int remainingTries);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "Finished toil run successfully ({Completed} jobs completed, {Attempts} attempts, {Elapsed})")]
    public static partial void FinishedSuccessfully(ILogger logger, int completed, int attempts, TimeSpan elapsed);

    [LoggerMessage(EventId = 16, Level = LogLevel.Error, Message = "Finished toil run with {Failed} failed jobs: {Names}")]
    public static partial void FinishedWithFailures(ILogger logger, int failed, string names);

    [LoggerMessage(EventId = 17, Level = LogLevel.Warning, Message = "Stats message could not be read; skipped")]
    public static partial void BadStatsMessage(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 18, Level = LogLevel.Warning, Message = "Successor {JobStoreId} is already done and gone")]
    public static partial void SuccessorGone(ILogger logger, string jobStoreId);

    [LoggerMessage(EventId = 19, Level = LogLevel.Warning, Message = "Batch system reported an unknown job {BatchJobId}; ignored")]
    public static partial void UnknownBatchJob(ILogger logger, long batchJobId);

    [LoggerMessage(EventId = 20, Level = LogLevel.Error, Message = "Workflow bookkeeping was inconsistent at the end ({Waiting} job(s) still waiting on successors); they are reported as failed")]
    public static partial void Inconsistent(ILogger logger, int waiting);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "Could not write the log of failed job {JobStoreId} to {Directory}")]
    public static partial void WriteLogFailed(ILogger logger, Exception exception, string jobStoreId, string directory);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Real-time logging server listening; workers send to {Address}")]
    public static partial void RealtimeStarted(ILogger logger, string address);

    [LoggerMessage(EventId = 45, Level = LogLevel.Information, Message = "An attempt of job {JobStoreId} lost an optimistic-concurrency race to another writer of its record (record moved on: {MovedOn}); the leader follows the record as stored")]
    public static partial void ConcurrentModification(ILogger logger, string jobStoreId, bool movedOn);

    [LoggerMessage(EventId = 46, Level = LogLevel.Warning, Message = "Restart fence: killed worker process {ProcessId} an earlier leader left running ({Directory}); its job is redone")]
    public static partial void EarlierWorkerKilled(ILogger logger, int processId, string directory);

    [LoggerMessage(EventId = 47, Level = LogLevel.Warning, Message = "Restart fence: could not kill worker process {ProcessId} of an earlier leader ({Directory}): {Reason}")]
    public static partial void EarlierWorkerNotKilled(ILogger logger, int processId, string directory, string reason);

    [LoggerMessage(EventId = 48, Level = LogLevel.Error, Message = "Restart fence: a worker of an earlier leader still holds {Directory} after {Bound}; the clean-up goes on and may race its commits")]
    public static partial void EarlierWorkerOutlived(ILogger logger, string directory, TimeSpan bound);
}
