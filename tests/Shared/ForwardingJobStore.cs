using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Testing.Stores;

/// <summary>
/// A job store that hands every call to an inner store: a test's store derives from it and overrides only the calls it
/// changes (a slow update, a hook after a listing). Compiled into each test project that needs it (tests/Shared).
/// </summary>
/// <param name="inner">The store that does the work (and is disposed with this one).</param>
public abstract class ForwardingJobStore(IJobStore inner) : IJobStore
{
    /// <summary>Gets the store that does the work.</summary>
    protected IJobStore Inner => inner;

    /// <inheritdoc />
    public virtual string Locator => inner.Locator;

    /// <inheritdoc />
    public virtual WorkflowConfig Config => inner.Config;

    /// <inheritdoc />
    public virtual ValueTask<string> AssignJobIdAsync(JobDescription job, CancellationToken cancellationToken = default) => inner.AssignJobIdAsync(job, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask CreateJobsAsync(IReadOnlyCollection<JobDescription> jobs, CancellationToken cancellationToken = default) => inner.CreateJobsAsync(jobs, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<JobDescription> LoadJobAsync(string jobId, CancellationToken cancellationToken = default) => inner.LoadJobAsync(jobId, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask UpdateJobAsync(JobDescription job, CancellationToken cancellationToken = default) => inner.UpdateJobAsync(job, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask DeleteJobAsync(string jobId, CancellationToken cancellationToken = default) => inner.DeleteJobAsync(jobId, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask DeleteJobsAsync(IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken = default) => inner.DeleteJobsAsync(jobIds, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<bool> JobExistsAsync(string jobId, CancellationToken cancellationToken = default) => inner.JobExistsAsync(jobId, cancellationToken);

    /// <inheritdoc />
    public virtual IAsyncEnumerable<JobDescription> ListJobsAsync(CancellationToken cancellationToken = default) => inner.ListJobsAsync(cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask SetRootJobIdAsync(string jobId, CancellationToken cancellationToken = default) => inner.SetRootJobIdAsync(jobId, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<string?> GetRootJobIdAsync(CancellationToken cancellationToken = default) => inner.GetRootJobIdAsync(cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<string> WriteFileAsync(Func<Stream, CancellationToken, ValueTask> writer, string? jobId = null, bool cleanup = false, string? baseName = null, CancellationToken cancellationToken = default) => inner.WriteFileAsync(writer, jobId, cleanup, baseName, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<Stream> OpenReadFileAsync(string fileId, CancellationToken cancellationToken = default) => inner.OpenReadFileAsync(fileId, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask UpdateFileAsync(string fileId, Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default) => inner.UpdateFileAsync(fileId, writer, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask DeleteFileAsync(string fileId, CancellationToken cancellationToken = default) => inner.DeleteFileAsync(fileId, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<bool> FileExistsAsync(string fileId, CancellationToken cancellationToken = default) => inner.FileExistsAsync(fileId, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<long> GetFileSizeAsync(string fileId, CancellationToken cancellationToken = default) => inner.GetFileSizeAsync(fileId, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask WriteSharedFileAsync(string name, Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default) => inner.WriteSharedFileAsync(name, writer, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<Stream> OpenReadSharedFileAsync(string name, CancellationToken cancellationToken = default) => inner.OpenReadSharedFileAsync(name, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<bool> SharedFileExistsAsync(string name, CancellationToken cancellationToken = default) => inner.SharedFileExistsAsync(name, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask WriteLogsAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default) => inner.WriteLogsAsync(message, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask WriteLogsAsync(Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default) => inner.WriteLogsAsync(writer, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<int> ReadLogsAsync(Func<Stream, CancellationToken, ValueTask> callback, bool readAll = false, CancellationToken cancellationToken = default) => inner.ReadLogsAsync(callback, readAll, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask DestroyAsync(CancellationToken cancellationToken = default) => inner.DestroyAsync(cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync() => inner.DisposeAsync();
}
