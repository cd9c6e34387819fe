using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Worker;

/// <summary>
/// Toil's <c>nextChainable</c> (docs/worker-algorithm.md §3 step 6), with accelerators and walltime compared too (docs/decisions.md#chaining): the single
/// successor a worker may run next in the same allocation, or why not.
/// </summary>
internal static class ChainingRules
{
    /// <summary>Finds the successor of <paramref name="predecessor"/> that may be chained into, loading it from the store.</summary>
    /// <param name="predecessor">The job that just ran (body detached, successors added).</param>
    /// <param name="jobStore">The job store to load the successor from.</param>
    /// <param name="runLocalJobsOnWorkers">Whether a local job may chain into a non-local one.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The successor and <see langword="null"/>, or <see langword="null"/> and the reason it cannot chain.</returns>
    public static async ValueTask<(JobDescription? Successor, string? Reason)> NextChainableAsync(
        JobDescription predecessor, IJobStore jobStore, bool runLocalJobsOnWorkers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predecessor);
        ArgumentNullException.ThrowIfNull(jobStore);
        var next = predecessor.NextSuccessors();
        if (next is null)
        {
            return (null, "it has no successors");
        }

        if (predecessor.HasServices)
        {
            return (null, "it has services");
        }

        if (predecessor is CheckpointJobDescription { Checkpoint: not null })
        {
            return (null, "it is a checkpoint (nothing chains out of one)");
        }

        if (next.Count == 0)
        {
            return (null, "its next phase is empty");
        }

        if (next.Count > 1)
        {
            return (null, $"it has {next.Count} successors in its next phase");
        }

        string successorId = next.First();
        var successor = await jobStore.LoadJobAsync(successorId, cancellationToken).ConfigureAwait(false);
        string? reason = WhyNotChainable(predecessor, successor, runLocalJobsOnWorkers);
        return reason is null ? (successor, null) : (null, reason);
    }

    /// <summary>The rules that compare a predecessor with its single successor (docs/worker-algorithm.md §3 step 6; docs/decisions.md#chaining).</summary>
    /// <param name="predecessor">The job that ran.</param>
    /// <param name="successor">Its single next successor.</param>
    /// <param name="runLocalJobsOnWorkers">Whether a local job may chain into a non-local one.</param>
    /// <returns><see langword="null"/> when the successor may be chained, else the reason.</returns>
    public static string? WhyNotChainable(JobDescription predecessor, JobDescription successor, bool runLocalJobsOnWorkers)
    {
        ArgumentNullException.ThrowIfNull(predecessor);
        ArgumentNullException.ThrowIfNull(successor);
        if (successor.Memory > predecessor.Memory)
        {
            return "the successor needs more memory";
        }

        if (successor.Cores > predecessor.Cores)
        {
            return "the successor needs more cores";
        }

        if (successor.Disk > predecessor.Disk)
        {
            return "the successor needs more disk";
        }

        if (!AcceleratorsCover(predecessor.Accelerators, successor.Accelerators))
        {
            return "the successor needs accelerators the allocation does not have";
        }

        if (!WalltimeCovers(predecessor.Walltime, successor.Walltime))
        {
            return "the successor needs a longer walltime";
        }

        if (successor.Preemptible != predecessor.Preemptible)
        {
            return "preemptibility differs";
        }

        if (successor.PredecessorNumber > 1)
        {
            return "the successor has several predecessors";
        }

        if (successor.HasServices)
        {
            return "the successor has services";
        }

        if (successor is CheckpointJobDescription)
        {
            return "the successor is a checkpoint";
        }

        if (!runLocalJobsOnWorkers && predecessor.Local && !successor.Local)
        {
            return "a local job may not chain into a non-local one";
        }

        return null;
    }

    private static bool AcceleratorsCover(IReadOnlyList<AcceleratorRequirement> offered, IReadOnlyList<AcceleratorRequirement> needed)
    {
        foreach (var need in needed)
        {
            int available = 0;
            foreach (var have in offered)
            {
                if (need.IsSatisfiedBy(have))
                {
                    available += have.Count;
                }
            }

            if (available < need.Count)
            {
                return false;
            }
        }

        return true;
    }

    // Zero means "no limit": an unlimited allocation takes anything; a limited one never takes an unlimited job.
    private static bool WalltimeCovers(TimeSpan offered, TimeSpan needed) =>
        offered == TimeSpan.Zero || (needed != TimeSpan.Zero && needed <= offered);
}
