using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Toil.Runtime.IO;
using Toil.Runtime.Jobs;
using Toil.Runtime.Serialization;

namespace Toil.Runtime.JobStores;

/// <summary>
/// The embedded job store: a directory on a local or shared filesystem (locator <c>file:/path</c>), laid out as in
/// <c>docs/job-store-format.md</c>. Every write that replaces a record is crash-safe (temp file → fsync → rename →
/// fsync(directory), <c>docs/decisions.md#durable-writes</c>); job updates are optimistic and checked under a per-job
/// file lock, so they are correct across threads, store instances and processes
/// (<c>docs/decisions.md#optimistic-concurrency</c>). Thread-safe; loads return the caller's own copies.
/// </summary>
/// <remarks>
/// <para>
/// This type is the facade: where things are is <see cref="FileJobStoreLayout"/>, deletion through the trash
/// <see cref="FileJobStoreTrash"/>, the per-job locks <see cref="FileJobStoreLocks"/>, and the durable record
/// read/write with its retries <see cref="FileJobStoreRecords"/> (<c>docs/job-store-format.md</c>, "Inside FileJobStore").
/// </para>
/// Open one with <see cref="CreateAsync"/> (a new store), <see cref="OpenAsync(FileJobStoreOptions, ILogger?, CancellationToken)"/>
/// (an existing one) or <see cref="OpenAsync(string, CancellationToken)"/> (by locator, as a worker process does).
/// </remarks>
public sealed partial class FileJobStore : IJobStore, IJobStoreTraits
{
    internal const string JobsDirectory = FileJobStoreLayout.JobsDirectory;
    internal const string SharedDirectory = FileJobStoreLayout.SharedDirectory;
    private const string MessagePrefix = "stats";
    private const string BatchSuffix = ".batch";

    private readonly string _root;
    private readonly FileJobStoreLayout _layout;
    private readonly FileJobStoreRecords _records;
    private readonly FileJobStoreLocks _locks;
    private readonly FileJobStoreMessageGroup _messages;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly UnixFileMode _directoryMode;
    private readonly UnixFileMode _fileMode;
    private readonly int _inlineBodyLimit;
    private volatile bool _destroyed;
    private long _messageSequence;

    private FileJobStore(string root, WorkflowConfig config, FileJobStoreOptions options, ILogger? logger, bool lockFiles, int formatVersion)
    {
        _root = root;

        // A quarter of the record limit at most: base64 makes a body a third larger, and the record holds the rest.
        _inlineBodyLimit = formatVersion >= FileJobStoreFormat.InlineBodiesSchemaVersion ? Math.Min(InlineBodyBytes, options.MaxJobRecordBytes / 4) : 0;
        Config = config;
        _time = options.TimeProvider;
        _logger = logger ?? NullLogger.Instance;
        (_directoryMode, _fileMode) = Modes(options);
        _layout = new FileJobStoreLayout(root);
        _records = new FileJobStoreRecords(_layout, options, _fileMode, _logger);
        _locks = new FileJobStoreLocks(_layout, _time, options.LockTimeout, _fileMode, () => _records.InjectAsync("lock"), lockFiles);
        _messages = new FileJobStoreMessageGroup(WriteMessagesAsync);
        Locator = _layout.Locator;
    }

    /// <summary>The canonical locator: <c>file:</c> followed by the store's absolute path (symbolic links not resolved).</summary>
    public string Locator { get; }

    /// <inheritdoc />
    public WorkflowConfig Config { get; }

    /// <summary>The store's root directory (absolute).</summary>
    public string RootPath => _root;

    /// <summary>
    /// The largest body a format-3 store keeps inline in the job's record: 16 KiB, or a quarter of
    /// <see cref="FileJobStoreOptions.MaxJobRecordBytes"/> when that is less (docs/decisions.md#inline-bodies).
    /// </summary>
    internal const int InlineBodyBytes = 16 * 1024;

    bool IJobStoreTraits.WritesAreInMemory => false;

    int IJobStoreTraits.InlineBodyLimit => _inlineBodyLimit;

    // ---- Lifecycle ----

