using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Toil.Runtime.IO;
using Toil.Runtime.Jobs;
using Toil.Runtime.Serialization;

namespace Toil.Runtime.JobStores;

/// <summary>
/// The embedded job store: a directory on a local or shared filesystem (locator <c>file:/path</c>), laid out as in
/// <c>docs/job-store-format.md</c>. Every write that replaces a record is crash-safe (temp file → fsync → rename →
/// fsync(directory), DESIGN D2); job updates are optimistic and checked under a per-job file lock, so they are correct
/// across threads, store instances and processes (D3). Thread-safe; loads return the caller's own copies.
/// </summary>
/// <remarks>
/// Open one with <see cref="CreateAsync"/> (a new store), <see cref="OpenAsync(FileJobStoreOptions, ILogger?, CancellationToken)"/>
/// (an existing one) or <see cref="OpenAsync(string, CancellationToken)"/> (by locator, as a worker process does).
/// </remarks>
public sealed partial class FileJobStore : IJobStore
{
    internal const string JobsDirectory = "jobs";
    internal const string JobFilesDirectory = "job-files";
    internal const string FlatFilesDirectory = "files-flat";
    internal const string SharedDirectory = "shared";
    internal const string StatsDirectory = "stats";
    internal const string TempDirectory = "tmp";
    internal const string JobFileName = "job";
    internal const string LockFileName = "job.lock";
    private const int SmallReadBytes = 64 * 1024;
    internal const string CleanupDirectory = "cleanup";
    private const string InboxDirectory = "inbox";
    private const string ArchiveDirectory = "archive";
    private const string MessagePrefix = "stats";
    private const string TrashPrefix = "trash-";
    private const int ErrorWouldBlock = 11;
    private const int ErrorExists = 17;
    private static readonly TimeSpan MaxVisibilityDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxLockDelay = TimeSpan.FromMilliseconds(50);

    private static readonly HashSet<string> s_layoutEntries = new(StringComparer.Ordinal)
    {
        JobsDirectory, JobFilesDirectory, FlatFilesDirectory, SharedDirectory, StatsDirectory, TempDirectory, FileJobStoreFormat.FileName,
    };

    private readonly string _root;
    private readonly FileJobStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _retry;
    private readonly SemaphoreSlim[] _stripes;
    private readonly UnixFileMode _directoryMode;
    private readonly UnixFileMode _fileMode;
    private volatile bool _destroyed;
    private long _messageSequence;

