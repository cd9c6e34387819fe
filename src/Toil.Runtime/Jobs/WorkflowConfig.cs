namespace Toil.Runtime.Jobs;

/// <summary>
/// Workflow-wide settings persisted with the job store (Toil's <c>Config</c>, the parts a worker and the job model
/// need): requirement defaults, retry policy, and chaining rules. A job store loads it once and attaches it to every
/// <see cref="JobDescription"/> it returns.
/// </summary>
public sealed record WorkflowConfig
{
    /// <summary>The workflow's unique ID, set when the job store is created.</summary>
    public string WorkflowId { get; init; } = Guid.NewGuid().ToString("N");

    /// <summary>Memory of a job that does not set it. The default value is 2 GiB.</summary>
    public DataSize DefaultMemory { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Cores of a job that does not set it. The default value is 1.</summary>
    public double DefaultCores { get; init; } = 1;

    /// <summary>Disk of a job that does not set it. The default value is 2 GiB.</summary>
    public DataSize DefaultDisk { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Accelerators of a job that does not set them. The default value is none.</summary>
    public IReadOnlyList<AcceleratorRequirement> DefaultAccelerators { get; init; } = [];

    /// <summary>Whether a job that does not say may run preemptibly. The default value is <see langword="false"/>.</summary>
    public bool DefaultPreemptible { get; init; }

    /// <summary>Walltime of a job that does not set it; zero means none. The default value is zero.</summary>
    public TimeSpan DefaultWalltime { get; init; } = TimeSpan.Zero;

    /// <summary>How many times a failed job is retried. The default value is 1 (so a job gets 2 tries).</summary>
    public int RetryCount { get; init; } = 1;

    /// <summary>The backoff after the first charged retry, in seconds. The default value is 2.</summary>
    public double RetryBackoffSeconds { get; init; } = 2;

    /// <summary>The factor the backoff is multiplied by on each later retry. The default value is 3.</summary>
    public double RetryBackoffFactor { get; init; } = 3;

    /// <summary>Whether preemptible jobs lost to preemption are retried without charging a try. The default value is <see langword="false"/>.</summary>
    public bool EnableUnlimitedPreemptibleRetries { get; init; }

    /// <summary>Whether a job killed for exceeding its memory gets double the memory on retry. The default value is <see langword="false"/>.</summary>
    public bool DoubleMemory { get; init; }

    /// <summary>Whether local jobs may chain into non-local successors on a worker. The default value is <see langword="false"/>.</summary>
    public bool RunLocalJobsOnWorkers { get; init; }

    /// <summary>
    /// Assemblies (file paths) holding the workflow's job types, for the <c>toil worker</c> command-line tool, which
    /// loads them to find the registered jobs. Hosts that register their jobs in code leave it empty.
    /// </summary>
    public IReadOnlyList<string> JobAssemblies { get; init; } = [];

    /// <inheritdoc />
    public bool Equals(WorkflowConfig? other) =>
        other is not null
        && WorkflowId == other.WorkflowId && DefaultMemory == other.DefaultMemory && DefaultCores.Equals(other.DefaultCores)
        && DefaultDisk == other.DefaultDisk && DefaultAccelerators.SequenceEqual(other.DefaultAccelerators)
        && DefaultPreemptible == other.DefaultPreemptible && DefaultWalltime == other.DefaultWalltime
        && RetryCount == other.RetryCount && RetryBackoffSeconds.Equals(other.RetryBackoffSeconds)
        && RetryBackoffFactor.Equals(other.RetryBackoffFactor) && EnableUnlimitedPreemptibleRetries == other.EnableUnlimitedPreemptibleRetries
        && DoubleMemory == other.DoubleMemory && RunLocalJobsOnWorkers == other.RunLocalJobsOnWorkers
        && JobAssemblies.SequenceEqual(other.JobAssemblies);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(WorkflowId, DefaultMemory, DefaultCores, DefaultDisk, RetryCount);
}
