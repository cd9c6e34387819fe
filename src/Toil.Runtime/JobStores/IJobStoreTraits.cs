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

    /// <summary>
    /// The largest body input, in bytes, that authoring stores inline in the job's record (<see cref="Jobs.JobBody.Inline"/>)
    /// instead of in a file of its own; 0, the default, for never (docs/decisions.md#inline-bodies).
    /// </summary>
    int InlineBodyLimit => 0;

    /// <summary>
    /// Lends a file's content as the store holds it, without a stream or a copy, when the store keeps it in memory and
    /// never changes those bytes in place (a replaced file gets a new array). Throws as <see cref="IJobStore.OpenReadFileAsync"/>
    /// does for a bad ID or a destroyed store.
    /// </summary>
    /// <param name="fileId">The file ID.</param>
    /// <param name="content">The content, which the caller must not change.</param>
    /// <returns>Whether the content was lent; <see langword="false"/> (read it the usual way) when the store cannot, or the file is missing.</returns>
    bool TryReadFileInPlace(string fileId, out ReadOnlyMemory<byte> content)
    {
        content = default;
        return false;
    }
}