    /// <summary>
    /// Creates a new store at <see cref="FileJobStoreOptions.Locator"/> and persists <paramref name="config"/> in it. The
    /// store is assembled in a sibling staging directory and renamed into place, so a crash never leaves a half-made
    /// store at the locator.
    /// </summary>
    /// <param name="options">The locator and waits; validated first.</param>
    /// <param name="config">The workflow configuration; defaults to <see cref="WorkflowConfig"/>'s defaults.</param>
    /// <param name="logger">Receives retries and visibility waits; defaults to none.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The open store.</returns>
    /// <exception cref="OptionsValidationException">The options are not valid.</exception>
    /// <exception cref="JobStoreExistsException">Something already exists at the locator.</exception>
    /// <exception cref="JobStoreException">The filesystem does not enforce file locks.</exception>
    public static ValueTask<FileJobStore> CreateAsync(FileJobStoreOptions options, WorkflowConfig? config = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        string root = ValidateAndParse(options);
        cancellationToken.ThrowIfCancellationRequested();
        config ??= new WorkflowConfig();
        string locator = "file:" + root;
        if (Directory.Exists(root) || File.Exists(root))
        {
            throw new JobStoreExistsException(locator);
        }

        string parent = Path.GetDirectoryName(root) ?? throw new JobStoreException($"The job store '{locator}' cannot be the filesystem root.");
        var (directoryMode, fileMode) = Modes(options);

        // Missing parents get the store's directory mode: a group that shares the store must be able to reach it.
        DurableFile.CreateDirectory(parent, directoryMode);
        bool lockFiles;
        string staging = Path.Join(parent, $".{Path.GetFileName(root)}.{Guid.NewGuid():N}.initializing");
        try
        {
            // Every directory and file with the store's mode (private by default), whatever the umask.
            AccessModes.CreateDirectory(staging, directoryMode);
            foreach (string dir in FileJobStoreLayout.Directories)
            {
                AccessModes.CreateDirectory(Path.Join(staging, dir), directoryMode);
            }

            DurableFile.WriteNewFile(Path.Join(staging, SharedDirectory, SharedFileNames.Config), JobDescriptionSerializer.SerializeConfig(config), fileMode);
            DurableFile.FsyncDirectory(Path.Join(staging, SharedDirectory));
            DurableFile.FsyncDirectory(Path.Join(staging, FileJobStoreLayout.StatsDirectory));

            // Written last: a directory with format.json is a complete store. Jobs are locked by their directories where
            // the filesystem can flock a directory, else by lock files (NFS); every later opener uses what is written here.
            lockFiles = !FileJobStoreLocks.CanLockDirectories(Path.Join(staging, FileJobStoreLayout.TempDirectory));
            DurableFile.WriteNewFile(Path.Join(staging, FileJobStoreFormat.FileName), FileJobStoreFormat.Serialize(lockFiles), fileMode);
            DurableFile.FsyncDirectory(staging);
            try
            {
                Directory.Move(staging, root);
            }
            catch (IOException) when (Directory.Exists(root) || File.Exists(root))
            {
                throw new JobStoreExistsException(locator);
            }

            DurableFile.FsyncDirectory(parent);
        }
        catch
        {
            FileJobStoreTrash.DeleteTree(staging);
            throw;
        }

        var store = new FileJobStore(root, config, options, logger, lockFiles, FileJobStoreFormat.CurrentSchemaVersion);
        store._locks.EnsureEnforced();
        return ValueTask.FromResult(store);
    }

