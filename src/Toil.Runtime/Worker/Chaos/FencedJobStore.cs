using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Worker;

/// <summary>A job store whose writes fail once the run's <see cref="ChaosFence"/> has tripped (reads still work).</summary>
internal sealed class FencedJobStore(IJobStore inner, ChaosFence fence) : IJobStore
{
    public string Locator => inner.Locator;

    public WorkflowConfig Config => inner.Config;

    public ValueTask<string> AssignJobIdAsync(JobDescription job, CancellationToken cancellationToken = default)
    {
        fence.ThrowIfTripped();
        return inner.AssignJobIdAsync(job, cancellationToken);
    }

    public ValueTask CreateJobsAsync(IReadOnlyCollection<JobDescription> jobs, CancellationToken cancellationToken = default)
    {
        fence.ThrowIfTripped();
        return inner.CreateJobsAsync(jobs, cancellationToken);
    }

    public ValueTask<JobDescription> LoadJobAsync(string jobId, CancellationToken cancellationToken = default) => inner.LoadJobAsync(jobId, cancellationToken);

    public ValueTask UpdateJobAsync(JobDescription job, CancellationToken cancellationToken = default)
    {
        fence.ThrowIfTripped();
        return inner.UpdateJobAsync(job, cancellationToken);
    }

    public ValueTask DeleteJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        fence.ThrowIfTripped();
        return inner.DeleteJobAsync(jobId, cancellationToken);
    }

    public ValueTask DeleteJobsAsync(IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken = default)
    {
        fence.ThrowIfTripped();
        return inner.DeleteJobsAsync(jobIds, cancellationToken);
    }

    public ValueTask<bool> JobExistsAsync(string jobId, CancellationToken cancellationToken = default) => inner.JobExistsAsync(jobId, cancellationToken);

    public IAsyncEnumerable<JobDescription> ListJobsAsync(CancellationToken cancellationToken = default) => inner.ListJobsAsync(cancellationToken);

    public ValueTask SetRootJobIdAsync(string jobId, CancellationToken cancellationToken = default)
    {
        fence.ThrowIfTripped();
        return inner.SetRootJobIdAsync(jobId, cancellationToken);
    }

    public ValueTask<string?> GetRootJobIdAsync(CancellationToken cancellationToken = default) => inner.GetRootJobIdAsync(cancellationToken);

    public ValueTask<string> WriteFileAsync(Func<Stream, CancellationToken, ValueTask> writer, string? jobId = null, bool cleanup = false, string? baseName = null, CancellationToken cancellationToken = default)
    {
        fence.ThrowIfTripped();
        return inner.WriteFileAsync(writer, jobId, cleanup, baseName, cancellationToken);
    }

    public ValueTask<Stream> OpenReadFileAsync(string fileId, CancellationToken cancellationToken = default) => inner.OpenReadFileAsync(fileId, cancellationToken);

    public ValueTask UpdateFileAsync(string fileId, Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default)
    {
        fence.ThrowIfTripped();
        return inner.UpdateFileAsync(fileId, writer, cancellationToken);
    }

    public ValueTask DeleteFileAsync(string fileId, CancellationToken cancellationToken = default)
    {
        fence.ThrowIfTripped();
        return inner.DeleteFileAsync(fileId, cancellationToken);
    }

    public ValueTask<bool> FileExistsAsync(string fileId, CancellationToken cancellationToken = default) => inner.FileExistsAsync(fileId, cancellationToken);

    public ValueTask<long> GetFileSizeAsync(string fileId, CancellationToken cancellationToken = default) => inner.GetFileSizeAsync(fileId, cancellationToken);

    public ValueTask WriteSharedFileAsync(string name, Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default)
    {
        fence.ThrowIfTripped();
        return inner.WriteSharedFileAsync(name, writer, cancellationToken);
    }

    public ValueTask<Stream> OpenReadSharedFileAsync(string name, CancellationToken cancellationToken = default) => inner.OpenReadSharedFileAsync(name, cancellationToken);

    public ValueTask<bool> SharedFileExistsAsync(string name, CancellationToken cancellationToken = default) => inner.SharedFileExistsAsync(name, cancellationToken);

    public ValueTask WriteLogsAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        fence.ThrowIfTripped();
        return inner.WriteLogsAsync(message, cancellationToken);
    }

    public ValueTask WriteLogsAsync(Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default)
    {
        fence.ThrowIfTripped();
        return inner.WriteLogsAsync(writer, cancellationToken);
    }

    public ValueTask<int> ReadLogsAsync(Func<Stream, CancellationToken, ValueTask> callback, bool readAll = false, CancellationToken cancellationToken = default)
    {
        fence.ThrowIfTripped();
        return inner.ReadLogsAsync(callback, readAll, cancellationToken);
    }

    public ValueTask DestroyAsync(CancellationToken cancellationToken = default)
    {
        fence.ThrowIfTripped();
        return inner.DestroyAsync(cancellationToken);
    }

    // The run does not own the store it was given.
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
