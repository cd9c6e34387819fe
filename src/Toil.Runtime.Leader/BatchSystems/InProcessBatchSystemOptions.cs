using System.ComponentModel.DataAnnotations;

namespace Toil.Runtime.Leader.BatchSystems;

/// <summary>The slots of the <see cref="InProcessBatchSystem"/>: what this process lends to concurrent worker runs.</summary>
public sealed class InProcessBatchSystemOptions : IValidatableObject
{
    /// <summary>
    /// Gets or sets the cores shared by running jobs (a job needing 1 core takes 1).
    /// <value>The default value is <see cref="Environment.ProcessorCount"/>.</value>
    /// </summary>
    public double MaxCores { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Gets or sets the bytes of memory shared by running jobs; <see langword="null"/> for what the GC sees as available.
    /// <value>The default value is <see langword="null"/>.</value>
    /// </summary>
    public long? MaxMemory { get; set; }

    /// <summary>
    /// Gets or sets the bytes of disk shared by running jobs; <see langword="null"/> for the free space of the temporary directory's volume.
    /// <value>The default value is <see langword="null"/>.</value>
    /// </summary>
    public long? MaxDisk { get; set; }

    /// <summary>
    /// Gets or sets the accelerators (GPUs) shared by running jobs.
    /// <value>The default value is 0.</value>
    /// </summary>
    public int MaxAccelerators { get; set; }

    /// <summary>
    /// Gets or sets how long a killed run may take to stop after its cancellation before the kill gives up waiting.
    /// <value>The default value is 10 seconds.</value>
    /// </summary>
    public TimeSpan KillGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets whether the batch system raises the process's thread-pool minimum to cover its running jobs: the
    /// processor count plus the most jobs it has run at once, at most three times the processor count in all, or the
    /// host's own minimum if that is higher; put back when the batch system is shut down
    /// (docs/decisions.md#thread-pool-reserve). A run holds its pool thread while it is in synchronous file I/O, and the
    /// pool adds threads past its minimum only slowly, so without it many small jobs leave cores idle. Turn it off when
    /// the host manages the thread pool itself.
    /// <value>The default value is <see langword="true"/>.</value>
    /// </summary>
    public bool RaiseThreadPoolMinimum { get; set; } = true;

    /// <summary>Checks what the attributes cannot: finite positive cores, the optional sizes and the grace period.</summary>
    /// <param name="validationContext">The context (unused).</param>
    /// <returns>One result per problem; none when the options are valid.</returns>
    /// <remarks>The generated <c>InProcessBatchSystemOptionsValidator</c> runs it after the attributes' checks.</remarks>
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (!(MaxCores > 0) || double.IsInfinity(MaxCores))
        {
            yield return new($"InProcessBatchSystemOptions.MaxCores must be a positive number (was {MaxCores}).");
        }

        if (MaxMemory is <= 0 || MaxDisk is < 0 || MaxAccelerators < 0)
        {
            yield return new("InProcessBatchSystemOptions: MaxMemory must be positive, MaxDisk and MaxAccelerators must not be negative.");
        }

        if (KillGracePeriod < TimeSpan.Zero)
        {
            yield return new("InProcessBatchSystemOptions.KillGracePeriod must not be negative.");
        }
    }
}
