using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Leader.Scheduling;

/// <summary>
/// Toil's <c>clean</c>, run before a leader schedules a workflow it did not just create: unreachable jobs removed (with
/// their journaled files), checkpoints with a snapshot restarted, journaled deletions finished, vanished successors
/// dropped, retries reset and old failure logs deleted, and old stats messages discarded.
/// </summary>
internal static class RestartCleaner
{
    public readonly record struct Outcome(int Unreachable, int CheckpointsRestarted, int Changed);

    /// <summary>
    /// After a workflow succeeded (its root is gone): removes the job records nothing can reach any more, with their
    /// journaled files. They are left by commits that never finished — a worker killed between creating its new jobs and
    /// updating its own record, or one whose update lost to another attempt of the same job (an orphan of a killed leader)
    /// — and a restart's <see cref="CleanAsync"/> would remove them; a finished workflow must not keep them. Also the
    /// directories of IDs reserved for jobs whose creation never finished (a leader or worker killed in between, a full
    /// disk), which have no record at all, and the leftovers of operations killed half way
    /// (docs/reliability.md, "What is checked").
    /// </summary>
    /// <returns>How many records were removed.</returns>
    public static async ValueTask<int> RemoveStrandedAsync(IJobStore store, CancellationToken cancellationToken)
    {
        var stranded = new List<JobDescription>();
        await foreach (var job in store.ListJobsAsync(cancellationToken).ConfigureAwait(false))
        {
            stranded.Add(job);
        }

        foreach (var job in stranded)
        {
            foreach (string fileId in job.FilesToDelete)
            {
                await store.DeleteFileAsync(fileId, cancellationToken).ConfigureAwait(false);
            }

            await store.DeleteJobAsync(job.JobStoreId, cancellationToken).ConfigureAwait(false);
        }

        // IDs reserved for jobs whose creation never finished have a directory but no record.
        // Then what killed processes left half done: trash, stats messages' temp files, unowned promise files
        // (docs/decisions.md#at-least-once).
        int unrecorded = 0;
        if (store is FileJobStore file)
        {
            unrecorded = await file.RemoveUnrecordedJobDirectoriesAsync(cancellationToken).ConfigureAwait(false);
            unrecorded += await file.RemoveLeftoversOfFinishedWorkflowAsync(cancellationToken).ConfigureAwait(false);
        }

        return stranded.Count + unrecorded;
    }

    public static async ValueTask<Outcome> CleanAsync(IJobStore store, string rootId, CancellationToken cancellationToken)
    {
        // Listed before the walk: a worker of the previous leader that is still running (an orphan) may create children
        // and then update their parent while this runs; a job created after the listing is never taken for unreachable.
        // (One created before it whose parent is updated after the walk still is: docs/reliability.md.)
        var all = new List<JobDescription>();
        await foreach (var job in store.ListJobsAsync(cancellationToken).ConfigureAwait(false))
        {
            all.Add(job);
        }

        // Reachable: from the root through every successor phase, services and merged-in (chained) IDs.
        var reachable = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<JobDescription>();
        var pending = new Queue<string>();
        pending.Enqueue(rootId);
        reachable.Add(rootId);
        while (pending.TryDequeue(out string? id))
        {
            JobDescription job;
            try
            {
                job = await store.LoadJobAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (NoSuchJobException)
            {
                continue;
            }

            order.Add(job);
            IEnumerable<string> next = job.SuccessorsAndServiceHosts().Concat(job.ServiceTree.Values.SelectMany(v => v)).Concat(job.MergedJobNames.Select(n => n.JobStoreId));
            foreach (string s in next)
            {
                if (reachable.Add(s))
                {
                    pending.Enqueue(s);
                }
            }
        }

        int unreachable = 0;
        foreach (var job in all.Where(j => !reachable.Contains(j.JobStoreId)))
        {
            foreach (string fileId in job.FilesToDelete)
            {
                await store.DeleteFileAsync(fileId, cancellationToken).ConfigureAwait(false);
            }

            await store.DeleteJobAsync(job.JobStoreId, cancellationToken).ConfigureAwait(false);
            unreachable++;
        }

        // Checkpoints, outer ones first (breadth-first order); what an outer one deleted is skipped.
        var deleted = new HashSet<string>(StringComparer.Ordinal);
        int restarted = 0;
        foreach (var job in order)
        {
            if (job is CheckpointJobDescription { Checkpoint: not null } && !deleted.Contains(job.JobStoreId))
            {
                var fresh = (CheckpointJobDescription)await store.LoadJobAsync(job.JobStoreId, cancellationToken).ConfigureAwait(false);
                bool willRestart = fresh.HasBody || fresh.SuccessorsAndServiceHosts().Any();
                foreach (string id in await CheckpointRestart.RestartCheckpointAsync(store, fresh, cancellationToken).ConfigureAwait(false))
                {
                    deleted.Add(id);
                }

                restarted += willRestart ? 1 : 0;
            }
        }

        int changed = 0;
        foreach (var stale in order)
        {
            if (deleted.Contains(stale.JobStoreId))
            {
                continue;
            }

            JobDescription job;
            try
            {
                job = await store.LoadJobAsync(stale.JobStoreId, cancellationToken).ConfigureAwait(false);
            }
            catch (NoSuchJobException)
            {
                continue;
            }

            bool dirty = false;
            if (job.FilesToDelete.Count > 0)
            {
                foreach (string fileId in job.FilesToDelete)
                {
                    await store.DeleteFileAsync(fileId, cancellationToken).ConfigureAwait(false);
                }

                job.FilesToDelete.Clear();
                dirty = true;
            }

            if (!job.HasBody)
            {
                int before = job.AllSuccessors().Count();
                var gone = new HashSet<string>(StringComparer.Ordinal);
                foreach (string s in job.AllSuccessors())
                {
                    if (!await store.JobExistsAsync(s, cancellationToken).ConfigureAwait(false))
                    {
                        gone.Add(s);
                    }
                }

                if (gone.Count > 0)
                {
                    job.FilterSuccessors(s => !gone.Contains(s));
                    dirty |= job.AllSuccessors().Count() != before;
                }
            }

            dirty |= job.ResetRetries();
            if (job.LogJobStoreFileId is { } log)
            {
                await store.DeleteFileAsync(log, cancellationToken).ConfigureAwait(false);
                job.LogJobStoreFileId = null;
                dirty = true;
            }

            if (dirty)
            {
                await store.UpdateJobAsync(job, cancellationToken).ConfigureAwait(false);
                changed++;
            }
        }

        // Old stats and log messages belong to the previous run.
        await store.ReadLogsAsync(static (_, _) => ValueTask.CompletedTask, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new Outcome(unreachable, restarted, changed);
    }
}
