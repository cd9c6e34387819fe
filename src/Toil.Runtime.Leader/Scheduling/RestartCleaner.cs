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

        // One load per stored job: the walk and the fix-ups below use the listing's copies; only a job created after the
        // listing, and every job once a checkpoint was restarted, is loaded again.
        var listed = new Dictionary<string, JobDescription>(all.Count, StringComparer.Ordinal);
        foreach (var job in all)
        {
            listed[job.JobStoreId] = job;
        }

        var (reachable, order) = await WalkAsync(store, rootId, listed, cancellationToken).ConfigureAwait(false);
        if (all.Any(j => !reachable.Contains(j.JobStoreId)))
        {
            // Before anything is deleted as unreachable, the walk is done again on records loaded now: a parent an orphan
            // updated after the listing then reaches the children it created before it, exactly as a walk that never
            // used the listing's copies would (the window above stays as narrow as it was).
            (reachable, order) = await WalkAsync(store, rootId, listed: null, cancellationToken).ConfigureAwait(false);
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
        bool reload = false;
        foreach (var job in order)
        {
            if (job is CheckpointJobDescription { Checkpoint: not null } && !deleted.Contains(job.JobStoreId))
            {
                reload = true;
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
                job = reload ? await store.LoadJobAsync(stale.JobStoreId, cancellationToken).ConfigureAwait(false) : stale;
            }
            catch (NoSuchJobException)
            {
                continue;
            }

            bool dirty;
            bool reloaded = reload;
            while (true)
            {
                dirty = await FixUpAsync(store, job, cancellationToken).ConfigureAwait(false);
                if (!dirty)
                {
                    break;
                }

                try
                {
                    await store.UpdateJobAsync(job, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (ConcurrentJobModificationException) when (!reloaded)
                {
                    // Written since the listing read it: fixed up again, once, from the stored record (a second loss
                    // throws, as an update of a freshly loaded record always did).
                    reloaded = true;
                    try
                    {
                        job = await store.LoadJobAsync(stale.JobStoreId, cancellationToken).ConfigureAwait(false);
                    }
                    catch (NoSuchJobException)
                    {
                        dirty = false;
                        break;
                    }
                }
            }

            changed += dirty ? 1 : 0;
        }

        // Old stats and log messages belong to the previous run.
        await store.ReadLogsAsync(static (_, _) => ValueTask.CompletedTask, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new Outcome(unreachable, restarted, changed);
    }

    /// <summary>
    /// The jobs reachable from the root through every successor phase, services and merged-in (chained) IDs, and the
    /// reachable records in breadth-first order; a job in <paramref name="listed"/> is not loaded again.
    /// </summary>
    private static async ValueTask<(HashSet<string> Reachable, List<JobDescription> Order)> WalkAsync(
        IJobStore store, string rootId, Dictionary<string, JobDescription>? listed, CancellationToken cancellationToken)
    {
        var reachable = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<JobDescription>();
        var pending = new Queue<string>();
        pending.Enqueue(rootId);
        reachable.Add(rootId);
        while (pending.TryDequeue(out string? id))
        {
            JobDescription? job = listed?.GetValueOrDefault(id);
            try
            {
                job ??= await store.LoadJobAsync(id, cancellationToken).ConfigureAwait(false);
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

        return (reachable, order);
    }

    /// <summary>A reachable job's fix-ups (journaled deletions finished, vanished successors dropped, retries reset, an old failure log deleted); whether the record is to be written.</summary>
    private static async ValueTask<bool> FixUpAsync(IJobStore store, JobDescription job, CancellationToken cancellationToken)
    {
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

        return dirty;
    }
}
