using Toil.Runtime.Jobs;

namespace Toil.Runtime.FileStores;

/// <summary>
/// The worker's view of a per-job file store: besides <see cref="IFileStore.StartCommitAsync"/>, a commit that hands
/// the job's finished state on to the successor chained into it (<c>docs/worker-algorithm.md</c>, "Chaining commits").
/// </summary>
internal interface IChainingFileStore : IFileStore
{
    /// <summary>
    /// Starts this job's commit, writing <paramref name="successor"/> in place of <see cref="IFileStore.Job"/>: the
    /// successor has replaced this job (<see cref="JobDescription.Replace"/>), so it carries the issued ID, this job's
    /// remaining successors and the merged names, and its body is still attached. One write then records this job as
    /// done and the successor as the job to run under the issued ID; this job's pending deletions go into the journal
    /// of that write and are deleted after it, exactly as <see cref="IFileStore.StartCommitAsync"/> does for the job
    /// itself.
    /// </summary>
    /// <param name="successor">The successor, after <see cref="JobDescription.Replace"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the commit has started (or finished, for a synchronous store).</returns>
    /// <exception cref="InvalidOperationException">
    /// A commit was already started on this store, or this job's journal still holds files from an interrupted commit
    /// (commit it with <see cref="IFileStore.StartCommitAsync"/> first).
    /// </exception>
    ValueTask StartCommitAsync(JobDescription successor, CancellationToken cancellationToken);

    /// <summary>
    /// The bytes the job used under its local temporary directory, when the store knows them without looking (0 when it
    /// never made the directory); <see langword="null"/> when the worker must measure the directory itself.
    /// </summary>
    long? KnownDiskUsed => null;

    /// <summary>
    /// Whether the job deleted files through this store that its commit must journal. Only a commit without any may be
    /// left to a later write of the record (<c>docs/decisions.md#group-commits</c>); a store that cannot tell says yes.
    /// </summary>
    bool HasPendingDeletes => true;

    /// <summary>The bytes the job wrote to the job store through this store, counted as they passed (0 when not counted).</summary>
    long BytesWritten => 0;

    /// <summary>The bytes the job read from the job store through this store, counted as they passed (0 when not counted).</summary>
    long BytesRead => 0;
}
