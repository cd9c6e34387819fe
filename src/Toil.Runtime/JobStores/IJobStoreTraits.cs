namespace Toil.Runtime.JobStores;

/// <summary>
/// What a job store reports about itself to the worker, so that the worker never tests for concrete store types.
/// A store that does not implement it has the defaults (its writes do I/O).
/// </summary>
internal interface IJobStoreTraits
{
    /// <summary>
    /// Whether a write costs no more than a memory copy (no I/O). The worker then commits inline: a background commit
    /// (<c>WorkerOptions.AsynchronousCommits</c>) would only add a thread hop.
    /// </summary>
    bool WritesAreInMemory { get; }
}
