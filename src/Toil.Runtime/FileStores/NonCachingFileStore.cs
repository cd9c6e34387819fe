using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.FileStores;

/// <summary>
/// The default per-job file store (Toil's <c>NonCachingFileStore</c>): global files go straight to the job store, local
/// copies are always private copies, and the commit is synchronous and journaled (docs/worker-algorithm.md, "Commit order").
/// </summary>
/// <remarks>
/// <para>
/// A worker creates one instance per job attempt and one per chained-successor commit, each given the previous
/// store's <see cref="WaitForCommitAsync"/> as its <c>waitForPreviousCommit</c>, so commit N+1 never writes the job
/// store before commit N is durable. A commit failure is kept on the instance (never in process-global state, docs/decisions.md#failure-state-per-run
///): <see cref="StartCommitAsync"/> throws it, and every later <see cref="WaitForCommitAsync"/> of this store and of
/// the stores chained after it rethrows it.
/// </para>
/// <para>
/// Unlike Toil, a file this job deleted with <see cref="DeleteGlobalFileAsync"/> cannot be read again by this job
/// (<see cref="NoSuchFileException"/>), and <see cref="ReadGlobalFileAsync"/> never links into the job store.
/// </para>
/// <para>The members are thread-safe, except that a commit must not overlap other calls.</para>
/// </remarks>
public sealed class NonCachingFileStore : IFileStore, IChainingFileStore, IReportingFileStore
{
    private readonly IJobStore _jobStore;
    private readonly ILogger _logger;
    private Func<CancellationToken, ValueTask>? _waitForPreviousCommit;
    private readonly Lock _lock = new();

    // Made on first use, under _lock: a trivial chained job uses none of them but the leader messages, and a worker makes
    // one or two stores per job (docs/performance.md, "CPU per chained job").
    private Dictionary<string, List<string>>? _localFiles;
    private List<string>? _pendingDeletes;
    private HashSet<string>? _deleted;
    private List<string>? _accessLog;
    private List<LeaderMessage>? _leaderMessages;
    private List<UserLogStream>? _userStreams;
    private readonly string _localTempPath;
    private readonly UnixFileMode? _localTempMode;
    private readonly Action? _ensureParent;
    private volatile bool _localTempCreated;
    private Task? _commit;
    private bool _commitStarted;
    private readonly bool _asynchronousCommit;
    private readonly ByteCount _bytesRead = new();
    private readonly ByteCount _bytesWritten = new();

    /// <summary>Creates the store for one job attempt or one chained-successor commit.</summary>
    /// <param name="jobStore">The job store the job lives in.</param>
    /// <param name="job">The live description of the job; the commit writes it.</param>
    /// <param name="jobTempDirectory">The job's own temporary directory; created if missing.</param>
    /// <param name="logger">The logger that writes into the worker log.</param>
    /// <param name="waitForPreviousCommit">
    /// Completes when the previous store's commit is durable and throws its failure (the previous store's
    /// <see cref="WaitForCommitAsync"/>), or <see langword="null"/> for the first store of a worker run.
    /// </param>
    public NonCachingFileStore(IJobStore jobStore, JobDescription job, string jobTempDirectory, ILogger logger, Func<CancellationToken, ValueTask>? waitForPreviousCommit = null)
        : this(jobStore, job, jobTempDirectory, logger, waitForPreviousCommit, localTempMode: null)
    {
        _ = LocalTempDir;
    }

