using System.Runtime.CompilerServices;
using Toil.Runtime.Jobs;
using Toil.Runtime.Serialization;

namespace Toil.Runtime.JobStores;

/// <summary>
/// A thread-safe job store held in memory, for unit tests and embedded use. Loads return copies, so a caller can never
/// alias the store's state; records round-trip through the same JSON as the file store, so a test sees exactly what
/// persistence would keep.
/// </summary>
/// <remarks>
/// Every write checks the job as serializing it does (a job the JSON cannot carry is refused as the file store refuses
/// it). Where a deep copy of the job is provably what its JSON reads back as
/// (<see cref="JobDescriptionSerializer.CopyRoundTrips"/>: the usual job), the store keeps the copy instead of the bytes
/// and loads copy it, which spares writing and parsing the JSON per write and load. The copies in and out share the
/// job's successor sets copy-on-write: the stored copy never changes, and a description that shares them takes sets of
/// its own before it changes one, so a change through one copy never reaches another or the stored version
/// (docs/decisions.md#job-model).
/// </remarks>
public sealed class InMemoryJobStore : IJobStore, IJobStoreTraits
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, StoredJob> _jobs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _assigned = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StoredFile> _files = new(StringComparer.Ordinal);

    // Cleanup files by owning job, so deleting a job does not scan every file (a long chain deletes a record per job).
    private readonly Dictionary<string, HashSet<string>> _cleanupFiles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _shared = new(StringComparer.Ordinal);
    private readonly List<byte[]> _inbox = [];
    private readonly List<byte[]> _archive = [];
    private long _nextId;
    private bool _destroyed;

    /// <summary>Creates an empty store.</summary>
    /// <param name="config">The workflow configuration; defaults to <see cref="WorkflowConfig"/>'s defaults.</param>
    public InMemoryJobStore(WorkflowConfig? config = null)
    {
        Config = config ?? new WorkflowConfig();
        _shared[SharedFileNames.Config] = JobDescriptionSerializer.SerializeConfig(Config);
    }

    /// <inheritdoc />
    public string Locator { get; } = "memory:" + Guid.NewGuid().ToString("N");

    /// <inheritdoc />
    public WorkflowConfig Config { get; }

    /// <inheritdoc />
    bool IJobStoreTraits.WritesAreInMemory => true;

    /// <inheritdoc />
    public ValueTask<string> AssignJobIdAsync(JobDescription job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            ThrowIfDestroyed();
            string id = $"kind-{JobStoreIds.Slug(job.JobName)}/instance-{++_nextId:x8}";
            _assigned.Add(id);
            job.JobStoreId = id;
            return ValueTask.FromResult(id);
        }
    }

    /// <inheritdoc />
    public ValueTask CreateJobsAsync(IReadOnlyCollection<JobDescription> jobs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            ThrowIfDestroyed();
            var batch = new HashSet<string>(StringComparer.Ordinal);
            foreach (var job in jobs)
            {
                ArgumentNullException.ThrowIfNull(job, nameof(jobs));
                if (!batch.Add(job.JobStoreId))
                {
                    throw new JobStoreException($"The job '{job.JobStoreId}' appears twice in one batch.");
                }

                if (!_assigned.Contains(job.JobStoreId))
                {
                    throw new InvalidJobStoreIdException(job.JobStoreId, "the ID was not assigned by this job store");
                }

                if (_jobs.ContainsKey(job.JobStoreId))
                {
                    throw new JobStoreException($"The job '{job.JobStoreId}' already exists.");
                }
            }

            // Serialize every job before storing any, so a job that cannot be persisted leaves the batch unwritten.
            var records = new List<byte[]?>(jobs.Count);
            foreach (var job in jobs)
            {
                records.Add(SerializeNextVersion(job));
            }

            int i = 0;
            foreach (var job in jobs)
            {
                job.IncrementVersion();
                job.AssignConfig(Config);
                _jobs[job.JobStoreId] = Stored(job, records[i++]);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<JobDescription> LoadJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        StoredJob entry;
        lock (_lock)
        {
            ThrowIfDestroyed();
            if (jobId is null || !_jobs.TryGetValue(jobId, out entry))
            {
                throw new NoSuchJobException(jobId ?? "<null>");
            }
        }

        // The stored copy is never handed out or changed, so copying it outside the lock is safe.
        var job = entry.Copy?.CopyAsRecord() ?? JobRecords.Deserialize(entry.Record, jobId);
        job.AssignConfig(Config);
        return ValueTask.FromResult(job);
    }

    /// <inheritdoc />
    public ValueTask UpdateJobAsync(JobDescription job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            ThrowIfDestroyed();
            if (!_jobs.TryGetValue(job.JobStoreId, out var current))
            {
                throw new NoSuchJobException(job.JobStoreId);
            }

            long stored = current.Version;
            if (stored != job.Version)
            {
                throw new ConcurrentJobModificationException(job.JobStoreId, job.Version, stored);
            }

            byte[]? record = SerializeNextVersion(job);
            job.IncrementVersion();
            _jobs[job.JobStoreId] = Stored(job, record);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DeleteJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            ThrowIfDestroyed();
            if (jobId is not null && _jobs.Remove(jobId))
            {
                // As in the file store, whose delete removes the job's directory: the ID is no longer valid, and a long
                // run's store does not keep every ID it ever assigned.
                _assigned.Remove(jobId);
                if (_cleanupFiles.Remove(jobId, out var owned))
                {
                    foreach (var id in owned)
                    {
                        _files.Remove(id);
                    }
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> JobExistsAsync(string jobId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            ThrowIfDestroyed();
            return ValueTask.FromResult(jobId is not null && _jobs.ContainsKey(jobId));
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<JobDescription> ListJobsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<string> ids;
        lock (_lock)
        {
            ThrowIfDestroyed();
            ids = [.. _jobs.Keys];
        }

        foreach (string id in ids)
        {
            JobDescription job;
            try
            {
                job = await LoadJobAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (NoSuchJobException)
            {
                continue;
            }

            yield return job;
        }
    }

    /// <inheritdoc />
    public ValueTask SetRootJobIdAsync(string jobId, CancellationToken cancellationToken = default) =>
        WriteSharedFileAsync(SharedFileNames.RootJobId, (s, ct) => s.WriteAsync(System.Text.Encoding.UTF8.GetBytes(jobId), ct), cancellationToken);

    /// <inheritdoc />
    public ValueTask<string?> GetRootJobIdAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            ThrowIfDestroyed();
            return ValueTask.FromResult(_shared.TryGetValue(SharedFileNames.RootJobId, out var b) ? System.Text.Encoding.UTF8.GetString(b) : null);
        }
    }

    /// <inheritdoc />
    public async ValueTask<string> WriteFileAsync(Func<Stream, CancellationToken, ValueTask> writer, string? jobId = null, bool cleanup = false, string? baseName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        lock (_lock)
        {
            ThrowIfDestroyed();
            if (jobId is not null && !_assigned.Contains(jobId))
            {
                throw new NoSuchJobException(jobId);
            }
        }

        byte[] content = await CaptureAsync(writer, cancellationToken).ConfigureAwait(false);
        string name = JobStoreIds.SafeBaseName(baseName);
        string id = jobId is null
            ? $"files-flat/file-{Guid.NewGuid():N}/{name}"
            : $"job-files/{jobId}/{(cleanup ? "cleanup/" : string.Empty)}file-{Guid.NewGuid():N}/{name}";
        lock (_lock)
        {
            ThrowIfDestroyed();
            _files[id] = new StoredFile(content, jobId, cleanup);
            if (cleanup && jobId is not null)
            {
                if (!_cleanupFiles.TryGetValue(jobId, out var owned))
                {
                    owned = new HashSet<string>(StringComparer.Ordinal);
                    _cleanupFiles[jobId] = owned;
                }

                owned.Add(id);
            }
        }

        return id;
    }

    /// <inheritdoc />
    public ValueTask<Stream> OpenReadFileAsync(string fileId, CancellationToken cancellationToken = default)
    {
        JobStoreLimits.ValidateFileId(fileId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            ThrowIfDestroyed();
            return _files.TryGetValue(fileId, out var f)
                ? ValueTask.FromResult<Stream>(new MemoryStream(f.Content, writable: false))
                : throw new NoSuchFileException(fileId);
        }
    }

    /// <inheritdoc />
    bool IJobStoreTraits.TryReadFileInPlace(string fileId, out ReadOnlyMemory<byte> content)
    {
        JobStoreLimits.ValidateFileId(fileId);
        lock (_lock)
        {
            ThrowIfDestroyed();
            if (_files.TryGetValue(fileId, out var f))
            {
                // Never written into after it is stored: an update stores a new array.
                content = f.Content;
                return true;
            }
        }

        content = default;
        return false;
    }

    /// <inheritdoc />
    public async ValueTask UpdateFileAsync(string fileId, Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default)
    {
        JobStoreLimits.ValidateFileId(fileId);
        ArgumentNullException.ThrowIfNull(writer);
        lock (_lock)
        {
            ThrowIfDestroyed();
            if (!_files.ContainsKey(fileId))
            {
                throw new NoSuchFileException(fileId);
            }
        }

        byte[] content = await CaptureAsync(writer, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (!_files.TryGetValue(fileId, out var f))
            {
                throw new NoSuchFileException(fileId);
            }

            _files[fileId] = f with { Content = content };
        }
    }

    /// <inheritdoc />
    public ValueTask DeleteFileAsync(string fileId, CancellationToken cancellationToken = default)
    {
        JobStoreLimits.ValidateFileId(fileId);
        lock (_lock)
        {
            ThrowIfDestroyed();
            if (_files.Remove(fileId, out var removed) && removed.Cleanup && removed.JobId is { } owner && _cleanupFiles.TryGetValue(owner, out var owned))
            {
                owned.Remove(fileId);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> FileExistsAsync(string fileId, CancellationToken cancellationToken = default)
    {
        JobStoreLimits.ValidateFileId(fileId);
        lock (_lock)
        {
            ThrowIfDestroyed();
            return ValueTask.FromResult(_files.ContainsKey(fileId));
        }
    }

    /// <inheritdoc />
    public ValueTask<long> GetFileSizeAsync(string fileId, CancellationToken cancellationToken = default)
    {
        JobStoreLimits.ValidateFileId(fileId);
        lock (_lock)
        {
            ThrowIfDestroyed();
            return ValueTask.FromResult(_files.TryGetValue(fileId, out var f) ? (long)f.Content.Length : 0L);
        }
    }

    /// <inheritdoc />
    public async ValueTask WriteSharedFileAsync(string name, Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default)
    {
        JobStoreLimits.ValidateSharedFileName(name);
        ArgumentNullException.ThrowIfNull(writer);
        byte[] content = await CaptureAsync(writer, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            ThrowIfDestroyed();
            _shared[name] = content;
        }
    }

    /// <inheritdoc />
    public ValueTask<Stream> OpenReadSharedFileAsync(string name, CancellationToken cancellationToken = default)
    {
        JobStoreLimits.ValidateSharedFileName(name);
        lock (_lock)
        {
            ThrowIfDestroyed();
            return _shared.TryGetValue(name, out var b)
                ? ValueTask.FromResult<Stream>(new MemoryStream(b, writable: false))
                : throw new NoSuchFileException(name);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> SharedFileExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        JobStoreLimits.ValidateSharedFileName(name);
        lock (_lock)
        {
            ThrowIfDestroyed();
            return ValueTask.FromResult(_shared.ContainsKey(name));
        }
    }

    /// <inheritdoc />
    public ValueTask WriteLogsAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            ThrowIfDestroyed();
            _inbox.Add(message.ToArray());
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask WriteLogsAsync(Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);

        // The message is kept in memory anyway: captured once, not copied again as the buffering default would.
        byte[] message = await CaptureMessageAsync(writer, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            ThrowIfDestroyed();
            _inbox.Add(message);
        }
    }

    /// <inheritdoc />
    public async ValueTask<int> ReadLogsAsync(Func<Stream, CancellationToken, ValueTask> callback, bool readAll = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        int count = 0;
        if (readAll)
        {
            List<byte[]> archived;
            lock (_lock)
            {
                archived = [.. _archive];
            }

            foreach (var m in archived)
            {
                using var s = new MemoryStream(m, writable: false);
                await callback(s, cancellationToken).ConfigureAwait(false);
                count++;
            }
        }

        while (true)
        {
            byte[] next;
            lock (_lock)
            {
                ThrowIfDestroyed();
                if (_inbox.Count == 0)
                {
                    break;
                }

                next = _inbox[0];
            }

            using (var s = new MemoryStream(next, writable: false))
            {
                await callback(s, cancellationToken).ConfigureAwait(false);
            }

            count++;
            lock (_lock)
            {
                // Another reader may have archived it meanwhile (at-least-once delivery).
                if (_inbox.Remove(next))
                {
                    _archive.Add(next);
                }
            }
        }

        return count;
    }

    /// <inheritdoc />
    public ValueTask DestroyAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _jobs.Clear();
            _assigned.Clear();
            _files.Clear();
            _cleanupFiles.Clear();
            _shared.Clear();
            _inbox.Clear();
            _archive.Clear();
            _destroyed = true;
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Replaces a job's stored record with raw bytes, as corruption would; for the conformance tests.</summary>
    /// <param name="jobId">An existing job.</param>
    /// <param name="record">The bytes.</param>
    internal void OverwriteRecord(string jobId, byte[] record)
    {
        lock (_lock)
        {
            ThrowIfDestroyed();
            var current = _jobs.TryGetValue(jobId, out var entry) ? entry : throw new NoSuchJobException(jobId);
            _jobs[jobId] = new StoredJob(current.Version, record, null);
        }
    }

    /// <summary>What to keep for <paramref name="job"/>, just written at its current version: a copy, or else its record.</summary>
    private static StoredJob Stored(JobDescription job, byte[]? record) =>
        record is null ? new StoredJob(job.Version, [], job.CopyAsRecord()) : new StoredJob(job.Version, record, null);

    /// <summary>
    /// The record of <paramref name="job"/> at its next version, or <see langword="null"/> when the job serializes and a
    /// copy will be kept instead; leaves <paramref name="job"/> unchanged if serializing throws.
    /// </summary>
    private static byte[]? SerializeNextVersion(JobDescription job)
    {
        var (version, writer) = (job.Version, job.VersionWriter);
        job.IncrementVersion();
        try
        {
            if (JobDescriptionSerializer.CopyRoundTrips(job))
            {
                JobDescriptionSerializer.EnsureSerializable(job);
                return null;
            }

            return JobDescriptionSerializer.Serialize(job);
        }
        finally
        {
            (job.Version, job.VersionWriter) = (version, writer);
        }
    }

    private static async ValueTask<byte[]> CaptureAsync(Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var buffer = new MemoryStream();
        await writer(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    // A log message's writer only appends (the worker's stats composition): pooled growth, so only the kept array is
    // allocated. File writers keep the seekable MemoryStream above.
    private static async ValueTask<byte[]> CaptureMessageAsync(Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var buffer = new PooledCaptureStream();
        await writer(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private void ThrowIfDestroyed()
    {
        if (_destroyed)
        {
            throw new NoSuchJobStoreException(Locator);
        }
    }

    private sealed record StoredFile(byte[] Content, string? JobId, bool Cleanup);

    /// <summary>A stored job: a copy of the description when it round-trips exactly, else its serialized record.</summary>
    private readonly record struct StoredJob(long Version, byte[] Record, JobDescription? Copy);
}
