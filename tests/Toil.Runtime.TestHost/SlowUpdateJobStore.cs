using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.TestHost;

/// <summary>
/// A job store whose job updates each wait a fixed delay first (a slow disk): a chain's writes stay in flight while the
/// next jobs run, so a worker's group commits (docs/decisions.md#group-commits) coalesce several jobs per write.
/// </summary>
/// <param name="inner">The store that does the work (and is disposed with this one).</param>
/// <param name="delay">The wait before each job update.</param>
public sealed class SlowUpdateJobStore(IJobStore inner, TimeSpan delay) : IJobStore
{
    /// <inheritdoc />
    public string Locator => inner.Locator;

    /// <inheritdoc />
    public WorkflowConfig Config => inner.Config;

    /// <inheritdoc />
    public ValueTask<string> AssignJobIdAsync(JobDescription job, CancellationToken cancellationToken = default) => inner.AssignJobIdAsync(job, cancellationToken);

    /// <inheritdoc />
    public ValueTask CreateJobsAsync(IReadOnlyCollection<JobDescription> jobs, CancellationToken cancellationToken = default) => inner.CreateJobsAsync(jobs, cancellationToken);

    /// <inheritdoc />
    public ValueTask<JobDescription> LoadJobAsync(string jobId, CancellationToken cancellationToken = default) => inner.LoadJobAsync(jobId, cancellationToken);

    /// <summary>Waits the delay, then updates the job in the inner store.</summary>
    /// <param name="job">The job.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the update is durable.</returns>
    public async ValueTask UpdateJobAsync(JobDescription job, CancellationToken cancellationToken = default)
    {
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        await inner.UpdateJobAsync(job, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask DeleteJobAsync(string jobId, CancellationToken cancellationToken = default) => inner.DeleteJobAsync(jobId, cancellationToken);

    /// <inheritdoc />
    public ValueTask DeleteJobsAsync(IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken = default) => inner.DeleteJobsAsync(jobIds, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> JobExistsAsync(string jobId, CancellationToken cancellationToken = default) => inner.JobExistsAsync(jobId, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<JobDescription> ListJobsAsync(CancellationToken cancellationToken = default) => inner.ListJobsAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask SetRootJobIdAsync(string jobId, CancellationToken cancellationToken = default) => inner.SetRootJobIdAsync(jobId, cancellationToken);

    /// <inheritdoc />
    public ValueTask<string?> GetRootJobIdAsync(CancellationToken cancellationToken = default) => inner.GetRootJobIdAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask<string> WriteFileAsync(Func<Stream, CancellationToken, ValueTask> writer, string? jobId = null, bool cleanup = false, string? baseName = null, CancellationToken cancellationToken = default) => inner.WriteFileAsync(writer, jobId, cleanup, baseName, cancellationToken);

    /// <inheritdoc />
    public ValueTask<Stream> OpenReadFileAsync(string fileId, CancellationToken cancellationToken = default) => inner.OpenReadFileAsync(fileId, cancellationToken);

    /// <inheritdoc />
    public ValueTask UpdateFileAsync(string fileId, Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default) => inner.UpdateFileAsync(fileId, writer, cancellationToken);

    /// <inheritdoc />
    public ValueTask DeleteFileAsync(string fileId, CancellationToken cancellationToken = default) => inner.DeleteFileAsync(fileId, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> FileExistsAsync(string fileId, CancellationToken cancellationToken = default) => inner.FileExistsAsync(fileId, cancellationToken);

    /// <inheritdoc />
    public ValueTask<long> GetFileSizeAsync(string fileId, CancellationToken cancellationToken = default) => inner.GetFileSizeAsync(fileId, cancellationToken);

    /// <inheritdoc />
    public ValueTask WriteSharedFileAsync(string name, Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default) => inner.WriteSharedFileAsync(name, writer, cancellationToken);

    /// <inheritdoc />
    public ValueTask<Stream> OpenReadSharedFileAsync(string name, CancellationToken cancellationToken = default) => inner.OpenReadSharedFileAsync(name, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> SharedFileExistsAsync(string name, CancellationToken cancellationToken = default) => inner.SharedFileExistsAsync(name, cancellationToken);

    /// <inheritdoc />
    public ValueTask WriteLogsAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default) => inner.WriteLogsAsync(message, cancellationToken);

    /// <inheritdoc />
    public ValueTask WriteLogsAsync(Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default) => inner.WriteLogsAsync(writer, cancellationToken);

    /// <inheritdoc />
    public ValueTask<int> ReadLogsAsync(Func<Stream, CancellationToken, ValueTask> callback, bool readAll = false, CancellationToken cancellationToken = default) => inner.ReadLogsAsync(callback, readAll, cancellationToken);

    /// <inheritdoc />
    public ValueTask DestroyAsync(CancellationToken cancellationToken = default) => inner.DestroyAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
