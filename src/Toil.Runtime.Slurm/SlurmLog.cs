using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Slurm;

/// <summary>The Slurm batch system's log messages.</summary>
internal static partial class SlurmLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Submitted attempt {BatchJobId} ({JobName}) as Slurm job {SlurmJobId}")]
    public static partial void Submitted(ILogger logger, long batchJobId, string jobName, long slurmJobId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Attempt {BatchJobId} (Slurm job {SlurmJobId}) ended {State}: exit code {ExitCode}, {Reason}")]
    public static partial void Ended(ILogger logger, long batchJobId, long slurmJobId, string state, int exitCode, Toil.Runtime.Jobs.BatchJobExitReason reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "A Slurm command failed transiently; retry {Attempt} in {Delay}: {Message}")]
    public static partial void CommandRetried(ILogger logger, int attempt, TimeSpan delay, string message);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Polling Slurm failed; the next poll tries again")]
    public static partial void PollFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Slurm no longer knows job {SlurmJobId} (attempt {BatchJobId}); reporting it lost")]
    public static partial void Vanished(ILogger logger, long slurmJobId, long batchJobId);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Slurm jobs {SlurmJobIds} had not ended {Timeout} after scancel")]
    public static partial void KillTimedOut(ILogger logger, string slurmJobIds, TimeSpan timeout);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Slurm cluster: {Nodes} node(s), largest {Cpus} CPUs and {MemoryMiB} MiB; accounting {Accounting}")]
    public static partial void Cluster(ILogger logger, int nodes, int cpus, long memoryMiB, string accounting);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Restart fence: cancelled Slurm jobs {SlurmJobIds} that an earlier leader of workflow {WorkflowId} left running; their jobs are redone")]
    public static partial void EarlierWorkersCancelled(ILogger logger, string slurmJobIds, string workflowId);
}