    // The worker's stores make the job directory (with the worker's mode) only when the job first asks for local disk
    // (LocalTempDir, GetLocalTempDir, GetLocalTempFile, a read to a name under it): most jobs, chained ones above all,
    // never do, and a mkdir per job was a third of a trivial chain's CPU.
    // A worker that made its temporary directory itself names each job's directory once and never makes it before the
    // job asks (localTempKnownAbsent): it is known not to exist, so the store neither stats nor normalizes the path.
    // A run that makes its own directory only when something needs it (ensureParent) makes it before the job's.
    internal NonCachingFileStore(IJobStore jobStore, JobDescription job, string jobTempDirectory, ILogger logger, Func<CancellationToken, ValueTask>? waitForPreviousCommit, UnixFileMode? localTempMode, bool asynchronousCommit = false, bool localTempKnownAbsent = false, Action? ensureParent = null)
    {
        _ensureParent = ensureParent;
        _asynchronousCommit = asynchronousCommit;
        _jobStore = jobStore ?? throw new ArgumentNullException(nameof(jobStore));
        Job = job ?? throw new ArgumentNullException(nameof(job));
        ArgumentException.ThrowIfNullOrEmpty(jobTempDirectory);
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _waitForPreviousCommit = waitForPreviousCommit;
        _localTempPath = localTempKnownAbsent ? jobTempDirectory : Path.GetFullPath(jobTempDirectory);
        _localTempMode = localTempMode;
        _localTempCreated = !localTempKnownAbsent && Directory.Exists(_localTempPath);
    }

    /// <inheritdoc />
    public JobDescription Job { get; }

