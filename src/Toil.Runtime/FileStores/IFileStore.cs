using Microsoft.Extensions.Logging;
using Toil.Runtime.Jobs;

namespace Toil.Runtime.FileStores;

/// <summary>
/// The per-job view of storage inside a worker (Toil's <c>AbstractFileStore</c>): global files in the job store,
/// local temporary files, messages to the leader, and the commit chain that makes a job's results durable in order.
/// One instance serves exactly one job attempt, or one chained-successor commit.
/// </summary>
public interface IFileStore
{
    /// <summary>The description of the job this store serves (the live copy the commit writes).</summary>
    JobDescription Job { get; }

    /// <summary>The job's own local temporary directory (absolute).</summary>
    string LocalTempDir { get; }

    /// <summary>Creates a new directory under <see cref="LocalTempDir"/>.</summary>
    /// <returns>Its absolute path.</returns>
    string GetLocalTempDir();

    /// <summary>Creates a new empty file under <see cref="LocalTempDir"/>.</summary>
    /// <param name="suffix">The file name's suffix.</param>
    /// <param name="prefix">The file name's prefix.</param>
    /// <returns>Its absolute path.</returns>
    string GetLocalTempFile(string suffix = ".tmp", string prefix = "tmp");

    /// <summary>Writes a local file to the job store as a new global file owned by this job.</summary>
    /// <param name="localPath">The file; a relative path is resolved against <see cref="LocalTempDir"/>.</param>
    /// <param name="cleanup">Whether the file is deleted when this job is deleted.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The file ID.</returns>
    ValueTask<string> WriteGlobalFileAsync(string localPath, bool cleanup = false, CancellationToken cancellationToken = default);

    /// <summary>Writes a new global file from a writer callback (atomic: a writer that throws leaves no file).</summary>
    /// <param name="writer">Writes the content.</param>
    /// <param name="cleanup">Whether the file is deleted when this job is deleted.</param>
    /// <param name="baseName">The last component of the ID.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The file ID.</returns>
    ValueTask<string> WriteGlobalFileStreamAsync(Func<Stream, CancellationToken, ValueTask> writer, bool cleanup = false, string? baseName = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Copies a global file to a local path and returns it. The local file is always a private copy: changing it never
    /// changes the job store. Reading a file this job deleted fails.
    /// </summary>
    /// <param name="fileId">The file ID.</param>
    /// <param name="userPath">Where to put it (must not exist), or <see langword="null"/> for a new temporary name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The local path.</returns>
    ValueTask<string> ReadGlobalFileAsync(string fileId, string? userPath = null, CancellationToken cancellationToken = default);

    /// <summary>Opens a global file for reading (logged in the access log).</summary>
    /// <param name="fileId">The file ID.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A readable stream the caller disposes.</returns>
    ValueTask<Stream> ReadGlobalFileStreamAsync(string fileId, CancellationToken cancellationToken = default);

    /// <summary>The size of a global file in bytes.</summary>
    /// <param name="fileId">The file ID.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The size.</returns>
    ValueTask<long> GetGlobalFileSizeAsync(string fileId, CancellationToken cancellationToken = default);

    /// <summary>Deletes the local copies this job made of a global file.</summary>
    /// <param name="fileId">The file ID.</param>
    /// <exception cref="FileNotFoundException">This job has no local copy of the file.</exception>
    void DeleteLocalFile(string fileId);

    /// <summary>Deletes local copies and schedules the global file's deletion with this job's commit (journaled).</summary>
    /// <param name="fileId">The file ID.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the deletion is scheduled.</returns>
    ValueTask DeleteGlobalFileAsync(string fileId, CancellationToken cancellationToken = default);

    /// <summary>Sends a message to the leader's log (through the worker's stats), and logs it locally.</summary>
    /// <param name="text">The message.</param>
    /// <param name="level">Its level.</param>
    void LogToLeader(string text, LogLevel level = LogLevel.Information);

    /// <summary>Reads a whole stream (UTF-8, invalid bytes replaced) as a named user log stream for the leader.</summary>
    /// <param name="name">A dotted hierarchical name.</param>
    /// <param name="stream">The stream.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the stream has been read.</returns>
    ValueTask LogUserStreamAsync(string name, Stream stream, CancellationToken cancellationToken = default);

    /// <summary>Messages for the leader, in order.</summary>
    IReadOnlyList<LeaderMessage> LeaderMessages { get; }

    /// <summary>User log streams for the leader, in order.</summary>
    IReadOnlyList<UserLogStream> UserStreams { get; }

    /// <summary>
    /// Starts this job's commit: waits for the previous job's commit, then (with <paramref name="jobState"/>) journals
    /// pending deletions in the description, updates it, deletes the files, and clears the journal.
    /// </summary>
    /// <param name="jobState">Whether to write the job's description; <see langword="false"/> only waits.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the commit has started (or finished, for a synchronous store).</returns>
    ValueTask StartCommitAsync(bool jobState = true, CancellationToken cancellationToken = default);

    /// <summary>Waits until this store's commit (and so every earlier one) is done; rethrows its failure.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the commit is durable.</returns>
    ValueTask WaitForCommitAsync(CancellationToken cancellationToken = default);
}
