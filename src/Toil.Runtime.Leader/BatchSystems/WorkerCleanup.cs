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
        string workDir = Path.GetFullPath(options.WorkDir ?? (Environment.GetEnvironmentVariable("TOIL_WORKDIR") is { Length: > 0 } env ? env : Path.GetTempPath()));
        string coordinationBase = options.CoordinationDir
            ?? (Environment.GetEnvironmentVariable("TOIL_COORDINATION_DIR") is { Length: > 0 } c ? c : null)
            ?? (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } xdg && Directory.Exists(xdg) && Environment.GetEnvironmentVariable("SLURM_JOB_ID") is null
                ? Path.Combine(xdg, "toil")
                : workDir);
        string component = "toilwf-" + WorkerDirectories.WorkflowComponent(workflowId);
        string coordination = Path.GetFullPath(Path.Combine(coordinationBase, component));
        if (Directory.Exists(coordination))
        {
            await DeferredFunctionManager.CleanupAsync(
                new DeferredFunctionManagerOptions { CoordinationDirectory = coordination }, registry, log, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        DeleteIfEmpty(coordination);
        DeleteIfEmpty(Path.Combine(workDir, component));
    }

    private static void DeleteIfEmpty(string directory)
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
            // A worker of another leader on this node started meanwhile; its directory stays.
        }
    }
}
