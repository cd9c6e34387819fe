using Toil.Runtime.Jobs;

namespace Toil.Runtime.Leader.Workflows;

/// <summary>A job that failed for good: its tries were used up, or a successor it waited on failed.</summary>
/// <param name="JobStoreId">The job's ID; the job is kept in the store for inspection and restart.</param>
/// <param name="JobName">The job's name (its registered type name).</param>
/// <param name="DisplayName">The job's display name.</param>
public sealed record FailedJob(string JobStoreId, string JobName, string DisplayName)
{
    /// <summary>Gets the exit code of the job's last attempt; 0 when the job itself never failed (a successor did).</summary>
    public int ExitCode { get; init; }

    /// <summary>Gets why the last attempt ended, as the batch system reported it.</summary>
    public BatchJobExitReason ExitReason { get; init; }

    /// <summary>Gets why the leader gave the job up.</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>Gets the worker log of the job's last failed attempt, when one was stored (as written; not escaped).</summary>
    public string? Log { get; init; }
}
