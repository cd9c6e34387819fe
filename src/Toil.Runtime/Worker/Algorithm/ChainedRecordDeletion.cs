using Microsoft.Extensions.Logging;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Worker;

/// <summary>
/// Deletes, in batches of <see cref="WorkerOptions.ChainedRecordDeleteBatch"/>, the records of jobs chained into the
/// issued ID whose bodies ran and whose completion is durable (<c>docs/worker-algorithm.md</c>, "Chained-in records";
/// <c>docs/decisions.md#chaining</c>): every merged name but the owner's and the last, which is the predecessor's own
/// record (its body file stays referenced until the write that chains its successor is durable); with coalesced commits,
/// every merged name before the job the last started write chained in (<see cref="CommitChain.UnreachableCount"/>). The record then lists
/// only names whose records may still exist, so what each commit writes stays bounded instead of growing with the chain.
/// </summary>
/// <remarks>
/// A small state machine: idle, or one batch deleting in the background (with asynchronous commits) while the chain
/// goes on. A batch's names leave the merged list only once it has finished, so a record never stops listing a
/// chained-in record that may still exist; a failed deletion is logged and its names stay, so a later batch retries.
/// </remarks>
/// <param name="batch">How many records make a batch.</param>
/// <param name="background">Whether a batch is deleted in the background (the run's commits are asynchronous).</param>
/// <param name="hostLogger">Where a failed deletion is logged.</param>
internal sealed class ChainedRecordDeletion(int batch, bool background, ILogger hostLogger)
{
    private Task? _deleting;
    private HashSet<string>? _deletingIds;

    /// <summary>Whether a batch is being deleted in the background.</summary>
    public bool IsDeleting => _deleting is not null;

    /// <summary>Deletes a batch of chained-in records if one is due, before <paramref name="predecessor"/> chains its successor.</summary>
    /// <param name="predecessor">The job about to chain (its merged names list the candidates).</param>
    /// <param name="store">The job store.</param>
    /// <param name="commits">The run's commit chain: the write that recorded the batch done must be durable first.</param>
    /// <param name="token">Cancels the operation.</param>
    /// <returns>A task that completes when the batch is deleted (or, in the background, started).</returns>
    public async ValueTask DeleteDueBatchAsync(JobDescription predecessor, IJobStore store, CommitChain commits, CancellationToken token)
    {
        // A job that never chained has no merged list: a throwaway empty one (nothing to settle or delete) is not kept.
        List<JobNames> merged = predecessor.MergedJobNamesOrNull ?? [];
        if (_deleting is { IsCompleted: true })
        {
            SettleNames(merged, await SettleAsync().ConfigureAwait(false));
        }

        // Only records the last started write made unreachable: with coalesced commits (docs/decisions.md#group-commits)
        // that write may be several jobs behind, and the records after the job it chained in are still referenced.
        int unreachable = commits.UnreachableCount(merged);

        // Most jobs of a chain have fewer candidates than a batch: counted first (an upper bound of the distinct
        // IDs below), they cost no set.
        int candidates = 0;
        for (int i = 0; i < unreachable; i++)
        {
            string id = merged[i].JobStoreId;
            if (id != predecessor.JobStoreId && _deletingIds?.Contains(id) != true)
            {
                candidates++;
            }
        }

        if (candidates == 0 || candidates < batch)
        {
            return;
        }

        var done = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < unreachable; i++)
        {
            string id = merged[i].JobStoreId;
            if (id != predecessor.JobStoreId && _deletingIds?.Contains(id) != true)
            {
                done.Add(id);
            }
        }

        if (done.Count == 0 || done.Count < batch)
        {
            return;
        }

        // One batch in flight at most: the record lists at most two batches' worth of chained-in records.
        if (_deleting is not null)
        {
            SettleNames(merged, await SettleAsync().ConfigureAwait(false));
        }

        // They were recorded done by the last write, which must be durable before their records (and body files) go.
        await commits.WaitAsync(token).ConfigureAwait(false);
        if (background)
        {
            _deletingIds = done;
            _deleting = Task.Run(async () => await store.DeleteJobsAsync(done, CancellationToken.None).ConfigureAwait(false), CancellationToken.None);
            return;
        }

        try
        {
            await store.DeleteJobsAsync(done, token).ConfigureAwait(false);
            SettleNames(merged, done);
        }
#pragma warning disable CA1031 // As at the end of the run, a failed delete must not fail the attempt: the names stay, so a later delete retries.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            WorkerRunnerLog.DeleteFailed(hostLogger, ex, string.Join(", ", done));
        }
    }

    /// <summary>Waits for the background deletion, if any; returns the IDs it deleted, or null when it failed (logged) or there was none.</summary>
    /// <returns>The deleted IDs, or <see langword="null"/>.</returns>
    public async ValueTask<HashSet<string>?> SettleAsync()
    {
        if (_deleting is not { } deleting)
        {
            return null;
        }

        var ids = _deletingIds;
        _deleting = null;
        _deletingIds = null;
        try
        {
            await deleting.ConfigureAwait(false);
            return ids;
        }
#pragma warning disable CA1031 // A failed delete must not fail the attempt: the names stay listed, so a later delete retries.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            WorkerRunnerLog.DeleteFailed(hostLogger, ex, string.Join(", ", ids ?? []));
            return null;
        }
    }

    private static void SettleNames(List<JobNames> merged, HashSet<string>? deleted)
    {
        if (deleted is not null)
        {
            // The last entry is the running job's own record, never part of a finished batch.
            var last = merged[^1];
            merged.RemoveAll(n => !ReferenceEquals(n, last) && deleted.Contains(n.JobStoreId));
        }
    }
}
