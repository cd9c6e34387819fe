using Toil.Runtime.Jobs;

namespace Toil.Runtime.Leader.BatchSystems;

/// <summary>What one worker attempt needs: the job's requirements with the workflow defaults filled in.</summary>
public sealed record JobResources
{
    /// <summary>Gets the cores (fractions allowed).</summary>
    public double Cores { get; init; } = 1;

    /// <summary>Gets the memory.</summary>
    public DataSize Memory { get; init; }

    /// <summary>Gets the local disk.</summary>
    public DataSize Disk { get; init; }

    /// <summary>Gets the accelerators (empty for none).</summary>
    public IReadOnlyList<AcceleratorRequirement> Accelerators { get; init; } = [];

    /// <summary>Gets whether the job may run on preemptible nodes.</summary>
    public bool Preemptible { get; init; }

    /// <summary>Gets the wall-time limit; <see cref="TimeSpan.Zero"/> for none.</summary>
    public TimeSpan Walltime { get; init; }

    /// <summary>Reads a job's effective requirements (its own, else the workflow defaults of its configuration).</summary>
    /// <param name="job">The job; a configuration must be attached (every loaded job has one).</param>
    /// <returns>The resources.</returns>
    /// <exception cref="InvalidOperationException">A requirement is unset and no configuration is attached.</exception>
    public static JobResources From(JobDescription job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new JobResources
        {
            Cores = job.Cores,
            Memory = job.Memory,
            Disk = job.Disk,
            Accelerators = job.Accelerators,
            Preemptible = job.Preemptible,
            Walltime = job.Walltime,
        };
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Cores:0.###} cores, {Memory.Bytes} bytes of memory, {Disk.Bytes} bytes of disk" +
        (Accelerators.Count == 0 ? string.Empty : $", {Accelerators.Sum(a => a.Count)} accelerator(s)") +
        (Walltime > TimeSpan.Zero ? $", walltime {Walltime}" : string.Empty);
}
