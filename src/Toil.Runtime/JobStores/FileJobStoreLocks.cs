using Toil.Runtime.IO;

namespace Toil.Runtime.JobStores;

/// <summary>
/// A file job store's per-job locks (<c>docs/decisions.md#optimistic-concurrency</c>): an in-process stripe first, so
/// threads queue instead of polling, then the job's <c>job.lock</c> under an exclusive OS lock (<see cref="FileLock"/>),
/// which also excludes other store instances and processes and which the kernel drops if the process dies. The whole
/// wait is bounded by <see cref="FileJobStoreOptions.LockTimeout"/>.
/// </summary>
internal sealed class FileJobStoreLocks
{
    private readonly FileJobStoreLayout _layout;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly UnixFileMode _fileMode;
    private readonly Func<ValueTask>? _beforeAttempt;
    private readonly BoundedRetry _wait;
    private readonly SemaphoreSlim[] _stripes = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>Creates the locks of the store laid out by <paramref name="layout"/>.</summary>
    /// <param name="layout">The store's layout.</param>
    /// <param name="time">The clock of the wait.</param>
    /// <param name="timeout">How long a lock is waited for in all.</param>
    /// <param name="fileMode">The mode of lock files this creates.</param>
    /// <param name="beforeAttempt">Called before every attempt on the lock file (a fault-injection seam); optional.</param>
    public FileJobStoreLocks(FileJobStoreLayout layout, TimeProvider time, TimeSpan timeout, UnixFileMode fileMode, Func<ValueTask>? beforeAttempt)
    {
        _layout = layout;
        _time = time;
        _timeout = timeout;
        _fileMode = fileMode;
        _beforeAttempt = beforeAttempt;
        _wait = FileLock.ContentionWait(time, timeout);
    }

    /// <summary>Takes the job's lock.</summary>
    /// <returns>The held lock; dispose it to release.</returns>
    /// <exception cref="JobStoreLockTimeoutException">Not taken within the timeout.</exception>
    /// <exception cref="DirectoryNotFoundException">The job's directory does not exist.</exception>
    /// <exception cref="SymbolicLinkInJobStoreException">The way to the lock passes through a link.</exception>
    public async ValueTask<IDisposable> LockJobAsync(string jobId, CancellationToken cancellationToken)
    {
        string path = _layout.Contained(_layout.LockFile(jobId));
        long start = _time.GetTimestamp();
        var stripe = _stripes[(uint)StringComparer.Ordinal.GetHashCode(jobId) % (uint)_stripes.Length];
        if (!await stripe.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false))
        {
            throw new JobStoreLockTimeoutException(jobId, path, _timeout);
        }

        try
        {
            FileStream file = await FileLock.OpenAsync(path, FileMode.OpenOrCreate, _fileMode, _wait, start, _beforeAttempt, cancellationToken).ConfigureAwait(false);
            return new JobLock(file, stripe);
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

    /// <summary>Creates (or opens, when a retried step made it already) a job's empty lock file with the store's file mode.</summary>
    public void CreateLockFile(string path)
    {
        using var stream = AccessModes.Create(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0, FileOptions.None, _fileMode);
        if (AccessModes.NeedsChmod(_fileMode) && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(stream.SafeFileHandle, _fileMode);
        }
    }

    /// <summary>Refuses a store where file locks are not enforced: concurrent job updates could not be checked there.</summary>
    /// <exception cref="JobStoreException">Locks are not enforced in the store's <c>tmp/</c>.</exception>
    public void EnsureEnforced()
    {
        string probe = _layout.Contained(Path.Join(_layout.Directory(FileJobStoreLayout.TempDirectory), $"lock-probe-{Guid.NewGuid():N}"));
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