    /// <inheritdoc />
    /// <remarks>Reading it creates the directory if it does not exist yet.</remarks>
    public string LocalTempDir
    {
        get
        {
            if (!_localTempCreated)
            {
                _ensureParent?.Invoke();
                if (_localTempMode is { } mode && !OperatingSystem.IsWindows())
                {
                    Directory.CreateDirectory(_localTempPath, mode);
                }
                else
                {
                    Directory.CreateDirectory(_localTempPath);
                }

                _localTempCreated = true;
            }

            return _localTempPath;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<LeaderMessage> LeaderMessages
    {
        get
        {
            lock (_lock)
            {
                return _leaderMessages is null ? [] : [.. _leaderMessages];
            }
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<UserLogStream> UserStreams
    {
        get
        {
            lock (_lock)
            {
                return _userStreams is null ? [] : [.. _userStreams];
            }
        }
    }

    /// <summary>
    /// The files this job read, in order: a global file ID with the local path it was copied to, or with
    /// <c>(stream)</c> when it was streamed (Toil's access log, dumped when the job fails).
    /// </summary>
    public IReadOnlyList<string> AccessedFiles
    {
        get
        {
            lock (_lock)
            {
                return _accessLog is null ? [] : [.. _accessLog];
            }
        }
    }

    /// <summary>The global files this job scheduled for deletion with its commit.</summary>
    public IReadOnlyList<string> PendingDeletes
    {
        get
        {
            lock (_lock)
            {
                return _pendingDeletes is null ? [] : [.. _pendingDeletes];
            }
        }
    }

    /// <summary>The bytes used under <see cref="LocalTempDir"/> at the last <see cref="CheckDiskUse"/>; 0 before.</summary>
    public long DiskUsed { get; private set; }

    /// <summary>
    /// The bytes the job wrote to the job store through this store (<see cref="WriteGlobalFileAsync"/>,
    /// <see cref="WriteGlobalFileStreamAsync"/>), counted as they pass; a write that failed counts what it wrote.
    /// </summary>
    public long BytesWritten => _bytesWritten.Value;

    /// <summary>
    /// The bytes the job read from the job store through this store (<see cref="ReadGlobalFileAsync"/>, and what it read
    /// of the streams <see cref="ReadGlobalFileStreamAsync"/> returned), counted as they pass.
    /// </summary>
    public long BytesRead => _bytesRead.Value;

    /// <summary>Whether <see cref="LocalTempDir"/> existed when the store was created or has been made since.</summary>
    internal bool LocalTempDirExists => _localTempCreated;

    /// <inheritdoc />
    long IChainingFileStore.BytesWritten => BytesWritten;

    /// <inheritdoc />
    long IChainingFileStore.BytesRead => BytesRead;

    /// <inheritdoc />
    long? IChainingFileStore.KnownDiskUsed => DiskUsed > 0 ? DiskUsed : _localTempCreated ? null : 0;

    /// <inheritdoc />
    public string GetLocalTempDir()
    {
        string path = Path.Combine(LocalTempDir, "tmp" + Guid.NewGuid().ToString("N")[..12]);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, IO.AccessModes.PrivateDirectory);
        }

        return path;
    }

    /// <inheritdoc />
    public string GetLocalTempFile(string suffix = ".tmp", string prefix = "tmp")
    {
        CheckNameComponent(suffix, nameof(suffix));
        CheckNameComponent(prefix, nameof(prefix));
        while (true)
        {
            string path = Path.Combine(LocalTempDir, prefix + Guid.NewGuid().ToString("N")[..12] + suffix);
            try
            {
                using (IO.AccessModes.Create(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None, IO.AccessModes.PrivateFile))
                {
                }

                return path;
            }
            catch (IOException) when (File.Exists(path))
            {
                // A name collision: draw another.
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<string> WriteGlobalFileAsync(string localPath, bool cleanup = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(localPath);
        string full = ResolveLocal(localPath);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"Cannot write '{full}' to the job store: the file does not exist.", full);
        }

        // The job store's own copy from a path, with the destination counted as the bytes pass.
        string fileId = await _jobStore.WriteFileAsync(
            async (s, ct) =>
            {
                var source = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
                await using (source.ConfigureAwait(false))
                {
                    await source.CopyToAsync(new CountingStream(s, _bytesRead, _bytesWritten), ct).ConfigureAwait(false);
                }
            },
            Job.JobStoreId,
            cleanup,
            Path.GetFileName(full),
            cancellationToken).ConfigureAwait(false);
        if (IsUnder(full, _localTempPath))
        {
            lock (_lock)
            {
                AddLocal(fileId, full);
            }
        }

        return fileId;
    }

    /// <inheritdoc />
    public ValueTask<string> WriteGlobalFileStreamAsync(Func<Stream, CancellationToken, ValueTask> writer, bool cleanup = false, string? baseName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return _jobStore.WriteFileAsync((s, ct) => writer(new CountingStream(s, _bytesRead, _bytesWritten), ct), Job.JobStoreId, cleanup, baseName, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="NoSuchFileException">The file does not exist, or this job deleted it.</exception>
    /// <exception cref="IOException"><paramref name="userPath"/> already exists.</exception>
    public async ValueTask<string> ReadGlobalFileAsync(string fileId, string? userPath = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDeleted(fileId);
        string target;
        if (userPath is null)
        {
            target = Path.Combine(LocalTempDir, "tmp" + Guid.NewGuid().ToString("N") + ".tmp");
        }
        else
        {
            target = ResolveLocal(userPath);
            if (IsUnder(target, _localTempPath))
            {
                _ = LocalTempDir;
            }

            if (File.Exists(target) || Directory.Exists(target))
            {
                throw new IOException($"'{target}' exists. Cannot overwrite it with global file '{fileId}'.");
            }
        }

        // Always a private copy: Toil may hard-link into the job store here (issue #4647), so a "mutable" read could
        // corrupt shared data.
        var source = new CountingStream(await _jobStore.OpenReadFileAsync(fileId, cancellationToken).ConfigureAwait(false), _bytesRead, _bytesWritten);
        await using (source.ConfigureAwait(false))
        {
            try
            {
                var destination = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
                await using (destination.ConfigureAwait(false))
                {
                    await source.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
                }
            }
            catch
            {
                TryDeleteFile(target);
                throw;
            }
        }

        lock (_lock)
        {
            AddLocal(fileId, target);
            (_accessLog ??= []).Add($"{fileId} -> {target}");
        }

        return target;
    }

    /// <inheritdoc />
    /// <exception cref="NoSuchFileException">The file does not exist, or this job deleted it.</exception>
    public async ValueTask<Stream> ReadGlobalFileStreamAsync(string fileId, CancellationToken cancellationToken = default)
    {
        ThrowIfDeleted(fileId);
        var stream = await _jobStore.OpenReadFileAsync(fileId, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            (_accessLog ??= []).Add($"{fileId} (stream)");
        }

        return new CountingStream(stream, _bytesRead, _bytesWritten);
    }

    /// <inheritdoc />
    /// <exception cref="NoSuchFileException">The file does not exist, or this job deleted it.</exception>
    public async ValueTask<long> GetGlobalFileSizeAsync(string fileId, CancellationToken cancellationToken = default)
    {
        ThrowIfDeleted(fileId);
        if (!await _jobStore.FileExistsAsync(fileId, cancellationToken).ConfigureAwait(false))
        {
            throw new NoSuchFileException(fileId);
        }

        return await _jobStore.GetFileSizeAsync(fileId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void DeleteLocalFile(string fileId)
    {
        ArgumentNullException.ThrowIfNull(fileId);
        List<string>? paths;
        lock (_lock)
        {
            if (_localFiles is null || !_localFiles.Remove(fileId, out paths))
            {
                throw new FileNotFoundException($"Attempting to delete local copies of global file '{fileId}' with none.", fileId);
            }
        }

        foreach (string path in paths)
        {
            File.Delete(path);
        }
    }

    /// <inheritdoc />
    public ValueTask DeleteGlobalFileAsync(string fileId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileId);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            DeleteLocalFile(fileId);
        }
        catch (FileNotFoundException)
        {
            // Not every deleted global file has a local copy.
        }

        lock (_lock)
        {
            if ((_deleted ??= new HashSet<string>(StringComparer.Ordinal)).Add(fileId))
            {
                (_pendingDeletes ??= []).Add(fileId);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void LogToLeader(string text, LogLevel level = LogLevel.Information)
    {
        ArgumentNullException.ThrowIfNull(text);
        FileStoreLog.LogToLeader(_logger, level, text);
        lock (_lock)
        {
            (_leaderMessages ??= []).Add(new LeaderMessage(text, level));
        }
    }

    /// <inheritdoc />
    public async ValueTask LogUserStreamAsync(string name, Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);

        // Encoding.UTF8 replaces invalid bytes with U+FFFD rather than throwing.
        string text = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        lock (_lock)
        {
            (_userStreams ??= []).Add(new UserLogStream(name, text));
        }
    }

    /// <summary>
    /// Logs the access log at warning level as <c>Failed job accessed files:</c>, one file per line, noting local copies
    /// that are gone. The invoker calls it when the job's body fails.
    /// </summary>
    public void LogAccessedFiles()
    {
        List<string> entries;
        lock (_lock)
        {
            entries = _accessLog is null ? [] : [.. _accessLog];
        }

        if (entries.Count == 0)
        {
            return;
        }

        var text = new StringBuilder();
        foreach (string entry in entries)
        {
            int arrow = entry.IndexOf(" -> ", StringComparison.Ordinal);
            string note = arrow >= 0 && !File.Exists(entry[(arrow + 4)..]) ? " (local copy gone)" : string.Empty;
            text.Append("  ").Append(entry).Append(note).Append('\n');
        }

        FileStoreLog.FailedJobAccessedFiles(_logger, text.ToString().TrimEnd('\n'));
    }

    /// <summary>
    /// Measures the bytes used under <see cref="LocalTempDir"/> and tells the leader: at warning level when the use
    /// exceeds the job's disk requirement, else at debug level.
    /// </summary>
    /// <returns>The bytes used.</returns>
    public long CheckDiskUse()
    {
        // A directory never made holds nothing: measuring must not create it.
        long used = _localTempCreated ? MeasureDirectory(_localTempPath) : 0;
        DiskUsed = used;
        long? requested = Job.Config is null && Job.Requirements.Disk is null ? null : Job.Disk.Bytes;
        if (requested is { } r && used > r)
        {
            double percent = r == 0 ? double.PositiveInfinity : used * 100.0 / r;
            LogToLeader(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Job {Job} used {percent:F2}% disk ({DataSize.Format(used)} [{used} bytes] used, {DataSize.Format(r)} [{r} bytes] requested). Job used more disk than requested; consider increasing the disk requirement."),
                LogLevel.Warning);
        }
        else
        {
            // One interpolation per case: the same text, without the requested size made as strings of their own.
            LogToLeader(
                requested is { } q
                    ? string.Create(CultureInfo.InvariantCulture, $"Job {Job} used {used} bytes of disk ({q} bytes requested).")
                    : string.Create(CultureInfo.InvariantCulture, $"Job {Job} used {used} bytes of disk (nothing requested)."),
                LogLevel.Debug);
        }

        return used;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Synchronous (Toil's non-caching commit): waits for the previous store's commit; then, with
    /// <paramref name="jobState"/>, writes the pending deletions into the description's journal
    /// (<see cref="JobDescription.FilesToDelete"/>) and updates it, deletes the files, and if there were any clears the
    /// journal and updates again. Files already in the journal (left by an interrupted commit of this job) are deleted
    /// with them. A failure is rethrown here and by every later <see cref="WaitForCommitAsync"/>. The worker's stores
    /// may instead commit asynchronously (<see cref="Worker.WorkerOptions.AsynchronousCommits"/>): the same steps run
    /// in the background from a snapshot of the description, and only <see cref="WaitForCommitAsync"/> reports a failure.
    /// </remarks>
    /// <exception cref="InvalidOperationException">A commit was already started on this store.</exception>
    public ValueTask StartCommitAsync(bool jobState = true, CancellationToken cancellationToken = default) =>
        StartCommitCoreAsync(jobState, replacement: null, cancellationToken);

    /// <inheritdoc />
    ValueTask IChainingFileStore.StartCommitAsync(JobDescription successor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(successor);
        if (Job.HasFilesToDelete)
        {
            throw new InvalidOperationException($"The journal of {Job} holds files from an interrupted commit; commit the job itself before chaining.");
        }

        return StartCommitCoreAsync(jobState: true, successor, cancellationToken);
    }

    /// <inheritdoc />
    bool IChainingFileStore.HasPendingDeletes
    {
        get
        {
            lock (_lock)
            {
                return _pendingDeletes is { Count: > 0 };
            }
        }
    }

    private ValueTask StartCommitCoreAsync(bool jobState, JobDescription? replacement, CancellationToken cancellationToken)
    {
        Func<CancellationToken, ValueTask>? previous;
        lock (_lock)
        {
            if (_commitStarted)
            {
                throw new InvalidOperationException($"A commit of {Job} was already started on this file store.");
            }

            _commitStarted = true;
            previous = _waitForPreviousCommit;
        }

        Task commit;
        if (!jobState)
        {
            commit = CommitAsync(previous, written: null, [], cancellationToken);
        }
        else
        {
            // A non-empty journal was left by a commit of this job that was interrupted after its journal write (a
            // killed worker): those files were meant to go with an already durable version, so finish them now.
            // Toil raises here and leaves them to a restart's clean-up.
            List<string> deletes;
            if (Job.HasFilesToDelete)
            {
                FileStoreLog.ReplayingJournal(_logger, Job.FilesToDelete.Count, Job.ToString());
                deletes = [.. Job.FilesToDelete.Union(PendingDeletes, StringComparer.Ordinal)];
            }
            else
            {
                lock (_lock)
                {
                    deletes = _pendingDeletes is null || _pendingDeletes.Count == 0 ? [] : [.. _pendingDeletes.Distinct(StringComparer.Ordinal)];
                }
            }

            Job.FilesToDeleteOrNull?.Clear();

            // Chaining writes the successor that replaced this job: the one write records both (docs/worker-algorithm.md).
            JobDescription live = replacement ?? Job;
            if (_asynchronousCommit)
            {
                // Toil's caching store: the write runs in the background from a snapshot, while the live description goes
                // on (the next chained job's body runs meanwhile). The live copy reserves the versions the write makes,
                // so the next commit's version check expects them.
                JobDescription snapshot = live.Clone();
                live.FilesToDeleteOrNull?.Clear();
                live.ReserveVersions(deletes.Count > 0 ? 2 : 1);
                commit = CommitInBackground(previous, snapshot, deletes, cancellationToken);
            }
            else
            {
                // Runs on the caller's thread until a wait that is not already complete: no thread-pool hop.
                commit = CommitAsync(previous, live, deletes, cancellationToken);
            }
        }

        lock (_lock)
        {
            _commit = commit;

            // Every later wait goes through _commit, which includes the earlier commits: dropping the link lets the
            // earlier file stores (and their job descriptions) be collected, so a long chain does not hold them all.
            _waitForPreviousCommit = null;
        }

        return _asynchronousCommit ? ValueTask.CompletedTask : new ValueTask(commit);
    }

    /// <inheritdoc />
    /// <remarks>Before <see cref="StartCommitAsync"/> it waits only for the commits before this store's.</remarks>
    public ValueTask WaitForCommitAsync(CancellationToken cancellationToken = default)
    {
        Task? commit;
        Func<CancellationToken, ValueTask>? previous;
        lock (_lock)
        {
            // Read together: the link to the previous commit is dropped only after _commit is set.
            commit = _commit;
            previous = _waitForPreviousCommit;
        }

        if (commit is not null)
        {
            return new ValueTask(commit.WaitAsync(cancellationToken));
        }

        return previous?.Invoke(cancellationToken) ?? ValueTask.CompletedTask;
    }

    // Its own method: a lambda in StartCommitCoreAsync would make every commit allocate the closure, background or not.
    private Task CommitInBackground(Func<CancellationToken, ValueTask>? previous, JobDescription snapshot, List<string> deletes, CancellationToken cancellationToken) =>
        Task.Run(() => CommitAsync(previous, snapshot, deletes, cancellationToken), CancellationToken.None);

    private async Task CommitAsync(Func<CancellationToken, ValueTask>? previous, JobDescription? written, List<string> deletes, CancellationToken cancellationToken)
    {
        if (previous is not null)
        {
            await previous(cancellationToken).ConfigureAwait(false);
        }

        if (written is null)
        {
            return;
        }

        using var telemetry = Telemetry.WorkerTelemetry.StartCommit(written, deletes.Count);
        try
        {
            FileStoreLog.Committing(_logger, written.ToString(), deletes.Count);

            // The journal is durable before any file goes, so a crash in between leaves nothing untracked.
            // (Without deletes the journal stays as it is, empty: no list is made for it.)
            if (deletes.Count > 0)
            {
                written.FilesToDelete.Clear();
                written.FilesToDelete.AddRange(deletes);
            }
            else
            {
                written.FilesToDeleteOrNull?.Clear();
            }

            await _jobStore.UpdateJobAsync(written, cancellationToken).ConfigureAwait(false);
            foreach (string fileId in deletes)
            {
                await _jobStore.DeleteFileAsync(fileId, cancellationToken).ConfigureAwait(false);
            }

            if (deletes.Count > 0)
            {
                written.FilesToDelete.Clear();
                await _jobStore.UpdateJobAsync(written, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            telemetry?.Fail(e);
            FileStoreLog.CommitFailed(_logger, e, written.ToString());
            throw;
        }
    }

    private static long MeasureDirectory(string directory)
    {
        long total = 0;
        try
        {
            foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint }))
            {
                total += file.Length;
            }
        }
        catch (DirectoryNotFoundException)
        {
        }

        return total;
    }

    private static bool IsUnder(string path, string directory)
    {
        string prefix = Path.EndsInDirectorySeparator(directory) ? directory : directory + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, StringComparison.Ordinal);
    }

    private static void CheckNameComponent(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (value.Contains('/', StringComparison.Ordinal) || value.Contains('\\', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A temporary file name's prefix and suffix cannot contain path separators.", name);
        }
    }

    private static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private string ResolveLocal(string path) => Path.GetFullPath(path, _localTempPath);

    private void AddLocal(string fileId, string path)
    {
        _localFiles ??= new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (!_localFiles.TryGetValue(fileId, out var paths))
        {
            paths = [];
            _localFiles[fileId] = paths;
        }

        paths.Add(path);
    }

    private void ThrowIfDeleted(string fileId)
    {
        ArgumentNullException.ThrowIfNull(fileId);
        lock (_lock)
        {
            if (_deleted is not null && _deleted.Contains(fileId))
            {
                // Toil's non-caching store still reads it here; the caching store refuses. We refuse in both cases.
                throw new NoSuchFileException(fileId);
            }
        }
    }
}
