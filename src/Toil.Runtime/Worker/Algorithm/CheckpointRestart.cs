using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Worker;

/// <summary>Toil's <c>restartCheckpoint</c> (docs/worker-algorithm.md §2 step 4): puts a checkpoint job back to its snapshot and deletes its subtree.</summary>
internal static class CheckpointRestart
{
    /// <summary>
    /// Restores the body of <paramref name="checkpoint"/> from its snapshot and writes it (so the body is durable before
    /// anything is deleted); then, if it had successors or services, deletes every descendant that still exists (each
    /// after its own descendants, never the checkpoint itself), clears its dependents and writes it again. The try count
    /// is not touched: the caller charges it.
    /// </summary>
    /// <param name="jobStore">The job store.</param>
    /// <param name="checkpoint">The checkpoint job (the live copy; it is updated in place).</param>
    /// <param name="cancellationToken">Cancels the restart.</param>
    /// <returns>The IDs of the deleted descendants.</returns>
    /// <exception cref="InvalidOperationException">No snapshot was taken, or the attached body differs from the snapshot.</exception>
    public static async ValueTask<IReadOnlyList<string>> RestartCheckpointAsync(IJobStore jobStore, CheckpointJobDescription checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobStore);
        ArgumentNullException.ThrowIfNull(checkpoint);
        var snapshot = checkpoint.Checkpoint ?? throw new InvalidOperationException($"Checkpoint job {checkpoint} has no snapshot to restart from.");
        bool hasDependents = checkpoint.HasSuccessors() || checkpoint.HasServices;
        if (!hasDependents && !checkpoint.HasBody)
        {
            return [];
        }

        if (checkpoint.HasBody)
        {
            if (checkpoint.Body != snapshot)
            {
                throw new InvalidOperationException($"Checkpoint job {checkpoint} has a body that is not its snapshot; refusing to restart it.");
            }
        }
        else
        {
            checkpoint.RestoreCheckpoint();
        }

        await jobStore.UpdateJobAsync(checkpoint, cancellationToken).ConfigureAwait(false);
        if (!hasDependents)
        {
            return [];
        }

        var visited = new HashSet<string>(StringComparer.Ordinal) { checkpoint.JobStoreId };
        var deleted = new List<string>();
        foreach (string id in checkpoint.SuccessorsAndServiceHosts().ToList())
        {
            await DeleteSubtreeAsync(jobStore, id, visited, deleted, cancellationToken).ConfigureAwait(false);
        }

        checkpoint.ClearDependents();
        await jobStore.UpdateJobAsync(checkpoint, cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    private static async ValueTask DeleteSubtreeAsync(IJobStore jobStore, string jobId, HashSet<string> visited, List<string> deleted, CancellationToken cancellationToken)
    {
        if (!visited.Add(jobId))
        {
            return;
        }

        JobDescription job;
        try
        {
            job = await jobStore.LoadJobAsync(jobId, cancellationToken).ConfigureAwait(false);
        }
        catch (NoSuchJobException)
        {
            return;
        }

        foreach (string child in job.SuccessorsAndServiceHosts().ToList())
        {
            await DeleteSubtreeAsync(jobStore, child, visited, deleted, cancellationToken).ConfigureAwait(false);
        }

        await jobStore.DeleteJobAsync(jobId, cancellationToken).ConfigureAwait(false);
        deleted.Add(jobId);

        // Records chained into this one go with it (docs/decisions.md#chaining: no leaked chained-in records).
        foreach (var merged in job.MergedJobNamesOrNull ?? [])
        {
            if (visited.Add(merged.JobStoreId))
            {
                await jobStore.DeleteJobAsync(merged.JobStoreId, cancellationToken).ConfigureAwait(false);
                deleted.Add(merged.JobStoreId);
            }
        }
    }
}
