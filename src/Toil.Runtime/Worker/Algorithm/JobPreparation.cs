using Microsoft.Extensions.Logging;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Worker;

/// <summary>
/// The pre-run cleanup of the issued job (<c>docs/worker-algorithm.md</c> §2 steps 2–4): tidy a bodiless job, clear an
/// old failure log, restart a failed checkpoint or delete the promise files of a completed one.
/// </summary>
internal static class JobPreparation
{
    /// <summary>Prepares <paramref name="job"/> to run, writing every change to <paramref name="store"/>.</summary>
    /// <param name="store">The job store.</param>
    /// <param name="job">The job just loaded by the issued ID.</param>
    /// <param name="log">The run's logger.</param>
    /// <param name="token">Cancels the operation.</param>
    /// <returns>A task that completes when the job is prepared.</returns>
    public static async ValueTask PrepareAsync(IJobStore store, JobDescription job, ILogger log, CancellationToken token)
    {
        if (!job.HasBody)
        {
            int before = job.SuccessorsAndServiceHosts().Count();
            await store.ClearNonexistentDependentsAsync(job, token).ConfigureAwait(false);
            int dropped = before - job.SuccessorsAndServiceHosts().Count();
            if (dropped > 0)
            {
                // Toil keeps the tidied stack in memory only; we persist it (docs/worker-algorithm.md, "Where we differ from Toil").
                WorkerRunnerLog.DroppedSuccessors(log, dropped, job);
                await store.UpdateJobAsync(job, token).ConfigureAwait(false);
            }
        }

        if (job.LogJobStoreFileId is { } oldLog)
        {
            // Record first, then file: a crash in between leaves an orphan file, never a dangling reference.
            job.LogJobStoreFileId = null;
            await store.UpdateJobAsync(job, token).ConfigureAwait(false);
            await store.DeleteFileAsync(oldLog, token).ConfigureAwait(false);
        }

        if (job is CheckpointJobDescription { Checkpoint: not null } checkpoint)
        {
            if (checkpoint.HasSuccessors() || checkpoint.HasServices)
            {
                if (checkpoint.RemainingTryCount < 0)
                {
                    throw new InvalidOperationException($"Checkpoint {checkpoint} has a negative try count.");
                }

                checkpoint.ChargeRetry();
                var deleted = await CheckpointRestart.RestartCheckpointAsync(store, checkpoint, token).ConfigureAwait(false);
                WorkerRunnerLog.CheckpointRestarted(log, checkpoint, deleted.Count);
            }
            else if (!checkpoint.HasBody && checkpoint.CheckpointFilesToDeleteOrNull is { Count: > 0 })
            {
                // Completed: its promise files can go. With a body (restored by a restart) they are kept, because
                // the body about to rerun reads them (docs/worker-algorithm.md §2 step 4).
                int count = 0;
                foreach (string fileId in checkpoint.CheckpointFilesToDelete)
                {
                    if (await store.FileExistsAsync(fileId, token).ConfigureAwait(false))
                    {
                        await store.DeleteFileAsync(fileId, token).ConfigureAwait(false);
                        count++;
                    }
                }

                WorkerRunnerLog.CheckpointFilesDeleted(log, count, checkpoint);
            }
        }
    }
}
