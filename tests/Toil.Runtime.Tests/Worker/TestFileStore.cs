using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Toil.Runtime.FileStores;
using Toil.Runtime.Jobs;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

/// <summary>
/// A file store with Toil's commit protocol (journal, update, delete, clear), optionally asynchronous with random delays
/// (like Toil's caching store), recording every commit it writes so tests can check the order.
/// </summary>
internal sealed class TestFileStore : IChainingFileStore
{
    private readonly FileStoreRequest _request;
    private readonly TestFileStoreOptions _options;
    private readonly List<string> _pendingDeletes = [];
    private readonly List<LeaderMessage> _messages = [];
    private readonly List<UserLogStream> _streams = [];
    private Task _commit = Task.CompletedTask;

    public TestFileStore(FileStoreRequest request, TestFileStoreOptions options)
    {
        _request = request;
        _options = options;
    }

    public JobDescription Job => _request.Job;

    // Like NonCachingFileStore, the job directory is made when first asked for.
    public string LocalTempDir
    {
        get
        {
            // As the worker's own store: the run's directory (made only when needed) first.
            _request.EnsureWorkerDirectory?.Invoke();
            return Directory.CreateDirectory(_request.LocalTempDirectory ?? _request.WorkerTempDirectory).FullName;
        }
    }

    public IReadOnlyList<LeaderMessage> LeaderMessages => _messages;

    public IReadOnlyList<UserLogStream> UserStreams => _streams;

    public string GetLocalTempDir() => Directory.CreateDirectory(Path.Combine(LocalTempDir, Guid.NewGuid().ToString("N"))).FullName;

    public string GetLocalTempFile(string suffix = ".tmp", string prefix = "tmp")
    {
        string path = Path.Combine(LocalTempDir, prefix + Guid.NewGuid().ToString("N") + suffix);
        File.WriteAllBytes(path, []);
        return path;
    }

    public ValueTask<string> WriteGlobalFileAsync(string localPath, bool cleanup = false, CancellationToken cancellationToken = default) =>
        WriteGlobalFileStreamAsync(async (s, ct) => await s.WriteAsync(await File.ReadAllBytesAsync(Path.Combine(LocalTempDir, localPath), ct), ct), cleanup, Path.GetFileName(localPath), cancellationToken);

    public ValueTask<string> WriteGlobalFileStreamAsync(Func<Stream, CancellationToken, ValueTask> writer, bool cleanup = false, string? baseName = null, CancellationToken cancellationToken = default) =>
        _request.JobStore.WriteFileAsync(writer, Job.JobStoreId, cleanup, baseName, cancellationToken);

    public async ValueTask<string> ReadGlobalFileAsync(string fileId, string? userPath = null, CancellationToken cancellationToken = default)
    {
        string path = userPath ?? GetLocalTempFile();
        var stream = await _request.JobStore.OpenReadFileAsync(fileId, cancellationToken);
        await using (stream)
        {
            await using var target = File.Create(path);
            await stream.CopyToAsync(target, cancellationToken);
        }

        return path;
    }

    public ValueTask<Stream> ReadGlobalFileStreamAsync(string fileId, CancellationToken cancellationToken = default) => _request.JobStore.OpenReadFileAsync(fileId, cancellationToken);

    public ValueTask<long> GetGlobalFileSizeAsync(string fileId, CancellationToken cancellationToken = default) => _request.JobStore.GetFileSizeAsync(fileId, cancellationToken);

    public void DeleteLocalFile(string fileId) => throw new FileNotFoundException(fileId);

    public ValueTask DeleteGlobalFileAsync(string fileId, CancellationToken cancellationToken = default)
    {
        _pendingDeletes.Add(fileId);
        return ValueTask.CompletedTask;
    }

    public void LogToLeader(string text, LogLevel level = LogLevel.Information) => _messages.Add(new LeaderMessage(text, level));

    public async ValueTask LogUserStreamAsync(string name, Stream stream, CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(stream);
        _streams.Add(new UserLogStream(name, await reader.ReadToEndAsync(cancellationToken)));
    }

    public ValueTask StartCommitAsync(bool jobState = true, CancellationToken cancellationToken = default) => CommitAsync(jobState ? Job : null, cancellationToken);

    public ValueTask StartCommitAsync(JobDescription successor, CancellationToken cancellationToken)
    {
        _options.ChainedCommits++;
        return CommitAsync(successor, cancellationToken);
    }

    private async ValueTask CommitAsync(JobDescription? written, CancellationToken cancellationToken)
    {
        if (!_options.Asynchronous)
        {
            await _request.WaitForPreviousCommit(cancellationToken);
            if (written is not null)
            {
                await WriteAsync(written, [.. _pendingDeletes], cancellationToken);
            }

            return;
        }

        // Like Toil's caching store: snapshot now, reserve the versions the background write will make.
        JobDescription? snapshot = null;
        string[] deletes = [.. _pendingDeletes];
        if (written is not null)
        {
            snapshot = written.Clone();
            written.ReserveVersions(deletes.Length > 0 ? 2 : 1);
        }

        var previous = _request.WaitForPreviousCommit;
        _commit = Task.Run(async () =>
        {
            await previous(CancellationToken.None);
            await Task.Delay(_options.HangCommitOf == snapshot?.JobName ? TimeSpan.FromMinutes(5) : TimeSpan.FromMilliseconds(Random.Shared.Next(0, 30)), CancellationToken.None);
            if (snapshot is not null)
            {
                await WriteAsync(snapshot, deletes, CancellationToken.None);
            }
        }, CancellationToken.None);
    }

    public async ValueTask WaitForCommitAsync(CancellationToken cancellationToken = default) => await _commit.WaitAsync(cancellationToken);

    private async Task WriteAsync(JobDescription job, string[] deletes, CancellationToken cancellationToken)
    {
        if (_options.FailCommitOf is { } name && job.JobName == name)
        {
            throw new IOException($"commit of {name} failed (test)");
        }

        if (job.FilesToDelete.Count > 0)
        {
            throw new InvalidOperationException("a commit is already in flight");
        }

        job.FilesToDelete.AddRange(deletes);
        await _request.JobStore.UpdateJobAsync(job, cancellationToken);
        _options.Commits.Enqueue(new CommitRecord(job.JobStoreId, job.JobName, job.HasBody, job.Version));
        foreach (string id in deletes)
        {
            await _request.JobStore.DeleteFileAsync(id, cancellationToken);
        }

        if (deletes.Length > 0)
        {
            job.FilesToDelete.Clear();
            await _request.JobStore.UpdateJobAsync(job, cancellationToken);
        }
    }
}

internal sealed class TestFileStoreOptions
{
    public bool Asynchronous { get; set; }

    public string? FailCommitOf { get; set; }

    /// <summary>An asynchronous commit of this job never finishes (until the store's wait is cancelled).</summary>
    public string? HangCommitOf { get; set; }

    public ConcurrentQueue<CommitRecord> Commits { get; } = new();

    /// <summary>How many commits wrote a chained successor in place of the job (the folded chaining write).</summary>
    public int ChainedCommits { get; set; }
}

internal sealed record CommitRecord(string JobStoreId, string JobName, bool HasBody, long Version);
