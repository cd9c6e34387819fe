using System.Collections.Concurrent;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Tests.FileStores;

/// <summary>
/// An <see cref="IJobStore"/> decorator over an <see cref="InMemoryJobStore"/> that records every write in order and
/// lets a test hold or fail job updates.
/// </summary>
internal sealed class RecordingJobStore(InMemoryJobStore inner) : IJobStore
{
    public RecordingJobStore()
        : this(new InMemoryJobStore())
    {
    }

    public InMemoryJobStore Inner { get; } = inner;

    /// <summary>Every write, in order: <c>assign:id</c>, <c>create:id,id</c>, <c>update:id:journal=a,b</c>, <c>write-file:id</c>, <c>update-file:id</c>, <c>delete-file:id</c>, <c>delete-job:id</c>.</summary>
    public ConcurrentQueue<string> Events { get; } = new();

    /// <summary>Runs before each job update (after recording it); may wait or throw.</summary>
    public Func<JobDescription, CancellationToken, Task>? BeforeUpdate { get; set; }

    /// <summary>Runs before each job deletion (after recording it); may wait or throw.</summary>
    public Func<string, Task>? BeforeDeleteJob { get; set; }

    /// <summary>Runs before each file deletion; may wait or throw.</summary>
    public Func<string, Task>? BeforeDeleteFile { get; set; }

    public string Locator => Inner.Locator;

    public WorkflowConfig Config => Inner.Config;

    public List<string> EventList => [.. Events];

    public async ValueTask<string> AssignJobIdAsync(JobDescription job, CancellationToken cancellationToken = default)
    {
        string id = await Inner.AssignJobIdAsync(job, cancellationToken);
        Events.Enqueue("assign:" + id);
        return id;
    }

    public ValueTask CreateJobsAsync(IReadOnlyCollection<JobDescription> jobs, CancellationToken cancellationToken = default)
    {
        Events.Enqueue("create:" + string.Join(",", jobs.Select(j => j.JobStoreId)));
        return Inner.CreateJobsAsync(jobs, cancellationToken);
    }

    public ValueTask<JobDescription> LoadJobAsync(string jobId, CancellationToken cancellationToken = default) => Inner.LoadJobAsync(jobId, cancellationToken);

    public async ValueTask UpdateJobAsync(JobDescription job, CancellationToken cancellationToken = default)
    {
        Events.Enqueue($"update:{job.JobStoreId}:journal={string.Join(",", job.FilesToDelete)}");
        if (BeforeUpdate is { } hook)
        {
            await hook(job, cancellationToken);
        }

        await Inner.UpdateJobAsync(job, cancellationToken);
    }

    public async ValueTask DeleteJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        Events.Enqueue("delete-job:" + jobId);
        if (BeforeDeleteJob is { } before)
        {
            await before(jobId);
        }

        await Inner.DeleteJobAsync(jobId, cancellationToken);
    }

    public ValueTask<bool> JobExistsAsync(string jobId, CancellationToken cancellationToken = default) => Inner.JobExistsAsync(jobId, cancellationToken);

    public IAsyncEnumerable<JobDescription> ListJobsAsync(CancellationToken cancellationToken = default) => Inner.ListJobsAsync(cancellationToken);

    public ValueTask SetRootJobIdAsync(string jobId, CancellationToken cancellationToken = default) => Inner.SetRootJobIdAsync(jobId, cancellationToken);

    public ValueTask<string?> GetRootJobIdAsync(CancellationToken cancellationToken = default) => Inner.GetRootJobIdAsync(cancellationToken);

    public async ValueTask<string> WriteFileAsync(Func<Stream, CancellationToken, ValueTask> writer, string? jobId = null, bool cleanup = false, string? baseName = null, CancellationToken cancellationToken = default)
    {
        string id = await Inner.WriteFileAsync(writer, jobId, cleanup, baseName, cancellationToken);
        Events.Enqueue("write-file:" + id);
        return id;
    }

    public ValueTask<Stream> OpenReadFileAsync(string fileId, CancellationToken cancellationToken = default) => Inner.OpenReadFileAsync(fileId, cancellationToken);

    public ValueTask UpdateFileAsync(string fileId, Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default)
    {
        Events.Enqueue("update-file:" + fileId);
        return Inner.UpdateFileAsync(fileId, writer, cancellationToken);
    }

    public async ValueTask DeleteFileAsync(string fileId, CancellationToken cancellationToken = default)
    {
        Events.Enqueue("delete-file:" + fileId);
        if (BeforeDeleteFile is { } hook)
        {
            await hook(fileId);
        }

        await Inner.DeleteFileAsync(fileId, cancellationToken);
    }

    public ValueTask<bool> FileExistsAsync(string fileId, CancellationToken cancellationToken = default) => Inner.FileExistsAsync(fileId, cancellationToken);

    public ValueTask<long> GetFileSizeAsync(string fileId, CancellationToken cancellationToken = default) => Inner.GetFileSizeAsync(fileId, cancellationToken);

    public ValueTask WriteSharedFileAsync(string name, Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default) => Inner.WriteSharedFileAsync(name, writer, cancellationToken);

    public ValueTask<Stream> OpenReadSharedFileAsync(string name, CancellationToken cancellationToken = default) => Inner.OpenReadSharedFileAsync(name, cancellationToken);

    public ValueTask<bool> SharedFileExistsAsync(string name, CancellationToken cancellationToken = default) => Inner.SharedFileExistsAsync(name, cancellationToken);

    public ValueTask WriteLogsAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default) => Inner.WriteLogsAsync(message, cancellationToken);

    public ValueTask<int> ReadLogsAsync(Func<Stream, CancellationToken, ValueTask> callback, bool readAll = false, CancellationToken cancellationToken = default) => Inner.ReadLogsAsync(callback, readAll, cancellationToken);

    public ValueTask DestroyAsync(CancellationToken cancellationToken = default) => Inner.DestroyAsync(cancellationToken);

    public ValueTask DisposeAsync() => Inner.DisposeAsync();
}
