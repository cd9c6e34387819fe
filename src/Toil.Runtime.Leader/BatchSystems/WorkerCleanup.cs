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
        DeleteIfEmpty(workflowDirectory);
    }

    /// <summary>Removes <paramref name="directory"/> when it exists and is empty; one that is not (or becomes not) empty stays.</summary>
    public static void DeleteIfEmpty(string directory)
    {
        try
        {
            if (Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
            {
                Directory.Delete(directory);
            }
        }
        catch (IOException)
        {
            // Something was written meanwhile (a worker of another leader on this node): it stays.
        }
    }
}
