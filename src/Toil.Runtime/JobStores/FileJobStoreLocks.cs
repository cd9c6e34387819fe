using Toil.Runtime.IO;

namespace Toil.Runtime.JobStores;

/// <summary>
/// A file job store's per-job locks (<c>docs/decisions.md#optimistic-concurrency</c>): an in-process stripe first, so
/// threads queue instead of polling, then the job's directory itself under <c>flock(LOCK_EX)</c>
/// (<see cref="FileJobStoreDirectoryLock"/>; store format 2 has no lock file, <c>docs/decisions.md#file-job-store-format-2</c>),
/// which also excludes other store instances and processes and which the kernel drops if the process dies. The whole
/// wait is bounded by <see cref="FileJobStoreOptions.LockTimeout"/>.
/// </summary>
internal sealed class FileJobStoreLocks
{
    /// <summary>The lock file of a store that locks jobs with files (<see cref="FileJobStoreFormat.FileLock"/>).</summary>
    public const string LockFileName = "job.lock";

    private const int ErrorWouldBlock = 11;
    private readonly FileJobStoreLayout _layout;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly UnixFileMode _fileMode;
    private readonly Func<ValueTask>? _beforeAttempt;
    private readonly BoundedRetry _wait;
    private readonly bool _lockFiles;
    private readonly SemaphoreSlim[] _stripes = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>Creates the locks of the store laid out by <paramref name="layout"/>.</summary>
    /// <param name="layout">The store's layout.</param>
    /// <param name="time">The clock of the wait.</param>
    /// <param name="timeout">How long a lock is waited for in all.</param>
    /// <param name="fileMode">The mode of the lock probe this creates.</param>
    /// <param name="beforeAttempt">Called before every attempt on the lock (a fault-injection seam); optional.</param>
    /// <param name="lockFiles">Lock a <c>job.lock</c> file in the job's directory instead of the directory (a store made where directories cannot be flock'ed).</param>
    public FileJobStoreLocks(FileJobStoreLayout layout, TimeProvider time, TimeSpan timeout, UnixFileMode fileMode, Func<ValueTask>? beforeAttempt, bool lockFiles = false)
    {
        _lockFiles = lockFiles;
        _layout = layout;
        _time = time;
        _timeout = timeout;
        _fileMode = fileMode;
        _beforeAttempt = beforeAttempt;
        _wait = FileLock.ContentionWait(time, timeout);
    }

    /// <summary>Takes the job's lock: the in-process stripe, then <c>flock</c> on the job's directory.</summary>
    /// <returns>The held lock; dispose it to release.</returns>
    /// <exception cref="JobStoreLockTimeoutException">Not taken within the timeout.</exception>
    /// <exception cref="DirectoryNotFoundException">The job's directory does not exist.</exception>
    /// <exception cref="SymbolicLinkInJobStoreException">The way to the job's directory, or the directory itself, is a link.</exception>
    public async ValueTask<JobLock> LockJobAsync(string jobId, CancellationToken cancellationToken)
    {
        // Every entry from the root to the job's directory is checked here, once per operation; what the operation then
        // touches inside the directory it holds is checked from the directory down (docs/decisions.md#file-job-store-format-2).
        string path = _layout.Contained(_layout.JobDirectory(jobId));
        if (_lockFiles)
        {
            path = _layout.LeafContained(Path.Join(path, LockFileName));
        }

        long start = _time.GetTimestamp();
        var stripe = _stripes[(uint)StringComparer.Ordinal.GetHashCode(jobId) % (uint)_stripes.Length];
        if (!await stripe.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false))
        {
            throw new JobStoreLockTimeoutException(jobId, path, _timeout);
        }