    /// <summary>Opens an existing store (Toil's <c>resume</c>) and reads its configuration.</summary>
    /// <param name="options">The locator and waits; validated first.</param>
    /// <param name="logger">Receives retries and visibility waits; defaults to none.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The open store.</returns>
    /// <exception cref="OptionsValidationException">The options are not valid.</exception>
    /// <exception cref="NoSuchJobStoreException">No complete store exists at the locator.</exception>
    /// <exception cref="CorruptJobRecordException">The format marker or configuration cannot be read.</exception>
    /// <exception cref="JobStoreException">The filesystem does not enforce file locks.</exception>
    public static async ValueTask<FileJobStore> OpenAsync(FileJobStoreOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        string root = ValidateAndParse(options);
        string locator = "file:" + root;
        if (!Directory.Exists(root))
        {
            throw new NoSuchJobStoreException(locator);
        }

        FileJobStoreLayout.RefuseLinkedLayout(root, locator);
        byte[] format;
        byte[] config;
        try
        {
            format = await File.ReadAllBytesAsync(Path.Join(root, FileJobStoreFormat.FileName), cancellationToken).ConfigureAwait(false);
            config = await File.ReadAllBytesAsync(Path.Join(root, SharedDirectory, SharedFileNames.Config), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            // Never finished initialising, or half destroyed: there is nothing to resume.
            throw new NoSuchJobStoreException(locator);
        }

        (bool lockFiles, int formatVersion) = FileJobStoreFormat.Check(format, locator);
        var store = new FileJobStore(root, JobRecords.DeserializeConfig(config, locator), options, logger, lockFiles, formatVersion);
        store.WarnIfRootIsLoose();
        store._locks.EnsureEnforced();
        FileJobStoreTrash.Sweep(store._layout);
        return store;
    }

    /// <summary>Opens an existing store by locator with default options (what a worker process does).</summary>
    /// <param name="locator"><c>file:/path</c> or a path.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The open store.</returns>
    /// <exception cref="OptionsValidationException">The locator is not a file job store locator.</exception>
    /// <exception cref="NoSuchJobStoreException">No complete store exists at the locator.</exception>
    public static ValueTask<FileJobStore> OpenAsync(string locator, CancellationToken cancellationToken = default) =>
        OpenAsync(new FileJobStoreOptions { Locator = locator }, null, cancellationToken);

    /// <summary>
    /// Deletes the store at <paramref name="locator"/> without opening it, so it also works on a store that is half
    /// made or half deleted. Idempotent. Refuses a directory holding anything a job store never holds.
    /// </summary>
    /// <param name="locator"><c>file:/path</c> or a path.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the store is gone.</returns>
    /// <exception cref="ArgumentException">The locator is not a file job store locator.</exception>
    /// <exception cref="JobStoreException">The directory does not look like a job store; nothing was deleted.</exception>
    public static ValueTask DestroyAsync(string locator, CancellationToken cancellationToken = default)
    {
        if (!TryParseLocator(locator, out string? root))
        {
            throw new ArgumentException($"'{locator}' is not a file job store locator (file:/path or a path).", nameof(locator));
        }

        cancellationToken.ThrowIfCancellationRequested();
        FileJobStoreTrash.DestroyStore(root);
        return ValueTask.CompletedTask;
    }

    /// <summary>Parses a file job store locator: <c>file:/path</c>, or a path (absolute, starting with <c>.</c>, or without <c>:</c>).</summary>
    /// <param name="locator">The locator.</param>
    /// <param name="path">The absolute path it names (symbolic links not resolved).</param>
    /// <returns><see langword="true"/> for a file job store locator.</returns>
    public static bool TryParseLocator(string? locator, [NotNullWhen(true)] out string? path) =>
        FileJobStoreLayout.TryParseLocator(locator, out path);

    /// <inheritdoc />
    public async ValueTask DestroyAsync(CancellationToken cancellationToken = default)
    {
        _destroyed = true;
        await DestroyAsync(_root, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    // ---- Jobs ----

    /// <inheritdoc />
    public async ValueTask<string> AssignJobIdAsync(JobDescription job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        ThrowIfDestroyed();
        string id = $"kind-{JobStoreIds.Slug(job.JobName)}/instance-{Guid.NewGuid():N}";
        string dir = JobDirectory(id);

        // The directory is the job's lock too (format 2: no lock file). Its entry in the kind's directory is made durable
        // when the job is created (CreateJobsAsync syncs each kind's directory once per batch), because nothing can
        // refer to the job before that; a new kind's directory is made durable here, once.
        await IoAsync(
            "assign",
            () =>
            {
                string contained = Contained(dir);
                DurableFile.CreateDirectory(Path.GetDirectoryName(contained)!, _directoryMode);
                AccessModes.CreateDirectory(contained, _directoryMode);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        job.JobStoreId = id;
        return id;
    }

    /// <inheritdoc />
    public async ValueTask CreateJobsAsync(IReadOnlyCollection<JobDescription> jobs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ThrowIfDestroyed();
        var batch = new HashSet<string>(StringComparer.Ordinal);
        foreach (var job in jobs)
        {
            ArgumentNullException.ThrowIfNull(job, nameof(jobs));
            string id = job.JobStoreId;
            if (!IsJobId(id) || !await _records.IsVisibleAsync(JobDirectory(id), cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidJobStoreIdException(id ?? "<null>", "the ID was not assigned by this job store");
            }

            if (!batch.Add(id))
            {
                throw new JobStoreException($"The job '{id}' appears twice in one batch.");
            }

            if (File.Exists(JobFile(id)))
            {
                throw new JobStoreException($"The job '{id}' already exists.");
            }
        }

        // Serialize the whole batch before writing any of it: a description that cannot be persisted fails the batch
        // with nothing written and every caller's version unchanged.
        var records = new List<(JobDescription Job, long Version, int Writer, byte[] Record)>(jobs.Count);
        try
        {
            foreach (var job in jobs)
            {
                records.Add((job, job.Version, job.VersionWriter, []));
                job.IncrementVersion();
                records[^1] = records[^1] with { Record = _records.CheckRecordSize(job.JobStoreId, JobDescriptionSerializer.Serialize(job)) };
            }
        }
        catch
        {
            records.ForEach(r => (r.Job.Version, r.Job.VersionWriter) = (r.Version, r.Writer));
            throw;
        }

        // Several records at once (each its own temp file, fsync, rename and directory sync): concurrent fsyncs are
        // cheaper together than one after another. Then each kind's directory once, which makes the jobs' directories,
        // made without a sync by AssignJobIdAsync, durable (docs/decisions.md#batch-creation).
        // A record counts as written once its rename is done, not when its write returns: after one record fails, the
        // others' directory syncs are cancelled, and a record renamed before that is in the store with its new version.
        var written = new bool[records.Count];
        Exception? failure = null;
        try
        {
            if (records.Count == 1)
            {
                await CreateRecordAsync(records[0].Job.JobStoreId, records[0].Record, () => written[0] = true, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await Parallel.ForAsync(
                    0,
                    records.Count,
                    new ParallelOptions { MaxDegreeOfParallelism = Math.Min(records.Count, ConcurrentRecordWrites), CancellationToken = cancellationToken },
                    async (i, ct) =>
                    {
                        await CreateRecordAsync(records[i].Job.JobStoreId, records[i].Record, () => written[i] = true, ct).ConfigureAwait(false);
                    }).ConfigureAwait(false);
            }

            string[] kinds = [.. records.Select(r => Path.GetDirectoryName(JobDirectory(r.Job.JobStoreId))!).Distinct(StringComparer.Ordinal)];
            await _records.SyncDirectoriesAsync("fsync-directory", cancellationToken, kinds).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        for (int i = 0; i < records.Count; i++)
        {
            var (job, version, writer, _) = records[i];
            if (failure is not null && !written[i])
            {
                // Not written: the caller's version is as it was. The records that were written are created.
                (job.Version, job.VersionWriter) = (version, writer);
            }
            else
            {
                job.AssignConfig(Config);
            }
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>How many records <see cref="CreateJobsAsync"/> writes at once.</summary>
    private const int ConcurrentRecordWrites = 8;

    /// <inheritdoc />
    public ValueTask<JobDescription> LoadJobAsync(string jobId, CancellationToken cancellationToken = default) =>
        LoadJobCoreAsync(jobId, waitForVisibility: true, cancellationToken);

    /// <inheritdoc />
    public async ValueTask UpdateJobAsync(JobDescription job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDestroyed();
        string id = job.JobStoreId;
        if (!IsJobId(id))
        {
            throw new NoSuchJobException(id ?? "<null>");
        }

        IDisposable held;
        try
        {
            held = await _records.WhenVisibleAsync(id, () => _locks.LockJobAsync(id, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new NoSuchJobException(id);
        }

        using var unlock = held;
        byte[] stored = await ReadJobRecordAsync(id, waitForVisibility: true, cancellationToken, underLock: true).ConfigureAwait(false);
        long current = JobRecords.Deserialize(stored, id).Version;
        if (current != job.Version)
        {
            throw new ConcurrentJobModificationException(id, job.Version, current);
        }

        await WriteJobAsync(job, cancellationToken).ConfigureAwait(false);

        // Job temp files are only written under the lock we hold, so any left here belong to a writer that died.
        foreach (string temp in Directory.EnumerateFiles(JobDirectory(id), FileJobStoreLayout.JobFileName + ".*" + DurableFile.TempSuffix))
        {
            DurableFile.TryDelete(temp);
        }
    }

    /// <inheritdoc />
    public ValueTask DeleteJobAsync(string jobId, CancellationToken cancellationToken = default) =>
        DeleteJobsAsync([jobId], cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// One pass: under each job's lock its record is unlinked (the commit point) and its directory removed, or, when the
    /// directory holds more than the record (cleanup files) or the store uses lock files, moved into the trash; then each
    /// changed <c>jobs/kind-*/</c> directory is synced once, so a batch of jobs of one kind costs one directory sync
    /// (docs/decisions.md#in-place-deletion).
    /// </remarks>
    public async ValueTask DeleteJobsAsync(IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDestroyed();
        List<string> ids = [.. jobIds.Where(IsJobId).Distinct(StringComparer.Ordinal)];
        if (ids.Count == 0)
        {
            return;
        }

        List<string> trash = [];
        List<string> deleted = [];
        try
        {
            var synced = new HashSet<string>(StringComparer.Ordinal);
            foreach (string id in ids)
            {
                var (gone, moved) = await DeleteJobUnderLockAsync(id, cancellationToken).ConfigureAwait(false);
                if (moved is not null)
                {
                    trash.Add(moved);
                }

                if (gone)
                {
                    deleted.Add(id);
                    synced.Add(Path.GetDirectoryName(JobDirectory(id))!);
                }
            }

            await SyncDirectoriesAsync(synced, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The deletions are durable (or the exception says they may not be); what is in tmp/ is swept later.
            trash.ForEach(FileJobStoreTrash.TryDeleteJobTrash);

            // A job's kept-files directory left empty (its files were deleted while it lived) goes with it; one stat when
            // the job never owned a kept file. Kept files themselves outlive the job.
            deleted.ForEach(RemoveEmptyKeptFilesDirectory);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> JobExistsAsync(string jobId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDestroyed();
        return ValueTask.FromResult(IsJobId(jobId) && File.Exists(JobFile(jobId)));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<JobDescription> ListJobsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ThrowIfDestroyed();
        foreach (string id in JobIdsUnder(JobsDirectory))
        {
            if (!IsJobId(id))
            {
                continue;
            }

            JobDescription job;
            try
            {
                // No existence check first: the read says it (a directory without a record is an ID whose creation never
                // finished, or a job deleted meanwhile).
                job = await LoadJobCoreAsync(id, waitForVisibility: false, cancellationToken).ConfigureAwait(false);
            }
            catch (NoSuchJobException)
            {
                continue;
            }

            yield return job;
        }
    }

    /// <inheritdoc />
    public ValueTask SetRootJobIdAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        byte[] bytes = Encoding.UTF8.GetBytes(jobId);
        return WriteSharedFileAsync(SharedFileNames.RootJobId, (s, ct) => s.WriteAsync(bytes, ct), cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<string?> GetRootJobIdAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDestroyed();
        string path = Path.Join(_root, SharedDirectory, SharedFileNames.RootJobId);
        try
        {
            byte[] bytes = await IoAsync("read-shared", () => File.ReadAllBytes(Contained(path)), cancellationToken).ConfigureAwait(false);
            return Encoding.UTF8.GetString(bytes);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    // ---- Files ----

    /// <inheritdoc />
    public async ValueTask<string> WriteFileAsync(Func<Stream, CancellationToken, ValueTask> writer, string? jobId = null, bool cleanup = false, string? baseName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDestroyed();
        // Format 2: no directory per file. A file no job owns goes to files-flat/, a job's cleanup file into the job's own
        // directory (deleted with the job in the same rename), a job's kept file into job-files/<job ID>/, made when the
        // job first owns one.
        string relativeDir;
        if (jobId is null)
        {
            relativeDir = FileJobStoreLayout.FlatFilesDirectory;
        }
        else
        {
            if (!IsJobId(jobId) || !await _records.IsVisibleAsync(JobDirectory(jobId), cancellationToken).ConfigureAwait(false))
            {
                throw new NoSuchJobException(jobId);
            }

            relativeDir = cleanup ? $"{JobsDirectory}/{jobId}" : $"{FileJobStoreLayout.JobFilesDirectory}/{jobId}";
        }

        string id = $"{relativeDir}/{FileJobStoreLayout.NewFileName(baseName)}";
        string dir = Path.Join(_root, relativeDir);
        string target = Path.Join(_root, id);
        if (jobId is not null && !cleanup)
        {
            await IoAsync("create-file-directory", () => DurableFile.CreateDirectory(Contained(dir), _directoryMode), cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await _records.CommitStreamAsync(target, writer, overwrite: false, cancellationToken, temp: FileJobStoreLayout.NewFileTempPath(dir)).ConfigureAwait(false);
        }
        catch (Exception ex) when (cleanup && jobId is not null && ex is DirectoryNotFoundException or FileNotFoundException)
        {
            // The job was deleted while its file was written: its directory (with the temp file, if any) went to the trash.
            throw new NoSuchJobException(jobId);
        }

        return id;
    }

    /// <inheritdoc />
    public async ValueTask<Stream> OpenReadFileAsync(string fileId, CancellationToken cancellationToken = default)
    {
        string path = _layout.ResolveFile(fileId) ?? throw new NoSuchFileException(fileId);
        ThrowIfDestroyed();
        try
        {
            return await IoAsync("open-file", () => FileJobStoreRecords.OpenReadFile(path), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new NoSuchFileException(fileId);
        }
    }

    /// <inheritdoc />
    public async ValueTask UpdateFileAsync(string fileId, Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default)
    {
        string path = _layout.ResolveFile(fileId) ?? throw new NoSuchFileException(fileId);
        ArgumentNullException.ThrowIfNull(writer);
        ThrowIfDestroyed();
        if (!File.Exists(path))
        {
            throw new NoSuchFileException(fileId);
        }

        try
        {
            string? temp = Path.GetFileName(path).StartsWith(FileJobStoreLayout.FilePrefix, StringComparison.Ordinal) ? FileJobStoreLayout.NewFileTempPath(Path.GetDirectoryName(path)!) : null;
            await _records.CommitStreamAsync(path, writer, overwrite: true, cancellationToken, mustExist: true, temp: temp).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new NoSuchFileException(fileId);
        }
    }

    /// <inheritdoc />
    public async ValueTask DeleteFileAsync(string fileId, CancellationToken cancellationToken = default)
    {
        string? path = _layout.ResolveFile(fileId);
        ThrowIfDestroyed();
        if (path is null || !File.Exists(path))
        {
            return;
        }

        await IoAsync("delete-file", () => DurableFile.Delete(path), cancellationToken).ConfigureAwait(false);
        RemoveDeletedJobsFilesDirectory(fileId);
    }

    /// <inheritdoc />
    public ValueTask<bool> FileExistsAsync(string fileId, CancellationToken cancellationToken = default)
    {
        string? path = _layout.ResolveFile(fileId);
        ThrowIfDestroyed();
        return ValueTask.FromResult(path is not null && File.Exists(path));
    }

    /// <inheritdoc />
    public ValueTask<long> GetFileSizeAsync(string fileId, CancellationToken cancellationToken = default)
    {
        string? path = _layout.ResolveFile(fileId);
        ThrowIfDestroyed();
        if (path is null)
        {
            return ValueTask.FromResult(0L);
        }

        var info = new FileInfo(path);
        return ValueTask.FromResult(info.Exists ? info.Length : 0L);
    }

    // ---- Shared files ----

    /// <inheritdoc />
    public async ValueTask WriteSharedFileAsync(string name, Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default)
    {
        JobStoreLimits.ValidateSharedFileName(name);
        ArgumentNullException.ThrowIfNull(writer);
        ThrowIfDestroyed();

        // The leader's environment often carries credentials: it is private even in a store shared with a group.
        UnixFileMode mode = name == SharedFileNames.Environment ? AccessModes.PrivateFile : _fileMode;
        await _records.CommitStreamAsync(SharedPath(name), writer, overwrite: true, cancellationToken, mode: mode).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<Stream> OpenReadSharedFileAsync(string name, CancellationToken cancellationToken = default)
    {
        JobStoreLimits.ValidateSharedFileName(name);
        ThrowIfDestroyed();
        string path = SharedPath(name);
        try
        {
            return await IoAsync("open-shared", () => FileJobStoreRecords.OpenRead(Contained(path)), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new NoSuchFileException(name);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> SharedFileExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        JobStoreLimits.ValidateSharedFileName(name);
        ThrowIfDestroyed();
        return ValueTask.FromResult(File.Exists(Contained(SharedPath(name))));
    }

    // ---- Stats and log messages ----

    /// <inheritdoc />
    public async ValueTask WriteLogsAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDestroyed();
        if (message.Length > FileJobStoreMessageGroup.MaxGroupedBytes)
        {
            await _records.ReplaceAsync(NewMessagePath(), message, overwrite: false, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Concurrent writers of small messages (the in-process batch system's workers) share one durable write
        // (docs/decisions.md#message-batches).
        await _messages.WriteAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How many message files this instance's group of small messages has written (a benchmark and test seam).</summary>
    internal long MessageWrites => _messages.WriteCount;

    /// <summary>Writes one message as a plain message file, or several as one batch file (<c>docs/job-store-format.md</c>).</summary>
    private ValueTask WriteMessagesAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages)
    {
        // The group's write is shared by several callers: no one caller's cancellation stops it.
        ThrowIfDestroyed();
        return messages.Count == 1
            ? _records.ReplaceAsync(NewMessagePath(), messages[0], overwrite: false, CancellationToken.None)
            : _records.ReplaceAsync(NewMessagePath() + BatchSuffix, FileJobStoreMessageGroup.Encode(messages), overwrite: false, CancellationToken.None);
    }

    /// <inheritdoc />
    public async ValueTask WriteLogsAsync(Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDestroyed();

        // The message goes through a temporary file that readers skip, so it appears in the inbox whole.
        await _records.CommitStreamAsync(NewMessagePath(), writer, overwrite: false, cancellationToken).ConfigureAwait(false);
    }

    // Names sort by write time, then by this instance's sequence (a clock that does not move, or two writes in one
    // tick), so messages are delivered in the order they were written.
    private string NewMessagePath()
    {
        long sequence = Interlocked.Increment(ref _messageSequence);
        return Path.Join(_root, FileJobStoreLayout.StatsDirectory, FileJobStoreLayout.InboxDirectory, $"{MessagePrefix}{_time.GetUtcNow().UtcTicks:x16}{sequence:x8}{Guid.NewGuid():N}");
    }

    /// <inheritdoc />
    public async ValueTask<int> ReadLogsAsync(Func<Stream, CancellationToken, ValueTask> callback, bool readAll = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ThrowIfDestroyed();
        string inbox = Contained(_layout.Directory(Path.Join(FileJobStoreLayout.StatsDirectory, FileJobStoreLayout.InboxDirectory)));
        string archive = Contained(_layout.Directory(Path.Join(FileJobStoreLayout.StatsDirectory, FileJobStoreLayout.ArchiveDirectory)));
        int count = 0;
        if (readAll)
        {
            foreach (string path in ListMessages(archive))
            {
                count += await DeliverAsync(path, callback, cancellationToken).ConfigureAwait(false) ?? 0;
            }
        }

        bool moved = false;
        try
        {
            foreach (string path in ListMessages(inbox))
            {
                if (await DeliverAsync(path, callback, cancellationToken).ConfigureAwait(false) is not int delivered)
                {
                    continue;
                }

                count += delivered;
                moved |= await IoAsync("archive-message", () => Archive(path, Path.Join(archive, Path.GetFileName(path))), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (moved)
            {
                // One fsync per directory for the whole batch: a message whose move is lost by a crash is delivered
                // again, which at-least-once delivery allows.
                await _records.SyncDirectoriesAsync("fsync-archive", cancellationToken, archive, inbox).ConfigureAwait(false);
            }
        }

        return count;
    }

    // ---- Internals ----

    /// <summary>Whether a failed filesystem step is retried (see <see cref="FileJobStoreRecords.IsTransient"/>).</summary>
    internal static bool IsTransient(Exception exception) => FileJobStoreRecords.IsTransient(exception);

    /// <summary>
    /// The <c>kind-*/instance-*</c> names under <paramref name="tree"/> (<c>jobs</c> or <c>job-files</c>), as job IDs
    /// not yet checked; a directory removed during the walk is skipped.
    /// </summary>
    private List<string> JobIdsUnder(string tree)
    {
        List<string> ids = [];
        try
        {
            foreach (string kind in Directory.EnumerateDirectories(Contained(_layout.Directory(tree)), "kind-*"))
            {
                try
                {
                    foreach (string instance in Directory.EnumerateDirectories(kind, "instance-*"))
                    {
                        ids.Add($"{Path.GetFileName(kind)}/{Path.GetFileName(instance)}");
                    }
                }
                catch (DirectoryNotFoundException)
                {
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
        }

        return ids;
    }

    internal string JobDirectory(string jobId) => _layout.JobDirectory(jobId);

    internal string JobFile(string jobId) => _layout.JobFile(jobId);

    private static bool IsJobId([NotNullWhen(true)] string? id) => FileJobStoreLayout.IsJobId(id);

    private string Contained(string path) => _layout.Contained(path);

    private ValueTask IoAsync(string step, Action action, CancellationToken cancellationToken) => _records.IoAsync(step, action, cancellationToken);

    private ValueTask<T> IoAsync<T>(string step, Func<T> action, CancellationToken cancellationToken) => _records.IoAsync(step, action, cancellationToken);

    private static string ValidateAndParse(FileJobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = new FileJobStoreOptionsValidator().Validate(Options.DefaultName, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(FileJobStoreOptions), validation.Failures);
        }

        TryParseLocator(options.Locator, out string? root);
        return root!;
    }

    private static List<string> ListMessages(string directory)
    {
        try
        {
            var names = Directory.EnumerateFiles(directory, MessagePrefix + "*")
                .Where(p => !p.EndsWith(DurableFile.TempSuffix, StringComparison.Ordinal))
                .ToList();
            names.Sort(StringComparer.Ordinal);
            return names;
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }

    private static bool Archive(string source, string destination)
    {
        try
        {
            File.Move(source, destination, overwrite: false);
            return true;
        }
        catch (FileNotFoundException)
        {
            return false; // Another reader archived it.
        }
        catch (IOException ex) when (FileJobStoreRecords.IsAlreadyExists(ex))
        {
            File.Delete(source);
            return true;
        }
    }

    private string SharedPath(string name) => _layout.SharedPath(name);

    private async ValueTask<JobDescription> LoadJobCoreAsync(string jobId, bool waitForVisibility, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDestroyed();
        if (!IsJobId(jobId))
        {
            throw new NoSuchJobException(jobId ?? "<null>");
        }

        byte[] record = await ReadJobRecordAsync(jobId, waitForVisibility, cancellationToken).ConfigureAwait(false);
        var job = JobRecords.Deserialize(record, jobId);
        if (!string.Equals(job.JobStoreId, jobId, StringComparison.Ordinal))
        {
            throw new CorruptJobRecordException(jobId, $"the record holds job '{job.JobStoreId}'");
        }

        job.AssignConfig(Config);
        return job;
    }

    private async ValueTask<byte[]> ReadJobRecordAsync(string jobId, bool waitForVisibility, CancellationToken cancellationToken, bool underLock = false)
    {
        string path = JobFile(jobId);
        try
        {
            var read = () => IoAsync("read-job", () => _records.ReadJobRecord(path, jobId, underLock), cancellationToken);
            return waitForVisibility
                ? await _records.WhenVisibleAsync(path, read, cancellationToken).ConfigureAwait(false)
                : await read().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new NoSuchJobException(jobId);
        }
    }

    private async ValueTask CreateRecordAsync(string id, byte[] record, Action renamed, CancellationToken cancellationToken)
    {
        IDisposable held;
        try
        {
            held = await _locks.LockJobAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (DirectoryNotFoundException)
        {
            throw new InvalidJobStoreIdException(id, "the ID's directory was deleted before the job was created");
        }

        using var unlock = held;
        if (File.Exists(JobFile(id)))
        {
            throw new JobStoreException($"The job '{id}' already exists.");
        }

        await _records.ReplaceAsync(JobFile(id), record, overwrite: false, cancellationToken, directoryVerified: true, renamed).ConfigureAwait(false);
    }

    private async ValueTask WriteJobAsync(JobDescription job, CancellationToken cancellationToken)
    {
        long version = job.Version;
        int writer = job.VersionWriter;
        job.IncrementVersion();
        bool renamed = false;
        try
        {
            await _records.ReplaceAsync(JobFile(job.JobStoreId), _records.CheckRecordSize(job.JobStoreId, JobDescriptionSerializer.Serialize(job)), overwrite: true, cancellationToken, directoryVerified: true, () => renamed = true).ConfigureAwait(false);
        }
        catch when (renamed)
        {
            // The record was replaced and only its directory's sync failed (or was cancelled): the stored version moved,
            // and so does the caller's, so that its next update is not refused as a concurrent one.
            job.AssignConfig(Config);
            throw;
        }
        catch
        {
            job.Version = version;
            job.VersionWriter = writer;
            throw;
        }

        job.AssignConfig(Config);
    }

    /// <summary>
    /// Deletes the job under its lock, if it exists; no sync (<c>docs/decisions.md#in-place-deletion</c>). With a
    /// directory lock the record goes first, unlinked relative to the locked directory (the deletion's commit point), then
    /// the directory with <c>rmdir</c>; a directory that still holds something (cleanup files, a body file, an
    /// interrupted update's temp file) is moved into the trash instead. With lock files the directory is moved into the
    /// trash whole, record and all.
    /// </summary>
    /// <returns>Whether the job was deleted, and the trash directory to delete when one was made.</returns>
    private async ValueTask<(bool Deleted, string? Trash)> DeleteJobUnderLockAsync(string jobId, CancellationToken cancellationToken)
    {
        try
        {
            using var held = await _locks.LockJobAsync(jobId, cancellationToken).ConfigureAwait(false);
            if (held.Directory is not { } locked)
            {
                return File.Exists(JobFile(jobId)) ? (true, await MoveToTrashAsync(JobDirectory(jobId), cancellationToken).ConfigureAwait(false)) : (false, null);
            }

            if (!await IoAsync("delete-record", () => FileJobStoreTrash.UnlinkRecord(locked), cancellationToken).ConfigureAwait(false))
            {
                return (false, null); // No record: an ID reserved for a creation in flight, or deleted meanwhile.
            }

            string directory = JobDirectory(jobId);
            return await IoAsync("remove-job-directory", () => FileJobStoreTrash.RemoveEmptyJobDirectory(directory), cancellationToken).ConfigureAwait(false)
                ? (true, null)
                : (true, await MoveToTrashAsync(directory, cancellationToken).ConfigureAwait(false));
        }
        catch (DirectoryNotFoundException)
        {
            return (false, null); // Deleted by someone else meanwhile.
        }
    }

    /// <summary>Renames <paramref name="directory"/> (which the caller checked for links) into a new trash directory under <c>tmp/</c>; no sync.</summary>
    private async ValueTask<string> MoveToTrashAsync(string directory, CancellationToken cancellationToken)
    {
        string? trash = null;
        await IoAsync("move-to-trash", () => trash = FileJobStoreTrash.MoveToTrash(_layout, directory), cancellationToken).ConfigureAwait(false);
        return trash!;
    }

    private async ValueTask SyncDirectoriesAsync(IEnumerable<string> directories, CancellationToken cancellationToken)
    {
        foreach (string directory in directories)
        {
            await _records.SyncDirectoriesAsync("fsync-directory", cancellationToken, directory).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Hands the message file at <paramref name="path"/> to <paramref name="callback"/>, or each message of a batch file in
    /// order; a batch is delivered whole again if the callback throws part way (at-least-once delivery).
    /// </summary>
    /// <returns>How many messages were delivered, or <see langword="null"/> if another reader took the file.</returns>
    private async ValueTask<int?> DeliverAsync(string path, Func<Stream, CancellationToken, ValueTask> callback, CancellationToken cancellationToken)
    {
        Stream stream;
        try
        {
            // Small messages (stats) are read at once: an asynchronous file stream's reads hop through the thread pool.
            stream = await IoAsync("open-message", () => FileJobStoreRecords.OpenReadFile(_layout.OpenReadContained(path), path), cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return null; // Another reader took it.
        }

        await using (stream.ConfigureAwait(false))
        {
            if (!path.EndsWith(BatchSuffix, StringComparison.Ordinal))
            {
                await callback(stream, cancellationToken).ConfigureAwait(false);
                return 1;
            }

            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            var messages = FileJobStoreMessageGroup.Decode(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
            foreach (var message in messages)
            {
                _ = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(message, out var segment);
                using var one = new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false);
                await callback(one, cancellationToken).ConfigureAwait(false);
            }

            return messages.Count;
        }
    }

    private void ThrowIfDestroyed()
    {
        if (_destroyed)
        {
            throw new NoSuchJobStoreException(Locator);
        }
    }
}