    private FileJobStore(string root, WorkflowConfig config, FileJobStoreOptions options, ILogger? logger)
    {
        _root = root;
        Config = config;
        _options = options;
        _time = options.TimeProvider;
        _logger = logger ?? NullLogger.Instance;
        _retry = BuildRetryPipeline(options, _logger);
        _stripes = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];
        Locator = "file:" + root;
        (_directoryMode, _fileMode) = Modes(options);
    }

    /// <summary>The canonical locator: <c>file:</c> followed by the store's absolute path (symbolic links not resolved).</summary>
    public string Locator { get; }

    /// <inheritdoc />
    public WorkflowConfig Config { get; }

    /// <summary>The store's root directory (absolute).</summary>
    public string RootPath => _root;

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
        string staging = Path.Join(parent, $".{Path.GetFileName(root)}.{Guid.NewGuid():N}.initializing");
        try
        {
            // Every directory and file with the store's mode (private by default), whatever the umask.
            AccessModes.CreateDirectory(staging, directoryMode);
            foreach (string dir in new[] { JobsDirectory, JobFilesDirectory, FlatFilesDirectory, SharedDirectory, TempDirectory, StatsDirectory, Path.Join(StatsDirectory, InboxDirectory), Path.Join(StatsDirectory, ArchiveDirectory) })
            {
                AccessModes.CreateDirectory(Path.Join(staging, dir), directoryMode);
            }

            DurableFile.WriteNewFile(Path.Join(staging, SharedDirectory, SharedFileNames.Config), JobDescriptionSerializer.SerializeConfig(config), fileMode);
            DurableFile.FsyncDirectory(Path.Join(staging, SharedDirectory));
            DurableFile.FsyncDirectory(Path.Join(staging, StatsDirectory));

            // Written last: a directory with format.json is a complete store.
            DurableFile.WriteNewFile(Path.Join(staging, FileJobStoreFormat.FileName), FileJobStoreFormat.Serialize(), fileMode);
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
            DeleteTree(staging);
            throw;
        }

        var store = new FileJobStore(root, config, options, logger);
        store.EnsureLocksAreEnforced();
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

        RefuseLinkedLayout(root, locator);
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

        FileJobStoreFormat.Check(format, locator);
        var store = new FileJobStore(root, JobDescriptionSerializer.DeserializeConfig(config, locator), options, logger);
        store.WarnIfRootIsLoose();
        store.EnsureLocksAreEnforced();
        store.SweepTrash();
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
        string parent = Path.GetDirectoryName(root)!;
        string name = Path.GetFileName(root);
        if (Directory.Exists(parent))
        {
            // Finish destroys (and initialisations) that a crash interrupted.
            foreach (string leftover in Directory.EnumerateDirectories(parent, $".{name}.*"))
            {
                string suffix = Path.GetFileName(leftover)[(name.Length + 2)..];
                if (suffix.EndsWith(".destroying", StringComparison.Ordinal) || suffix.EndsWith(".initializing", StringComparison.Ordinal))
                {
                    DeleteTree(leftover);
                }
            }
        }

        var info = new DirectoryInfo(root);
        if (!info.Exists)
        {
            return ValueTask.CompletedTask;
        }

        if (info.LinkTarget is null)
        {
            foreach (var entry in info.EnumerateFileSystemInfos())
            {
                if (!s_layoutEntries.Contains(entry.Name) && !entry.Name.EndsWith(DurableFile.TempSuffix, StringComparison.Ordinal))
                {
                    throw new JobStoreException($"Refusing to destroy '{root}': it holds '{entry.Name}', which a job store never does. Delete it by hand if it really is a job store.");
                }
            }
        }

        string trash = Path.Join(parent, $".{name}.{Guid.NewGuid():N}.destroying");
        try
        {
            Directory.Move(root, trash);
        }
        catch (DirectoryNotFoundException)
        {
            return ValueTask.CompletedTask;
        }

        DurableFile.FsyncDirectory(parent);
        DeleteTree(trash);
        return ValueTask.CompletedTask;
    }

    /// <summary>Parses a file job store locator: <c>file:/path</c>, or a path (absolute, starting with <c>.</c>, or without <c>:</c>).</summary>
    /// <param name="locator">The locator.</param>
    /// <param name="path">The absolute path it names (symbolic links not resolved).</param>
    /// <returns><see langword="true"/> for a file job store locator.</returns>
    public static bool TryParseLocator(string? locator, [NotNullWhen(true)] out string? path)
    {
        path = null;
        if (string.IsNullOrWhiteSpace(locator))
        {
            return false;
        }

        string rest;
        if (locator.StartsWith("file:", StringComparison.Ordinal))
        {
            rest = locator[5..];
        }
        else if (locator[0] is '/' or '.' || !locator.Contains(':', StringComparison.Ordinal) || Path.IsPathRooted(locator))
        {
            rest = locator;
        }
        else
        {
            return false;
        }

        if (rest.Length == 0 || rest.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }

        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rest));
        if (Path.GetDirectoryName(full) is null)
        {
            return false;
        }

        path = full;
        return true;
    }

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
        await IoAsync("assign", () =>
        {
            DurableFile.CreateDirectory(Contained(dir), _directoryMode);
            CreateLockFile(LeafContained(Path.Join(dir, LockFileName)));
        }, cancellationToken).ConfigureAwait(false);
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
            if (!IsJobId(id) || !await IsVisibleAsync(JobDirectory(id), cancellationToken).ConfigureAwait(false))
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
                records[^1] = records[^1] with { Record = CheckRecordSize(job.JobStoreId, JobDescriptionSerializer.Serialize(job)) };
            }
        }
        catch
        {
            records.ForEach(r => (r.Job.Version, r.Job.VersionWriter) = (r.Version, r.Writer));
            throw;
        }

        for (int i = 0; i < records.Count; i++)
        {
            var (job, version, writer, record) = records[i];
            try
            {
                await CreateRecordAsync(job.JobStoreId, record, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // Jobs before this one are durable; this one and the rest were not written.
                records.Skip(i).ToList().ForEach(r => (r.Job.Version, r.Job.VersionWriter) = (r.Version, r.Writer));
                throw;
            }

            job.AssignConfig(Config);
        }
    }

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

        JobLock held;
        try
        {
            held = await WhenVisibleAsync(id, () => LockJobAsync(id, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new NoSuchJobException(id);
        }

        using var unlock = held;
        byte[] stored = await ReadJobRecordAsync(id, waitForVisibility: true, cancellationToken, underLock: true).ConfigureAwait(false);
        long current = JobDescriptionSerializer.Deserialize(stored, id).Version;
        if (current != job.Version)
        {
            throw new ConcurrentJobModificationException(id, job.Version, current);
        }

        await WriteJobAsync(job, cancellationToken).ConfigureAwait(false);

        // Job temp files are only written under the lock we hold, so any left here belong to a writer that died.
        foreach (string temp in Directory.EnumerateFiles(JobDirectory(id), JobFileName + ".*" + DurableFile.TempSuffix))
        {
            DurableFile.TryDelete(temp);
        }
    }

    /// <inheritdoc />
    public ValueTask DeleteJobAsync(string jobId, CancellationToken cancellationToken = default) =>
        DeleteJobsAsync([jobId], cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Two passes, each ending with one sync per directory it changed: first every job's files are moved to the trash
    /// (its whole <c>job-files/&lt;id&gt;/</c> when that holds only cleanup files, the usual case, else just its
    /// <c>cleanup/</c>), then every job's directory. A batch of jobs of one kind so costs two directory syncs, not two
    /// per job.
    /// </remarks>
    public async ValueTask DeleteJobsAsync(IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDestroyed();
        List<string> ids = [.. jobIds.Where(id => IsJobId(id) && Directory.Exists(JobDirectory(id))).Distinct(StringComparer.Ordinal)];
        if (ids.Count == 0)
        {
            return;
        }

        List<string> trash = [];
        try
        {
            // Cleanup files first, durably, for every job: a crash before the records go leaves jobs that exist and whose
            // deletion a retry finishes, never a deleted record with its files left behind.
            var synced = new HashSet<string>(StringComparer.Ordinal);
            foreach (string id in ids)
            {
                var (moved, parent) = await MoveFilesUnderLockAsync(id, cancellationToken).ConfigureAwait(false);
                if (moved is not null)
                {
                    trash.Add(moved);
                    synced.Add(parent!);
                }
            }

            await SyncDirectoriesAsync(synced, cancellationToken).ConfigureAwait(false);
            synced.Clear();
            foreach (string id in ids)
            {
                string? moved = await MoveJobDirectoryUnderLockAsync(id, cancellationToken).ConfigureAwait(false);
                if (moved is not null)
                {
                    trash.Add(moved);
                    synced.Add(Path.GetDirectoryName(JobDirectory(id))!);
                }
            }

            await SyncDirectoriesAsync(synced, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The deletions are durable (or the exception says they may not be); what is in tmp/ is swept later.
            trash.ForEach(TryDeleteTree);
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
        List<string> ids = [];
        try
        {
            foreach (string kind in Directory.EnumerateDirectories(Contained(Path.Join(_root, JobsDirectory)), "kind-*"))
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

        foreach (string id in ids)
        {
            if (!IsJobId(id) || !File.Exists(JobFile(id)))
            {
                continue;
            }

            JobDescription job;
            try
            {
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
        string relativeDir;
        if (jobId is null)
        {
            relativeDir = $"{FlatFilesDirectory}/file-{Guid.NewGuid():N}";
        }
        else
        {
            if (!IsJobId(jobId) || !await IsVisibleAsync(JobDirectory(jobId), cancellationToken).ConfigureAwait(false))
            {
                throw new NoSuchJobException(jobId);
            }

            relativeDir = $"{JobFilesDirectory}/{jobId}/{(cleanup ? CleanupDirectory + "/" : string.Empty)}file-{Guid.NewGuid():N}";
        }

        string id = $"{relativeDir}/{JobStoreIds.SafeBaseName(baseName)}";
        string dir = Path.Join(_root, relativeDir);
        string target = Path.Join(_root, id);
        await IoAsync("create-file-directory", () => DurableFile.CreateDirectory(Contained(dir), _directoryMode), cancellationToken).ConfigureAwait(false);
        try
        {
            await CommitStreamAsync(target, writer, overwrite: false, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            TryDeleteEmptyDirectory(dir);
            throw;
        }

        return id;
    }

    /// <inheritdoc />
    public async ValueTask<Stream> OpenReadFileAsync(string fileId, CancellationToken cancellationToken = default)
    {
        string path = ResolveFile(fileId) ?? throw new NoSuchFileException(fileId);
        ThrowIfDestroyed();
        try
        {
            return await IoAsync("open-file", () => OpenReadFile(path), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new NoSuchFileException(fileId);
        }
    }

    /// <inheritdoc />
    public async ValueTask UpdateFileAsync(string fileId, Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default)
    {
        string path = ResolveFile(fileId) ?? throw new NoSuchFileException(fileId);
        ArgumentNullException.ThrowIfNull(writer);
        ThrowIfDestroyed();
        if (!File.Exists(path))
        {
            throw new NoSuchFileException(fileId);
        }

        try
        {
            await CommitStreamAsync(path, writer, overwrite: true, cancellationToken, mustExist: true).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new NoSuchFileException(fileId);
        }
    }

    /// <inheritdoc />
    public async ValueTask DeleteFileAsync(string fileId, CancellationToken cancellationToken = default)
    {
        string? path = ResolveFile(fileId);
        ThrowIfDestroyed();
        if (path is null || !File.Exists(path))
        {
            return;
        }

        await IoAsync("delete-file", () => DurableFile.Delete(path), cancellationToken).ConfigureAwait(false);
        string dir = Path.GetDirectoryName(path)!;
        if (Path.GetFileName(dir).StartsWith("file-", StringComparison.Ordinal))
        {
            TryDeleteEmptyDirectory(dir);
            RemoveDeletedJobsFilesDirectory(fileId);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> FileExistsAsync(string fileId, CancellationToken cancellationToken = default)
    {
        string? path = ResolveFile(fileId);
        ThrowIfDestroyed();
        return ValueTask.FromResult(path is not null && File.Exists(path));
    }

    /// <inheritdoc />
    public ValueTask<long> GetFileSizeAsync(string fileId, CancellationToken cancellationToken = default)
    {
        string? path = ResolveFile(fileId);
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
        await CommitStreamAsync(SharedPath(name), writer, overwrite: true, cancellationToken, mode: mode).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<Stream> OpenReadSharedFileAsync(string name, CancellationToken cancellationToken = default)
    {
        JobStoreLimits.ValidateSharedFileName(name);
        ThrowIfDestroyed();
        string path = SharedPath(name);
        try
        {
            return await IoAsync("open-shared", () => OpenRead(Contained(path)), cancellationToken).ConfigureAwait(false);
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
        await ReplaceAsync(NewMessagePath(), message, overwrite: false, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask WriteLogsAsync(Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDestroyed();

        // The message goes through a temporary file that readers skip, so it appears in the inbox whole.
        await CommitStreamAsync(NewMessagePath(), writer, overwrite: false, cancellationToken).ConfigureAwait(false);
    }

    // Names sort by write time, then by this instance's sequence (a clock that does not move, or two writes in one
    // tick), so messages are delivered in the order they were written.
    private string NewMessagePath()
    {
        long sequence = Interlocked.Increment(ref _messageSequence);
        return Path.Join(_root, StatsDirectory, InboxDirectory, $"{MessagePrefix}{_time.GetUtcNow().UtcTicks:x16}{sequence:x8}{Guid.NewGuid():N}");
    }

    /// <inheritdoc />
    public async ValueTask<int> ReadLogsAsync(Func<Stream, CancellationToken, ValueTask> callback, bool readAll = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ThrowIfDestroyed();
        string inbox = Contained(Path.Join(_root, StatsDirectory, InboxDirectory));
        string archive = Contained(Path.Join(_root, StatsDirectory, ArchiveDirectory));
        int count = 0;
        if (readAll)
        {
            foreach (string path in ListMessages(archive))
            {
                if (await DeliverAsync(path, callback, cancellationToken).ConfigureAwait(false))
                {
                    count++;
                }
            }
        }

        bool moved = false;
        try
        {
            foreach (string path in ListMessages(inbox))
            {
                if (!await DeliverAsync(path, callback, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                count++;
                moved |= await IoAsync("archive-message", () => Archive(path, Path.Join(archive, Path.GetFileName(path))), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (moved)
            {
                // One fsync per directory for the whole batch: a message whose move is lost by a crash is delivered
                // again, which at-least-once delivery allows.
                await IoAsync("fsync-archive", () =>
                {
                    DurableFile.FsyncDirectory(archive);
                    DurableFile.FsyncDirectory(inbox);
                }, cancellationToken).ConfigureAwait(false);
            }
        }

        return count;
    }

    // ---- Internals ----

    internal static bool IsTransient(Exception exception) =>
        exception is IOException io
        && io is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException or EndOfStreamException)
        && !IsLockContention(io)
        && !IsAlreadyExists(io);

    internal string JobDirectory(string jobId) => Path.Join(_root, JobsDirectory, jobId);

    internal string JobFile(string jobId) => Path.Join(_root, JobsDirectory, jobId, JobFileName);

    internal string LockFile(string jobId) => Path.Join(_root, JobsDirectory, jobId, LockFileName);

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

    private static bool IsLockContention(IOException exception) =>
        exception.HResult is ErrorWouldBlock or unchecked((int)0x80070020) or unchecked((int)0x80070021);

    private static bool IsAlreadyExists(IOException exception) =>
        exception.HResult is ErrorExists or unchecked((int)0x80070050) or unchecked((int)0x800700B7);

    private static ResiliencePipeline BuildRetryPipeline(FileJobStoreOptions options, ILogger logger)
    {
        if (options.TransientRetryAttempts == 0)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && IsTransient(e)),
                MaxRetryAttempts = options.TransientRetryAttempts,
                Delay = options.TransientRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    LogTransientRetry(logger, args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>
    /// Opens a store file for reading. A small one (job bodies, promises: most reads) is read at once into memory:
    /// asynchronous reads of a file stream go through the thread pool on Unix, which for a few hundred bytes cost more
    /// than the read, in thread hops and spinning pool threads.
    /// </summary>
    private static Stream OpenReadFile(string path)
    {
        FileStream stream = OpenRead(path);
        try
        {
            long length = stream.Length;
            if (length > SmallReadBytes)
            {
                return stream;
            }

            // Store files are published whole by rename and never written in place, so the length is the content's.
            byte[] bytes = new byte[length];
            int read = 0;
            while (read < bytes.Length && RandomAccess.Read(stream.SafeFileHandle, bytes.AsSpan(read), read) is > 0 and var n)
            {
                read += n;
            }

            stream.Dispose();
            return new MemoryStream(bytes, 0, read, writable: false);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);

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
        catch (IOException ex) when (IsAlreadyExists(ex))
        {
            File.Delete(source);
            return true;
        }
    }

    private static void TryDeleteEmptyDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: false);
            DurableFile.FsyncDirectory(Path.GetDirectoryName(directory)!);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Deletes a tree, tolerating entries that vanish meanwhile, and never following symbolic links.</summary>
    private static void DeleteTree(string directory)
    {
        var info = new DirectoryInfo(directory);
        try
        {
            if (info.LinkTarget is not null)
            {
                File.Delete(directory);
                return;
            }

            foreach (var entry in info.EnumerateFileSystemInfos())
            {
                try
                {
                    if (entry is DirectoryInfo && entry.LinkTarget is null)
                    {
                        DeleteTree(entry.FullName);
                    }
                    else
                    {
                        File.Delete(entry.FullName);
                    }
                }
                catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
                {
                }
            }

            info.Delete(recursive: false);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static void TryDeleteTree(string directory)
    {
        try
        {
            DeleteTree(directory);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [GeneratedRegex(@"\Akind-[A-Za-z0-9._-]{1,240}/instance-[0-9a-f]{32}\z", RegexOptions.CultureInvariant)]
    private static partial Regex JobIdPattern();

    private static bool IsJobId([NotNullWhen(true)] string? id) => id is not null && JobIdPattern().IsMatch(id);

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Transient I/O error in the file job store; retry {Attempt} in {Delay}")]
    private static partial void LogTransientRetry(ILogger logger, int attempt, TimeSpan delay, Exception? exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "'{Path}' is not visible yet; polling again in {Delay}")]
    private static partial void LogVisibilityWait(ILogger logger, string path, TimeSpan delay);

    private string SharedPath(string name) => Path.Join(_root, SharedDirectory, name);

    private async ValueTask<JobDescription> LoadJobCoreAsync(string jobId, bool waitForVisibility, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDestroyed();
        if (!IsJobId(jobId))
        {
            throw new NoSuchJobException(jobId ?? "<null>");
        }

        byte[] record = await ReadJobRecordAsync(jobId, waitForVisibility, cancellationToken).ConfigureAwait(false);
        var job = JobDescriptionSerializer.Deserialize(record, jobId);
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
            var read = () => IoAsync("read-job", () => ReadJobRecord(path, jobId, underLock), cancellationToken);
            return waitForVisibility
                ? await WhenVisibleAsync(path, read, cancellationToken).ConfigureAwait(false)
                : await read().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new NoSuchJobException(jobId);
        }
    }

    private async ValueTask CreateRecordAsync(string id, byte[] record, CancellationToken cancellationToken)
    {
        JobLock held;
        try
        {
            held = await LockJobAsync(id, cancellationToken).ConfigureAwait(false);
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

        await ReplaceAsync(JobFile(id), record, overwrite: false, cancellationToken, directoryVerified: true).ConfigureAwait(false);
    }

    private async ValueTask WriteJobAsync(JobDescription job, CancellationToken cancellationToken)
    {
        long version = job.Version;
        int writer = job.VersionWriter;
        job.IncrementVersion();
        try
        {
            await ReplaceAsync(JobFile(job.JobStoreId), CheckRecordSize(job.JobStoreId, JobDescriptionSerializer.Serialize(job)), overwrite: true, cancellationToken, directoryVerified: true).ConfigureAwait(false);
        }
        catch
        {
            job.Version = version;
            job.VersionWriter = writer;
            throw;
        }

        job.AssignConfig(Config);
    }

    /// <summary>temp (unique name) → write + fsync → rename → fsync(directory); each step retried on transient errors.</summary>
    /// <remarks>With <c>directoryVerified</c> the caller has checked the target's directory for links (taking the job's lock does).</remarks>
    private async ValueTask ReplaceAsync(string target, ReadOnlyMemory<byte> bytes, bool overwrite, CancellationToken cancellationToken, bool directoryVerified = false)
    {
        string temp = DurableFile.NewTempPath(target);
        await IoAsync("write-temp", () =>
        {
            // The rename replaces whatever is at the target (a link too) without following it; the directories on the way
            // must be the store's own.
            if (!directoryVerified)
            {
                Contained(Path.GetDirectoryName(target)!);
            }

            DurableFile.WriteNewFile(temp, bytes.Span, _fileMode);
        }, cancellationToken).ConfigureAwait(false);
        await CommitTempAsync(temp, target, overwrite, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask CommitStreamAsync(string target, Func<Stream, CancellationToken, ValueTask> writer, bool overwrite, CancellationToken cancellationToken, bool mustExist = false, UnixFileMode? mode = null)
    {
        string temp = DurableFile.NewTempPath(target);
        Contained(Path.GetDirectoryName(target)!);

        // The caller's writer runs once (it may consume a stream that cannot be replayed); only the commit is retried.
        await DurableFile.WriteNewFileAsync(temp, writer, cancellationToken, mode ?? _fileMode).ConfigureAwait(false);
        if (mustExist && !File.Exists(target))
        {
            DurableFile.TryDelete(temp);
            throw new FileNotFoundException("The file was deleted while it was being updated.", target);
        }

        await CommitTempAsync(temp, target, overwrite, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask CommitTempAsync(string temp, string target, bool overwrite, CancellationToken cancellationToken)
    {
        try
        {
            await IoAsync("rename", () => File.Move(temp, target, overwrite), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            DurableFile.TryDelete(temp);
            if (ex is IOException io && IsAlreadyExists(io))
            {
                throw new JobStoreException($"'{target}' already exists.", ex);
            }

            throw;
        }

        await IoAsync("fsync-directory", () => DurableFile.FsyncDirectory(Path.GetDirectoryName(target)!), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Moves a job's cleanup files to the trash under its lock, if the job exists; no sync. When <c>job-files/&lt;id&gt;/</c>
    /// holds nothing but <c>cleanup/</c> the whole directory goes (its parent is shared by the job's kind, so a batch syncs
    /// one directory, and no empty directory is left behind). Files without cleanup that a concurrent writer added after
    /// the listing are moved back: they outlive the job.
    /// </summary>
    /// <returns>The trash directory and the directory that changed, or nulls when there was nothing to move.</returns>
    private async ValueTask<(string? Trash, string? Parent)> MoveFilesUnderLockAsync(string jobId, CancellationToken cancellationToken)
    {
        string files = Path.Join(_root, JobFilesDirectory, jobId);
        string cleanup = Path.Join(files, CleanupDirectory);
        try
        {
            using var held = await LockJobAsync(jobId, cancellationToken).ConfigureAwait(false);

            // A linked job-files directory would make the rescue below move files from outside into the store.
            Contained(cleanup);
            if (!File.Exists(JobFile(jobId)) || !Directory.Exists(files))
            {
                return (null, null);
            }

            string[] entries = Directory.GetFileSystemEntries(files);
            bool whole = entries.Length == 0 || (entries.Length == 1 && Path.GetFileName(entries[0]) == CleanupDirectory);
            string source = whole ? files : cleanup;
            if (!whole && !Directory.Exists(cleanup))
            {
                return (null, null);
            }

            string trash = await MoveToTrashAsync(source, cancellationToken).ConfigureAwait(false);
            if (whole)
            {
                await IoAsync("rescue-owned-files", () => RescueOwnedFiles(trash, files, _directoryMode), cancellationToken).ConfigureAwait(false);
            }

            return (trash, Path.GetDirectoryName(source));
        }
        catch (DirectoryNotFoundException)
        {
            return (null, null); // Deleted by someone else meanwhile.
        }
    }

    /// <summary>Puts back into <paramref name="files"/> every entry of a moved job-files directory but its cleanup files.</summary>
    private static void RescueOwnedFiles(string trash, string files, UnixFileMode directoryMode)
    {
        foreach (string entry in Directory.GetFileSystemEntries(trash))
        {
            string name = Path.GetFileName(entry);
            if (name == CleanupDirectory)
            {
                continue;
            }

            AccessModes.CreateDirectory(files, directoryMode);
            Directory.Move(entry, Path.Join(files, name));
            DurableFile.FsyncDirectory(files);
            DurableFile.FsyncDirectory(Path.GetDirectoryName(files)!);
        }
    }

    /// <summary>Moves the job's directory (record and lock file) to the trash under its lock, if the job exists; no sync.</summary>
    private async ValueTask<string?> MoveJobDirectoryUnderLockAsync(string jobId, CancellationToken cancellationToken)
    {
        try
        {
            using var held = await LockJobAsync(jobId, cancellationToken).ConfigureAwait(false);
            return File.Exists(JobFile(jobId)) ? await MoveToTrashAsync(JobDirectory(jobId), cancellationToken).ConfigureAwait(false) : null;
        }
        catch (DirectoryNotFoundException)
        {
            return null; // Deleted by someone else meanwhile.
        }
    }

    /// <summary>Renames <paramref name="directory"/> (which the caller checked for links) into a new trash directory under <c>tmp/</c>; no sync.</summary>
    private async ValueTask<string> MoveToTrashAsync(string directory, CancellationToken cancellationToken)
    {
        string trash = Path.Join(_root, TempDirectory, TrashPrefix + Guid.NewGuid().ToString("N"));
        await IoAsync("move-to-trash", () => Directory.Move(directory, Contained(trash)), cancellationToken).ConfigureAwait(false);
        return trash;
    }

    private async ValueTask SyncDirectoriesAsync(IEnumerable<string> directories, CancellationToken cancellationToken)
    {
        foreach (string directory in directories)
        {
            await IoAsync("fsync-directory", () => DurableFile.FsyncDirectory(directory), cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<bool> DeliverAsync(string path, Func<Stream, CancellationToken, ValueTask> callback, CancellationToken cancellationToken)
    {
        FileStream stream;
        try
        {
            stream = await IoAsync("open-message", () => OpenRead(Contained(path)), cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return false; // Another reader took it.
        }

        await using (stream.ConfigureAwait(false))
        {
            await callback(stream, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>
    /// Resolves a file ID to a path inside the store. Throws for an ID that is malformed or escapes the store (by
    /// <c>..</c>, an absolute path or a symbolic link); returns <see langword="null"/> for a well-formed ID that
    /// cannot name a file of this store.
    /// </summary>
    private string? ResolveFile(string fileId)
    {
        JobStoreLimits.ValidateFileId(fileId);
        if (!fileId.StartsWith(FlatFilesDirectory + "/", StringComparison.Ordinal) && !fileId.StartsWith(JobFilesDirectory + "/", StringComparison.Ordinal))
        {
            return null;
        }

        string full = Path.GetFullPath(Path.Join(_root, fileId));
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidJobStoreIdException(fileId, "the ID resolves outside the job store");
        }

        // The store never makes symbolic links, so one on the way can only lead out of it.
        if (SymbolicLinks.FindBelow(_root, full) is not null)
        {
            throw new InvalidJobStoreIdException(fileId, "the ID passes through a symbolic link");
        }

        return full;
    }

    private async ValueTask<bool> IsVisibleAsync(string directory, CancellationToken cancellationToken)
    {
        try
        {
            return await WhenVisibleAsync(directory, () => Directory.Exists(directory) ? ValueTask.FromResult(true) : throw new DirectoryNotFoundException(directory), cancellationToken).ConfigureAwait(false);
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Runs <paramref name="probe"/> until it stops failing with not-found, backing off, for at most <see cref="FileJobStoreOptions.VisibilityTimeout"/> (D12).</summary>
    private async ValueTask<T> WhenVisibleAsync<T>(string what, Func<ValueTask<T>> probe, CancellationToken cancellationToken)
    {
        long start = _time.GetTimestamp();
        TimeSpan delay = _options.VisibilityPollInterval;
        while (true)
        {
            try
            {
                return await probe().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                TimeSpan left = _options.VisibilityTimeout - _time.GetElapsedTime(start);
                if (left <= TimeSpan.Zero)
                {
                    throw;
                }

                TimeSpan wait = delay < left ? delay : left;
                LogVisibilityWait(_logger, what, wait);
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                delay = delay * 2 < MaxVisibilityDelay ? delay * 2 : MaxVisibilityDelay;
            }
        }
    }

    /// <summary>
    /// Takes the job's lock: an in-process stripe first (so threads queue instead of polling), then the lock file under
    /// <see cref="FileShare.None"/> (<c>flock</c> on Unix, released by the kernel if the process dies).
    /// </summary>
    /// <exception cref="JobStoreLockTimeoutException">Not taken within <see cref="FileJobStoreOptions.LockTimeout"/>.</exception>
    /// <exception cref="DirectoryNotFoundException">The job's directory does not exist.</exception>
    private async ValueTask<JobLock> LockJobAsync(string jobId, CancellationToken cancellationToken)
    {
        string path = Contained(LockFile(jobId));
        long start = _time.GetTimestamp();
        var stripe = _stripes[(uint)StringComparer.Ordinal.GetHashCode(jobId) % (uint)_stripes.Length];
        if (!await stripe.WaitAsync(_options.LockTimeout, cancellationToken).ConfigureAwait(false))
        {
            throw new JobStoreLockTimeoutException(jobId, path, _options.LockTimeout);
        }

        try
        {
            TimeSpan delay = TimeSpan.FromMilliseconds(1);
            while (true)
            {
                await InjectAsync("lock").ConfigureAwait(false);
                try
                {
                    return new JobLock(AccessModes.Create(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0, FileOptions.None, _fileMode), stripe);
                }
                catch (IOException ex) when (IsLockContention(ex))
                {
                }

                TimeSpan left = _options.LockTimeout - _time.GetElapsedTime(start);
                if (left <= TimeSpan.Zero)
                {
                    throw new JobStoreLockTimeoutException(jobId, path, _options.LockTimeout);
                }

                await Task.Delay(delay < left ? delay : left, _time, cancellationToken).ConfigureAwait(false);
                delay = delay * 2 < MaxLockDelay ? delay * 2 : MaxLockDelay;
            }
        }
        catch
        {
            stripe.Release();
            throw;
        }
    }

    private ValueTask InjectAsync(string step) => _options.FaultInjector is { } inject ? inject(step) : ValueTask.CompletedTask;

    private ValueTask IoAsync(string step, Action action, CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(
            async _ =>
            {
                await InjectAsync(step).ConfigureAwait(false);
                action();
            },
            cancellationToken);

    private ValueTask<T> IoAsync<T>(string step, Func<T> action, CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(
            async _ =>
            {
                await InjectAsync(step).ConfigureAwait(false);
                return action();
            },
            cancellationToken);

    private void EnsureLocksAreEnforced()
    {
        string probe = Contained(Path.Join(_root, TempDirectory, $"lock-probe-{Guid.NewGuid():N}"));
        try
        {
            using var first = AccessModes.Create(probe, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 0, FileOptions.None, _fileMode);
            try
            {
                using var second = new FileStream(probe, FileMode.Open, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
            }
            catch (IOException ex) when (IsLockContention(ex))
            {
                return;
            }

            throw new JobStoreException(
                $"File locks are not enforced in '{_root}' (DOTNET_SYSTEM_IO_DISABLEFILELOCKING is set, or the filesystem has no flock): " +
                "concurrent job updates could not be checked. Use a filesystem with locks.");
        }
        finally
        {
            DurableFile.TryDelete(probe);
        }
    }

    private void SweepTrash()
    {
        try
        {
            foreach (string trash in Directory.EnumerateDirectories(Contained(Path.Join(_root, TempDirectory)), TrashPrefix + "*"))
            {
                TryDeleteTree(trash);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void ThrowIfDestroyed()
    {
        if (_destroyed)
        {
            throw new NoSuchJobStoreException(Locator);
        }
    }

    private sealed class JobLock(FileStream file, SemaphoreSlim stripe) : IDisposable
    {
        public void Dispose()
        {
            file.Dispose();
            stripe.Release();
        }
    }
}
