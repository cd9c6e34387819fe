using Microsoft.Extensions.Logging;
using Toil.Runtime.Deferred;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Leader.BatchSystems;

/// <summary>
/// What a batch system does on this node when the workflow's last worker has ended (Toil's <c>workerCleanup</c>): runs
/// the deferred functions dead workers left in the coordination directory, then removes the workflow's per-node
/// directories when they are empty.
/// </summary>
internal static class WorkerCleanup
{
    public static async ValueTask CleanAsync(WorkerOptions options, string workflowId, DeferredFunctionRegistry registry, ILogger log, CancellationToken cancellationToken)
    {
        var (_, workflowDirectory, coordination) = WorkerDirectories.Locate(options, workflowId);
        if (Directory.Exists(coordination))
        {
            await DeferredFunctionManager.CleanupAsync(
                new DeferredFunctionManagerOptions { CoordinationDirectory = coordination }, registry, log, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        DeleteIfEmpty(coordination);
        DeleteKilledWorkerDirectories(workflowDirectory);
        DeleteIfEmpty(workflowDirectory);
    }

    /// <summary>
    /// Removes the temporary directories (<c>worker-*</c>) of killed workers in <paramref name="workflowDirectory"/>: those
    /// whose liveness file (<see cref="WorkerDirectories.LivenessFileName"/>) nobody holds locked any more, and empty ones
    /// (a worker killed between making its directory and its liveness file; a live worker that finds its new directory
    /// gone makes another). A live worker's and one kept on purpose (no liveness file, something in it) stay.
    /// </summary>
    /// <returns>How many were removed.</returns>
    public static int DeleteKilledWorkerDirectories(string workflowDirectory)
    {
        int removed = 0;
        if (!Directory.Exists(workflowDirectory))
        {
            return removed;
        }

        foreach (string directory in Directory.EnumerateDirectories(workflowDirectory, "worker-*"))
        {
            switch (WorkerDirectories.ProbeLiveness(directory))
            {
                case WorkerDirectories.Liveness.NotARun:
                    // Not recursive: only an empty directory goes (one that gained its liveness file meanwhile stays).
                    if (DeleteIfEmpty(directory))
                    {
                        removed++;
                    }

                    continue;
                case WorkerDirectories.Liveness.Alive:
                    continue;
            }

            try
            {
                Directory.Delete(directory, recursive: true);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the next clean-up; nothing depends on it.
            }
        }

        return removed;
    }

    /// <summary>Removes <paramref name="directory"/> when it exists and is empty; one that is not (or becomes not) empty stays.</summary>
    /// <returns>Whether it was removed.</returns>
    public static bool DeleteIfEmpty(string directory)
    {
        try
        {
            if (Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
            {
                Directory.Delete(directory);
                return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Something was written meanwhile (a worker of another leader on this node): it stays.
        }

        return false;
    }
}
