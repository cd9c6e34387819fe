using Toil.Runtime.Jobs;

namespace Toil.Runtime.Leader.BatchSystems;

/// <summary>How one worker attempt ended (Toil's <c>UpdatedBatchJobInfo</c>).</summary>
/// <param name="BatchJobId">The ID <see cref="IBatchSystem.IssueJobAsync"/> returned.</param>
/// <param name="ExitCode">The worker's exit code: 0 when it succeeded; 137 (128 + SIGKILL) for a killed process.</param>
/// <param name="ExitReason">Why it ended.</param>
public sealed record BatchJobUpdate(long BatchJobId, int ExitCode, BatchJobExitReason ExitReason)
{
    /// <summary>Gets how long the attempt ran, when known.</summary>
    public TimeSpan? WallTime { get; init; }

    /// <summary>Gets the batch system's own words on the attempt (a scheduler's state, an exception's message), when any.</summary>
    public string? Detail { get; init; }

    /// <summary>
    /// Gets files the batch system kept with the worker's own standard output and error (a process's streams before the
    /// worker redirected them), which the leader shows for a failed attempt. Empty when there are none.
    /// </summary>
    public IReadOnlyList<string> OutputFiles { get; init; } = [];
}
