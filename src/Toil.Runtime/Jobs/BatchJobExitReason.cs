namespace Toil.Runtime.Jobs;

/// <summary>Why a batch system reports a job attempt as ended (Toil's <c>BatchJobExitReason</c>).</summary>
public enum BatchJobExitReason
{
    /// <summary>The reason is not known.</summary>
    Unknown = 0,

    /// <summary>The job ran to completion.</summary>
    Finished,

    /// <summary>The job exited with a failure.</summary>
    Failed,

    /// <summary>The job was lost (for example its node was preempted).</summary>
    Lost,

    /// <summary>The job was killed on request.</summary>
    Killed,

    /// <summary>The batch system had an internal error.</summary>
    Error,

    /// <summary>The job exceeded its memory limit.</summary>
    MemLimit,

    /// <summary>The job exceeded its time limit (its walltime, or the batch system's maximum job duration).</summary>
    MaxJobDuration,

    /// <summary>The attempt's result did not reach the job store in time (Toil's <c>PARTITION</c>): the leader treats it as failed.</summary>
    Partition,
}