        try
        {
            if (_lockFiles)
            {
                FileStream file = await FileLock.OpenAsync(path, FileMode.OpenOrCreate, _fileMode, _wait, start, _beforeAttempt, cancellationToken).ConfigureAwait(false);
                return new JobLock(file, stripe);
            }

            FileJobStoreDirectoryLock held = await _wait.ExecuteAsync(
                static async s =>
                {
                    if (s.BeforeAttempt is not null)
                    {
                        await s.BeforeAttempt().ConfigureAwait(false);
                    }

                    return FileJobStoreDirectoryLock.TryLock(s.Path) ?? throw new IOException($"The job directory '{s.Path}' is locked by another holder.", ErrorWouldBlock);
                },
                (Path: path, BeforeAttempt: _beforeAttempt),
                "lock",
                start,
                cancellationToken).ConfigureAwait(false);
            return new JobLock(held, stripe);
        }
        catch (IOException ex) when (FileLock.IsContention(ex))
        {
            stripe.Release();
            throw new JobStoreLockTimeoutException(jobId, path, _timeout);
        }
        catch
        {
            stripe.Release();
            throw;
        }
    }

    /// <summary>
    /// Refuses a store where locks are not enforced: concurrent job updates could not be checked there. Two probes in the
    /// store's <c>tmp/</c>: the job locks (<c>flock</c> on a directory, refused with an error on a filesystem that
    /// cannot lock directories, such as NFS, where <c>flock</c> becomes a byte-range lock that needs a writable
    /// descriptor) and the .NET file locks the rest of the runtime relies on (disabled by
    /// <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c>).
    /// </summary>
    /// <exception cref="JobStoreException">Locks are not enforced in the store's <c>tmp/</c>.</exception>
    public void EnsureEnforced()
    {
        string tmp = _layout.Directory(FileJobStoreLayout.TempDirectory);
        string probe = _layout.Contained(Path.Join(tmp, $"lock-probe-{Guid.NewGuid():N}"));
        try
        {
            using var first = FileLock.Open(probe, FileMode.CreateNew, _fileMode);
            if (!FileLock.IsEnforced(probe))
            {
                throw new JobStoreException(
                    $"File locks are not enforced in '{_layout.Root}' (DOTNET_SYSTEM_IO_DISABLEFILELOCKING is set, or the filesystem has no flock): " +
                    "concurrent job updates could not be checked. Use a filesystem with locks.");
            }
        }
        finally
        {
            DurableFile.TryDelete(probe);
        }

        if (_lockFiles)
        {
            return;
        }

        string directoryProbe = _layout.Contained(Path.Join(tmp, $"lock-probe-{Guid.NewGuid():N}"));
        try
        {
            AccessModes.CreateDirectory(directoryProbe, AccessModes.PrivateDirectory);
            bool enforced;
            try
            {
                using var first = FileJobStoreDirectoryLock.TryLock(directoryProbe);
                using var second = FileJobStoreDirectoryLock.TryLock(directoryProbe);
                enforced = first is not null && second is null;
            }
            catch (IOException ex) when (ex is not DirectoryNotFoundException)
            {
                throw new JobStoreException(
                    $"Directory locks (flock on a job's directory, this store's per-job lock) do not work in '{_layout.Root}': {ex.Message} " +
                    "The store was made where they work (its format.json says \"jobLock\":\"directory\"); open it there, or make stores for this filesystem from a host that mounts it the same way.", ex);
            }

            if (!enforced)
            {
                throw new JobStoreException(
                    $"File locks are not enforced in '{_layout.Root}' (a second flock on a locked directory was granted): " +
                    "concurrent job updates could not be checked. Use a filesystem with locks.");
            }
        }
        finally
        {
            try
            {
                Directory.Delete(directoryProbe);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>
    /// Whether a directory in <paramref name="directory"/> can be flock'ed exclusively (local filesystems: yes; NFS, where
    /// flock becomes a byte-range lock that needs a writable descriptor: no). Decides a new store's job lock.
    /// </summary>
    public static bool CanLockDirectories(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        string probe = Path.Join(directory, $"lock-probe-{Guid.NewGuid():N}");
        try
        {
            AccessModes.CreateDirectory(probe, AccessModes.PrivateDirectory);
            using var first = FileJobStoreDirectoryLock.TryLock(probe);
            using var second = FileJobStoreDirectoryLock.TryLock(probe);
            return first is not null && second is null;
        }
        catch (IOException)
        {
            return false;
        }
        finally
        {
            try
            {
                Directory.Delete(probe);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>A held job lock: the stripe and the OS lock.</summary>
    /// <param name="held">The OS lock (a <see cref="FileJobStoreDirectoryLock"/>, or a lock file's stream).</param>
    /// <param name="stripe">The in-process stripe.</param>
    internal sealed class JobLock(IDisposable held, SemaphoreSlim stripe) : IDisposable
    {
        /// <summary>The locked job directory's descriptor holder, or <see langword="null"/> with lock files.</summary>
        public FileJobStoreDirectoryLock? Directory => held as FileJobStoreDirectoryLock;

        /// <summary>Releases the OS lock, then the stripe.</summary>
        public void Dispose()
        {
            held.Dispose();
            stripe.Release();
        }
    }
}
