using Toil.Runtime.JobStores;

namespace Toil.Runtime.Worker;

/// <summary>One worker invocation's inputs.</summary>
/// <param name="JobStore">The job store holding the job.</param>
/// <param name="JobStoreId">The ID of the job to run (the issued ID).</param>
public sealed record WorkerRequest(IJobStore JobStore, string JobStoreId)
{
    /// <summary>The job's name, for logging only (Toil passes it on the command line).</summary>
    public string? JobName { get; init; }

    /// <summary>In-process (default) or process mode.</summary>
    public WorkerMode Mode { get; init; } = WorkerMode.InProcess;

    /// <summary>A worker temporary directory to use instead of a fresh one under the work directory.</summary>
    public string? TempDirectory { get; init; }
}
