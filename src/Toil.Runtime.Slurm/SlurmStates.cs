using Toil.Runtime.Jobs;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Slurm;

/// <summary>Slurm's job states and how an ended job maps to a <see cref="BatchJobExitReason"/>. See <c>docs/slurm.md</c>.</summary>
internal static class SlurmStates
{
    /// <summary>What a job's standard error holds when slurmstepd killed it over its <c>--mem</c> without cgroups.</summary>
    internal const string MemoryKillMarker = "Exceeded job memory limit";

    /// <summary>The hint shown when a worker could not open the job store (exit code 76).</summary>
    internal const string SharedFileSystemHint =
        "the worker could not open the job store (exit code 76): on a cluster the job store must be on a file system every node mounts at the same path (see docs/slurm.md)";

    private static readonly HashSet<string> Active = new(StringComparer.Ordinal)
    {
        "PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "RESIZING", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD",
        "RESV_DEL_HOLD", "SIGNALING", "STAGE_OUT", "STOPPED", "SPECIAL_EXIT",
    };

    /// <summary>Gets whether <paramref name="state"/> is one Slurm leaves a job in for good.</summary>
    /// <param name="state">A state as <c>squeue %T</c> prints it.</param>
    /// <returns><see langword="true"/> for an ended job.</returns>
    public static bool IsTerminal(string state) => !Active.Contains(state);

    /// <summary>Gets whether <paramref name="state"/> means the job's script is running.</summary>
    /// <param name="state">A state as <c>squeue %T</c> prints it.</param>
    /// <returns><see langword="true"/> while it runs.</returns>
    public static bool IsRunning(string state) => state is "RUNNING" or "COMPLETING" or "SIGNALING" or "STAGE_OUT";

    /// <summary>Maps an ended job to the worker's exit code and the reason it ended.</summary>
    /// <param name="job">The ended job, with its exit code and signal when known.</param>
    /// <param name="killedOverMemory">Whether the job's standard error says slurmstepd killed it over its memory.</param>
    /// <returns>The exit code (128 + the signal for a signalled script) and the reason.</returns>
    public static (int ExitCode, BatchJobExitReason Reason) Map(SlurmJobInfo job, bool killedOverMemory = false)
    {
        ArgumentNullException.ThrowIfNull(job);
        int code = job.Signal is > 0 and var s ? 128 + s : job.ExitCode ?? 1;
        BatchJobExitReason reason = job.State switch
        {
            "COMPLETED" when code == 0 => BatchJobExitReason.Finished,
            "COMPLETED" => BatchJobExitReason.Failed,
            "OUT_OF_MEMORY" => BatchJobExitReason.MemLimit,
            "TIMEOUT" or "DEADLINE" => BatchJobExitReason.MaxJobDuration,
            "NODE_FAIL" or "PREEMPTED" or "BOOT_FAIL" => BatchJobExitReason.Lost,
            _ when killedOverMemory => BatchJobExitReason.MemLimit,
            "CANCELLED" => BatchJobExitReason.Killed,
            "FAILED" => BatchJobExitReason.Failed,
            _ => BatchJobExitReason.Error,
        };
        if (reason == BatchJobExitReason.Finished)
        {
            return (0, reason);
        }

        // An ended job must not read as a success to the leader.
        return (code == 0 ? 1 : code, reason);
    }

    /// <summary>Describes an ended job for the leader's log, with the shared-file-system hint for exit code 76.</summary>
    /// <param name="job">The ended job.</param>
    /// <param name="exitCode">The mapped exit code.</param>
    /// <returns>Slurm's words on the job.</returns>
    public static string Describe(SlurmJobInfo job, int exitCode)
    {
        ArgumentNullException.ThrowIfNull(job);
        string text = $"Slurm job {job.SlurmJobId} ended {job.State}" + (job.Reason is { Length: > 0 } r && r != "None" ? $" ({r})" : string.Empty);
        return exitCode == WorkerExitCodes.NoJobStore ? text + ": " + SharedFileSystemHint : text;
    }
}
