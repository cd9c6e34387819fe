using System.Text;
using Toil.Runtime.Jobs;

namespace Toil.Runtime.JobStores;

/// <summary>Convenience operations over <see cref="IJobStore"/>'s core members.</summary>
public static class JobStoreExtensions
{
    /// <summary>Creates one job (see <see cref="IJobStore.CreateJobsAsync"/>), assigning an ID first if it has a temporary one.</summary>
    /// <param name="store">The store.</param>
    /// <param name="job">The description.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The job's ID.</returns>
    public static async ValueTask<string> CreateJobAsync(this IJobStore store, JobDescription job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(job);
        if (JobDescription.IsTemporaryId(job.JobStoreId))
        {
            await store.AssignJobIdAsync(job, cancellationToken).ConfigureAwait(false);
        }

        await store.CreateJobsAsync([job], cancellationToken).ConfigureAwait(false);
        return job.JobStoreId;
    }

    /// <summary>Creates a job and records it as the root job.</summary>
    /// <param name="store">The store.</param>
    /// <param name="job">The description.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The root job's ID.</returns>
    public static async ValueTask<string> CreateRootJobAsync(this IJobStore store, JobDescription job, CancellationToken cancellationToken = default)
    {
        string id = await store.CreateJobAsync(job, cancellationToken).ConfigureAwait(false);
        await store.SetRootJobIdAsync(id, cancellationToken).ConfigureAwait(false);
        return id;
    }

