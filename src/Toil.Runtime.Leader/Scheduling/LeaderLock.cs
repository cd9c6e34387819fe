using System.Runtime.CompilerServices;
using Toil.Runtime.IO;
using Toil.Runtime.JobStores;
using Toil.Runtime.Leader.Workflows;

namespace Toil.Runtime.Leader.Scheduling;

/// <summary>
/// The one-leader-per-store lock (see <c>docs/leader.md</c>). For a file job store it is an exclusive OS lock on
/// <c>leader.lock</c> among the store's shared files: held while the leader's process lives, released by the kernel when it
/// dies however it dies (so a SIGKILLed leader never blocks its restart). For any other store it is held in this
/// process only (an in-memory store cannot be reached from another one).
/// </summary>
internal sealed class LeaderLock : IDisposable
{
    private const string FileName = "leader.lock";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private static readonly ConditionalWeakTable<IJobStore, object> InProcessHolders = [];

    private readonly FileStream? _file;
    private readonly IJobStore? _store;

    private LeaderLock(FileStream? file, IJobStore? store)
    {
        _file = file;
        _store = store;
    }

    /// <summary>Takes the lock, waiting at most <paramref name="timeout"/> (polling every 50 ms, a <see cref="BoundedRetry"/>).</summary>
    /// <exception cref="LeaderAlreadyRunningException">Another leader holds it for longer than the timeout.</exception>
    public static async ValueTask<LeaderLock> AcquireAsync(IJobStore store, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var wait = new BoundedRetry(time, timeout, PollInterval, PollInterval, static e => e is HeldException);
        try
        {
            return await wait.ExecuteAsync(() => ValueTask.FromResult(TryTake(store) ?? throw new HeldException()), "leader-lock", cancellationToken).ConfigureAwait(false);
        }
        catch (HeldException)
        {
            throw new LeaderAlreadyRunningException(
                $"Another leader is running on the job store '{store.Locator}' (its leader lock was not free within {timeout.TotalSeconds:0.###} s). " +
                "Wait for it to end, or stop it; a leader that died releases the lock with its process.");
        }
    }

    /// <summary>
    /// Whether a leader holds the lock of the file job store at <paramref name="storePath"/> now (the probe of
    /// <c>toil status</c> and <c>toil clean</c>). The lock is taken and released at once, never held; a leader starting at
    /// that moment waits one poll longer. A store whose lock file does not exist has never had a leader.
    /// </summary>
    /// <param name="storePath">The store's directory.</param>
    /// <param name="holder">What the holder wrote into the lock file (<c>pid@host</c>), when it is held.</param>
    /// <returns><see langword="true"/> when another open file description holds the lock.</returns>
    public static bool IsHeld(string storePath, out string? holder)
    {
        holder = null;
        string path = Path.Combine(storePath, FileJobStore.SharedDirectory, FileName);
        if (new FileInfo(path).LinkTarget is not null)
        {
            throw new SymbolicLinkInJobStoreException(path, "file:" + storePath);
        }

        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
        catch (IOException)
        {
            // The holder wrote pid@host before anyone could probe. A FileStream opened by path would ask for a shared
            // flock and fail; a descriptor from open(2) wrapped in a handle takes no lock.
            int fd = IO.Libc.Open(path, 0x80000 /* O_RDONLY | O_CLOEXEC */, 0);
            if (fd >= 0)
            {
                using var reader = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true), FileAccess.Read);
                using var text = new StreamReader(reader);
                holder = text.ReadLine();
            }

            return true;
        }
    }

    private static LeaderLock? TryTake(IJobStore store)
    {
        if (FileJobStore.TryParseLocator(store.Locator, out string? path) && Directory.Exists(Path.Combine(path, FileJobStore.SharedDirectory)))
        {
            try
            {
                // FileShare.None takes an exclusive flock on Unix, also against other handles in this process. (Not
                // FileLock.Open: that creates with an explicit mode, where this file has always followed the umask.)
                var file = new FileStream(Path.Combine(path, FileJobStore.SharedDirectory, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                file.SetLength(0);
                file.Write(System.Text.Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Environment.ProcessId}@{Environment.MachineName}\n")));
                file.Flush();
                return new LeaderLock(file, null);
            }
            catch (IOException)
            {
                return null;
            }
        }

        lock (InProcessHolders)
        {
            if (InProcessHolders.TryGetValue(store, out _))
            {
                return null;
            }

            InProcessHolders.Add(store, new object());
            return new LeaderLock(null, store);
        }
    }

    public void Dispose()
    {
        _file?.Dispose();
        if (_store is not null)
        {
            lock (InProcessHolders)
            {
                InProcessHolders.Remove(_store);
            }
        }
    }

    /// <summary>The lock is held by another leader (the wait's "not yet").</summary>
    private sealed class HeldException : Exception
    {
    }
}
