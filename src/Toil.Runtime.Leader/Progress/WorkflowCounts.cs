using System.Runtime.InteropServices;

namespace Toil.Runtime.Leader.Progress;

/// <summary>A snapshot of a run's counts, carried by every <see cref="WorkflowProgress"/> event.</summary>
/// <param name="Pending">Jobs the leader tracks and has not issued: waiting on successors, ready, or backing off.</param>
/// <param name="Issued">Attempts issued and not yet ended (queued or running in the batch system).</param>
/// <param name="Running">Attempts the batch system reported running at the leader's last look.</param>
/// <param name="Done">Issued jobs that finished (chained jobs are counted in <paramref name="Chained"/>).</param>
/// <param name="Failed">Jobs that failed for good.</param>
/// <param name="Chained">Jobs the workers ran chained after an issued job.</param>
/// <param name="Retries">Re-issued attempts (after a failed attempt, or a checkpoint re-run).</param>
/// <param name="FailedAttempts">Attempts that failed (each charged a try).</param>
/// <param name="DroppedEvents">Events not delivered to the observers because they fell behind (the oldest are dropped).</param>
[StructLayout(LayoutKind.Auto)]
public readonly record struct WorkflowCounts(
    int Pending,
    int Issued,
    int Running,
    int Done,
    int Failed,
    long Chained,
    int Retries,
    int FailedAttempts,
    long DroppedEvents)
{
    /// <summary>Gets the jobs done so far, issued and chained.</summary>
    public long JobsDone => Done + Chained;
}
