using Toil.Runtime.Jobs;

namespace Toil.Runtime.JobStores;

/// <summary>
/// The persistent state of a workflow, shared by its leader and workers: job descriptions, files, shared files and
/// stats/log messages (docs/architecture.md, "Contracts in one line each"). Implementations are thread-safe. Every conforming store passes the conformance
/// suite in <c>Toil.Runtime.Testing</c>.
/// </summary>
/// <remarks>
/// Convenience overloads (stream and path forms, single create, root job) are extension methods in
/// <see cref="JobStoreExtensions"/>; an implementation only writes the members below.
/// </remarks>
public interface IJobStore : IAsyncDisposable
{
    /// <summary>The locator the store was opened with (e.g. <c>file:/data/store</c>).</summary>
    string Locator { get; }

    /// <summary>The workflow configuration persisted with the store; attached to every loaded job.</summary>
    WorkflowConfig Config { get; }

    // ---- Jobs ----

    /// <summary>Assigns a permanent ID to <paramref name="job"/> (replacing its temporary ID) and reserves it.</summary>
    /// <param name="job">The description; its <see cref="JobDescription.JobStoreId"/> is set.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new ID.</returns>
    ValueTask<string> AssignJobIdAsync(JobDescription job, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates jobs whose IDs were assigned by <see cref="AssignJobIdAsync"/>, as version 1 (each version is
    /// incremented). A job that already exists is an error.
    /// </summary>
    /// <param name="jobs">The descriptions.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when every job is durable.</returns>
    /// <exception cref="InvalidJobStoreIdException">An ID is temporary, malformed or was not assigned by this store.</exception>
    /// <exception cref="JobStoreException">A job already exists.</exception>
    /// <remarks>
    /// When the call fails or is cancelled part way, each job's <see cref="JobDescription.Version"/> is the stored one: 1
    /// for a job the store holds (even if making it durable then failed), unchanged for one it does not.
    /// </remarks>
    ValueTask CreateJobsAsync(IReadOnlyCollection<JobDescription> jobs, CancellationToken cancellationToken = default);

    /// <summary>Loads a job; the result is the caller's own copy with the configuration attached.</summary>
    /// <param name="jobId">The ID.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The description.</returns>
    /// <exception cref="NoSuchJobException">The job does not exist.</exception>
    /// <exception cref="CorruptJobRecordException">The record cannot be read.</exception>
    ValueTask<JobDescription> LoadJobAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a job's record, if the stored version equals <paramref name="job"/>'s <see cref="JobDescription.Version"/>
    /// (the version the caller read); on success the version is incremented in both.
    /// </summary>
    /// <param name="job">The description.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the update is durable.</returns>
    /// <exception cref="NoSuchJobException">The job does not exist.</exception>
    /// <exception cref="ConcurrentJobModificationException">The stored version differs; nothing was written.</exception>
    /// <remarks>
    /// When the call fails or is cancelled after the record was replaced (only making it durable failed), the caller's
    /// version has moved with the stored one, so that its next update is not refused as a concurrent one.
    /// </remarks>
    ValueTask UpdateJobAsync(JobDescription job, CancellationToken cancellationToken = default);

    /// <summary>Deletes a job and every file written for it with cleanup. Deleting a missing job does nothing.</summary>
    /// <param name="jobId">The ID.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the deletion is durable.</returns>
    ValueTask DeleteJobAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes several jobs, each with every file written for it with cleanup, as <see cref="DeleteJobAsync"/> does for
    /// one. Missing jobs are skipped. A store may make the whole batch durable at once (the file job store syncs each
    /// directory once per batch instead of once per job); the default implementation deletes them one by one.
    /// </summary>
    /// <param name="jobIds">The IDs.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when every deletion is durable.</returns>
    /// <remarks>
    /// When it throws, some of the jobs may already be deleted; deleting the batch again finishes it. A job is never
    /// left half-deleted in a way a later load could see: its cleanup files may go before its record, never after.
    /// </remarks>
    async ValueTask DeleteJobsAsync(IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        foreach (string jobId in jobIds)
        {
            await DeleteJobAsync(jobId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether the job exists.</summary>
    /// <param name="jobId">The ID.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when it exists.</returns>
    ValueTask<bool> JobExistsAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Every job in the store (best effort while others write).</summary>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The descriptions.</returns>
    IAsyncEnumerable<JobDescription> ListJobsAsync(CancellationToken cancellationToken = default);

    /// <summary>Records the root job's ID.</summary>
    /// <param name="jobId">The ID.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when it is durable.</returns>
    ValueTask SetRootJobIdAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>The root job's ID, or <see langword="null"/> if none was set.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The ID.</returns>
    ValueTask<string?> GetRootJobIdAsync(CancellationToken cancellationToken = default);

    // ---- Files ----

    /// <summary>
    /// Writes a new file atomically: <paramref name="writer"/> fills a temporary file, which becomes visible under the
    /// returned ID only if the writer completes. A writer that throws leaves no file.
    /// </summary>
    /// <param name="writer">Writes the content.</param>
    /// <param name="jobId">The job the file belongs to, or <see langword="null"/>.</param>
    /// <param name="cleanup">Whether the file is deleted with <paramref name="jobId"/>.</param>
    /// <param name="baseName">The last component of the ID (default <c>stream</c>); sanitized.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The file ID.</returns>
    /// <exception cref="NoSuchJobException"><paramref name="jobId"/> was never assigned.</exception>
    ValueTask<string> WriteFileAsync(Func<Stream, CancellationToken, ValueTask> writer, string? jobId = null, bool cleanup = false, string? baseName = null, CancellationToken cancellationToken = default);

    /// <summary>Opens a file for reading. The caller disposes the stream.</summary>
    /// <param name="fileId">The file ID.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A readable stream.</returns>
    /// <exception cref="NoSuchFileException">The file does not exist.</exception>
    /// <exception cref="InvalidJobStoreIdException">The ID is malformed or points outside the store.</exception>
    ValueTask<Stream> OpenReadFileAsync(string fileId, CancellationToken cancellationToken = default);

    /// <summary>Replaces a file's content atomically; if <paramref name="writer"/> throws, the old content stays.</summary>
    /// <param name="fileId">The file ID.</param>
    /// <param name="writer">Writes the new content.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the update is durable.</returns>
    /// <exception cref="NoSuchFileException">The file does not exist.</exception>
    /// <exception cref="InvalidJobStoreIdException">The ID is malformed or points outside the store.</exception>
    ValueTask UpdateFileAsync(string fileId, Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default);

    /// <summary>Deletes a file. Deleting a missing file does nothing.</summary>
    /// <param name="fileId">The file ID.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the deletion is durable.</returns>
    /// <exception cref="InvalidJobStoreIdException">The ID is malformed or points outside the store.</exception>
    ValueTask DeleteFileAsync(string fileId, CancellationToken cancellationToken = default);

    /// <summary>Whether a file exists.</summary>
    /// <param name="fileId">The file ID.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when it exists.</returns>
    /// <exception cref="InvalidJobStoreIdException">The ID is malformed or points outside the store.</exception>
    ValueTask<bool> FileExistsAsync(string fileId, CancellationToken cancellationToken = default);

    /// <summary>A file's size in bytes; 0 for a missing file.</summary>
    /// <param name="fileId">The file ID.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The size.</returns>
    /// <exception cref="InvalidJobStoreIdException">The ID is malformed or points outside the store.</exception>
    ValueTask<long> GetFileSizeAsync(string fileId, CancellationToken cancellationToken = default);

    // ---- Shared files ----

    /// <summary>Writes (or atomically replaces) a shared file.</summary>
    /// <param name="name">The name; must match <c>\A[A-Za-z0-9._-]+\z</c>, at most <see cref="JobStoreLimits.MaxSharedFileNameLength"/> characters.</param>
    /// <param name="writer">Writes the content.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the write is durable.</returns>
    /// <exception cref="InvalidJobStoreIdException">The name is not valid.</exception>
    ValueTask WriteSharedFileAsync(string name, Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default);

    /// <summary>Opens a shared file for reading.</summary>
    /// <param name="name">The name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A readable stream.</returns>
    /// <exception cref="NoSuchFileException">The shared file does not exist.</exception>
    /// <exception cref="InvalidJobStoreIdException">The name is not valid.</exception>
    ValueTask<Stream> OpenReadSharedFileAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Whether a shared file exists.</summary>
    /// <param name="name">The name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when it exists.</returns>
    /// <exception cref="InvalidJobStoreIdException">The name is not valid.</exception>
    ValueTask<bool> SharedFileExistsAsync(string name, CancellationToken cancellationToken = default);

    // ---- Stats and log messages ----

    /// <summary>Appends a stats/log message (one worker's stats JSON) to the inbox.</summary>
    /// <param name="message">The message bytes.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the message is durable.</returns>
    ValueTask WriteLogsAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends a stats/log message that <paramref name="writer"/> writes to a stream, for a message too large to hold
    /// in memory (a long chain's stats). The message is delivered whole or not at all: if the writer throws, nothing is
    /// appended and the exception propagates.
    /// </summary>
    /// <remarks>
    /// The default implementation collects the message in memory and calls
    /// <see cref="WriteLogsAsync(ReadOnlyMemory{byte}, CancellationToken)"/>; a store that can write the message as it
    /// comes (<see cref="FileJobStore"/>) overrides it.
    /// </remarks>
    /// <param name="writer">Writes the message to the stream it is given; it runs once.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the message is durable.</returns>
    async ValueTask WriteLogsAsync(Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        using var buffer = new MemoryStream();
        await writer(buffer, cancellationToken).ConfigureAwait(false);
        await WriteLogsAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Delivers unread messages to <paramref name="callback"/> and archives each after its callback returns (at least
    /// once: a crash between the two re-delivers). With <paramref name="readAll"/>, archived messages are delivered
    /// first as well (and stay archived).
    /// </summary>
    /// <param name="callback">Receives each message as a stream (valid only during the call).</param>
    /// <param name="readAll">Whether to deliver archived messages too.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many messages were delivered.</returns>
    ValueTask<int> ReadLogsAsync(Func<Stream, CancellationToken, ValueTask> callback, bool readAll = false, CancellationToken cancellationToken = default);

    // ---- Lifecycle ----

    /// <summary>Deletes the whole store. Idempotent: it succeeds on a missing or half-deleted store.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the store is gone.</returns>
    ValueTask DestroyAsync(CancellationToken cancellationToken = default);
}