    /// <summary>Loads the root job.</summary>
    /// <param name="store">The store.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The root job.</returns>
    /// <exception cref="NoSuchJobException">No root job was set, or it has finished (been deleted).</exception>
    public static async ValueTask<JobDescription> LoadRootJobAsync(this IJobStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        string id = await store.GetRootJobIdAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new NoSuchJobException("<root>", "No job has been set as the root in this job store.");
        if (!await store.JobExistsAsync(id, cancellationToken).ConfigureAwait(false))
        {
            throw new NoSuchJobException(id, $"The root job '{id}' doesn't exist. Either the workflow has finished or never started.");
        }

        return await store.LoadJobAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a new file from a stream (copied from its current position).</summary>
    /// <param name="store">The store.</param>
    /// <param name="content">The content.</param>
    /// <param name="jobId">The owning job, or <see langword="null"/>.</param>
    /// <param name="cleanup">Whether the file is deleted with the job.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The file ID.</returns>
    public static ValueTask<string> WriteFileAsync(this IJobStore store, Stream content, string? jobId = null, bool cleanup = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(content);
        return store.WriteFileAsync((s, ct) => new ValueTask(content.CopyToAsync(s, ct)), jobId, cleanup, null, cancellationToken);
    }

    /// <summary>Writes a new file from a local path; the ID ends with the file's name.</summary>
    /// <param name="store">The store.</param>
    /// <param name="localPath">The local file.</param>
    /// <param name="jobId">The owning job, or <see langword="null"/>.</param>
    /// <param name="cleanup">Whether the file is deleted with the job.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The file ID.</returns>
    public static ValueTask<string> WriteFileAsync(this IJobStore store, string localPath, string? jobId = null, bool cleanup = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(localPath);
        return store.WriteFileAsync(
            async (s, ct) =>
            {
                var source = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
                await using (source.ConfigureAwait(false))
                {
                    await source.CopyToAsync(s, ct).ConfigureAwait(false);
                }
            },
            jobId,
            cleanup,
            Path.GetFileName(localPath),
            cancellationToken);
    }

    /// <summary>Writes a new file holding <paramref name="content"/>.</summary>
    /// <param name="store">The store.</param>
    /// <param name="content">The bytes.</param>
    /// <param name="jobId">The owning job, or <see langword="null"/>.</param>
    /// <param name="cleanup">Whether the file is deleted with the job.</param>
    /// <param name="baseName">The last component of the ID.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The file ID.</returns>
    public static ValueTask<string> WriteFileAsync(this IJobStore store, ReadOnlyMemory<byte> content, string? jobId = null, bool cleanup = false, string? baseName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.WriteFileAsync((s, ct) => s.WriteAsync(content, ct), jobId, cleanup, baseName, cancellationToken);
    }

    /// <summary>Creates an empty file and returns its ID.</summary>
    /// <param name="store">The store.</param>
    /// <param name="jobId">The owning job, or <see langword="null"/>.</param>
    /// <param name="cleanup">Whether the file is deleted with the job.</param>
    /// <param name="baseName">The last component of the ID.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The file ID.</returns>
    public static ValueTask<string> GetEmptyFileIdAsync(this IJobStore store, string? jobId = null, bool cleanup = false, string? baseName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.WriteFileAsync((_, _) => ValueTask.CompletedTask, jobId, cleanup, baseName, cancellationToken);
    }

    /// <summary>Copies a file's content into <paramref name="destination"/>.</summary>
    /// <param name="store">The store.</param>
    /// <param name="fileId">The file ID.</param>
    /// <param name="destination">The stream to write to.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the copy is done.</returns>
    public static async ValueTask ReadFileAsync(this IJobStore store, string fileId, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(destination);
        var source = await store.OpenReadFileAsync(fileId, cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            await source.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Copies a file to a local path (a private copy: changing it never changes the store).</summary>
    /// <param name="store">The store.</param>
    /// <param name="fileId">The file ID.</param>
    /// <param name="localPath">The destination path; replaced if it exists.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the copy is done.</returns>
    public static async ValueTask ReadFileAsync(this IJobStore store, string fileId, string localPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(localPath);
        string temp = localPath + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (target.ConfigureAwait(false))
            {
                await store.ReadFileAsync(fileId, target, cancellationToken).ConfigureAwait(false);
            }

            File.Move(temp, localPath, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Reads a whole file into memory.</summary>
    /// <param name="store">The store.</param>
    /// <param name="fileId">The file ID.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The bytes.</returns>
    public static async ValueTask<byte[]> ReadAllBytesAsync(this IJobStore store, string fileId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var source = await store.OpenReadFileAsync(fileId, cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            // A stream that knows its length is read straight into one array (a job body is read so for every job).
            if (source.CanSeek && source.Length - source.Position is var length and >= 0 and <= 1 << 20)
            {
                byte[] bytes = new byte[length];
                int read = await source.ReadAtLeastAsync(bytes, bytes.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                if (read == bytes.Length)
                {
                    using var rest = new MemoryStream();
                    await source.CopyToAsync(rest, cancellationToken).ConfigureAwait(false);
                    return rest.Length == 0 ? bytes : [.. bytes, .. rest.ToArray()];
                }

                return bytes[..read];
            }

            using var buffer = new MemoryStream();
            await source.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }

    /// <summary>Replaces a file's content with a stream's (atomic).</summary>
    /// <param name="store">The store.</param>
    /// <param name="fileId">The file ID.</param>
    /// <param name="content">The new content.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the update is durable.</returns>
    public static ValueTask UpdateFileAsync(this IJobStore store, string fileId, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(content);
        return store.UpdateFileAsync(fileId, (s, ct) => new ValueTask(content.CopyToAsync(s, ct)), cancellationToken);
    }

    /// <summary>Writes a shared file from a stream.</summary>
    /// <param name="store">The store.</param>
    /// <param name="name">The shared file name.</param>
    /// <param name="content">The content.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the write is durable.</returns>
    public static ValueTask WriteSharedFileAsync(this IJobStore store, string name, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(content);
        return store.WriteSharedFileAsync(name, (s, ct) => new ValueTask(content.CopyToAsync(s, ct)), cancellationToken);
    }

    /// <summary>Writes a shared file holding <paramref name="content"/>.</summary>
    /// <param name="store">The store.</param>
    /// <param name="name">The shared file name.</param>
    /// <param name="content">The bytes.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the write is durable.</returns>
    public static ValueTask WriteSharedFileAsync(this IJobStore store, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.WriteSharedFileAsync(name, (s, ct) => s.WriteAsync(content, ct), cancellationToken);
    }

    /// <summary>Copies a shared file into <paramref name="destination"/>.</summary>
    /// <param name="store">The store.</param>
    /// <param name="name">The shared file name.</param>
    /// <param name="destination">The stream to write to.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the copy is done.</returns>
    public static async ValueTask ReadSharedFileAsync(this IJobStore store, string name, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(destination);
        var source = await store.OpenReadSharedFileAsync(name, cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            await source.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads a whole shared file into memory.</summary>
    /// <param name="store">The store.</param>
    /// <param name="name">The shared file name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The bytes.</returns>
    public static async ValueTask<byte[]> ReadSharedFileBytesAsync(this IJobStore store, string name, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await store.ReadSharedFileAsync(name, buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>Writes a UTF-8 stats/log message.</summary>
    /// <param name="store">The store.</param>
    /// <param name="message">The message text.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the message is durable.</returns>
    public static ValueTask WriteLogsAsync(this IJobStore store, string message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.WriteLogsAsync(Encoding.UTF8.GetBytes(message ?? string.Empty), cancellationToken);
    }

    /// <summary>
    /// Drops successors and service hosts that no longer exist in the store (Toil's
    /// <c>clear_nonexistent_dependents</c>); in memory only.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="job">The description to filter.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the filter is done.</returns>
    public static async ValueTask ClearNonexistentDependentsAsync(this IJobStore store, JobDescription job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(job);
        var existing = new HashSet<string>(StringComparer.Ordinal);
        foreach (string id in job.SuccessorsAndServiceHosts().Distinct().ToList())
        {
            if (await store.JobExistsAsync(id, cancellationToken).ConfigureAwait(false))
            {
                existing.Add(id);
            }
        }

        job.FilterSuccessors(existing.Contains);
        job.FilterServiceHosts(existing.Contains);
    }
}
