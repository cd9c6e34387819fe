using Toil.Runtime.Leader.Progress;

namespace Toil.Runtime.Leader.Workflows;

/// <summary>How a workflow run ended.</summary>
public sealed record WorkflowResult
{
    /// <summary>Gets whether every job finished (no job failed for good).</summary>
    public bool Succeeded => FailedJobs.Count == 0;

    /// <summary>Gets the jobs that failed for good, in the order the leader gave them up.</summary>
    public required IReadOnlyList<FailedJob> FailedJobs { get; init; }

    /// <summary>Gets the job store's locator.</summary>
    public required string JobStoreLocator { get; init; }

    /// <summary>Gets how many worker attempts the leader issued.</summary>
    public int AttemptsIssued { get; init; }

    /// <summary>Gets how many issued jobs finished and were removed from the store (chained jobs count with their first).</summary>
    public int JobsCompleted { get; init; }

    /// <summary>Gets how many failed attempts were charged a try (each retried unless its tries ran out).</summary>
    public int FailedAttempts { get; init; }

    /// <summary>
    /// Gets how many attempts lost an optimistic-concurrency race on their job's record (worker exit code
    /// <see cref="Toil.Runtime.Worker.WorkerExitCodes.ConcurrentModification"/>): another attempt of the same job updated it
    /// first. Such an attempt is charged no try when the record moved on; the leader follows the record as stored.
    /// </summary>
    public int ConcurrentModifications { get; init; }

    /// <summary>
    /// Gets how many times a checkpoint was re-run because its subtree failed: in this run, and at its start by the restart
    /// clean-up (a checkpoint with a snapshot whose subtree an earlier run left unfinished or failed).
    /// </summary>
    public int CheckpointRestarts { get; init; }

    /// <summary>Gets how many job bodies the workers reported running (from their stats messages; chained jobs included).</summary>
    public long JobBodiesRun { get; init; }

    /// <summary>Gets the run's wall-clock time.</summary>
    public TimeSpan WallTime { get; init; }

    /// <summary>Gets the CPU time this process used during the run (the leader and any in-process workers).</summary>
    public TimeSpan CpuTime { get; init; }

    /// <summary>Gets the CPU time the workers reported in their stats messages (every batch system, chains that finished).</summary>
    public TimeSpan WorkerCpuTime { get; init; }

    /// <summary>
    /// Gets what the run did and where its time went: jobs, chained jobs, retries, failures, the slowest jobs and job
    /// types, and every attempt for the timeline (<see cref="RunSummary.ToText"/>, <see cref="RunSummary.WriteTimelineAsync"/>).
    /// See <c>docs/progress.md</c>.
    /// </summary>
    public RunSummary Summary { get; init; } = new();
}
