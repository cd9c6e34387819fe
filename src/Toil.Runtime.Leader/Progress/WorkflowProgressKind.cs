namespace Toil.Runtime.Leader.Progress;

/// <summary>What happened to a job, as a <see cref="WorkflowProgress"/> event tells it.</summary>
public enum WorkflowProgressKind
{
    /// <summary>The leader issued a worker attempt for the job to the batch system (its first attempt).</summary>
    Issued,

    /// <summary>The batch system started the attempt (seen by the leader's periodic look at the running attempts).</summary>
    Running,

    /// <summary>The job finished and left the store (its whole subtree, when it had successors).</summary>
    Finished,

    /// <summary>An attempt of the job failed; the job is retried unless its tries are used up.</summary>
    Failed,

    /// <summary>The leader issued the job again: after a failed attempt, or a checkpoint re-run after its subtree failed.</summary>
    Retried,

    /// <summary>A worker ran the job chained after another, in the same attempt (named by the worker's stats).</summary>
    Chained,

    /// <summary>The job failed for good: its tries are used up, or a successor it waited on failed.</summary>
    FailedForGood,
}
