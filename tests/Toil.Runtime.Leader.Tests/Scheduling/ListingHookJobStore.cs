using System.Runtime.CompilerServices;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Leader.Tests.Scheduling;

/// <summary>
/// A job store that runs a hook once, right after its first listing of the jobs: another writer (an orphaned worker of a
/// killed leader) committing between a restart clean-up's listing and its walk.
/// </summary>
/// <param name="inner">The store that does the work (and is disposed with this one).</param>
/// <param name="afterListing">What the other writer does.</param>
internal sealed class ListingHookJobStore(IJobStore inner, Func<ValueTask> afterListing) : IJobStore
{
    private Func<ValueTask>? _afterListing = afterListing;

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

    /// <inheritdoc />
    public ValueTask UpdateJobAsync(JobDescription job, CancellationToken cancellationToken = default) => inner.UpdateJobAsync(job, cancellationToken);

    /// <inheritdoc />
    public ValueTask DeleteJobAsync(string jobId, CancellationToken cancellationToken = default) => inner.DeleteJobAsync(jobId, cancellationToken);

    /// <inheritdoc />
    public ValueTask DeleteJobsAsync(IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken = default) => inner.DeleteJobsAsync(jobIds, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> JobExistsAsync(string jobId, CancellationToken cancellationToken = default) => inner.JobExistsAsync(jobId, cancellationToken);

    /// <summary>Lists the inner store's jobs, then runs the hook once (before the enumeration ends).</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The jobs.</returns>
    public async IAsyncEnumerable<JobDescription> ListJobsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var job in inner.ListJobsAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return job;
        }

        if (Interlocked.Exchange(ref _afterListing, null) is { } hook)
        {
            await hook().ConfigureAwait(false);
        }
    }

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
