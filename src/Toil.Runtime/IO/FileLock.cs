namespace Toil.Runtime.IO;

/// <summary>
/// An exclusive OS file lock: a handle opened with <see cref="FileShare.None"/>, which .NET takes as
/// <c>flock(LOCK_EX | LOCK_NB)</c> on Unix, so it excludes other processes and other handles of this one, and the kernel
/// drops it when the process dies, however it dies. Taken at once (<see cref="TryOpen"/>) or within a bounded wait
/// (<see cref="OpenAsync"/>). Shared by the file job store's per-job locks and the deferred-function manager's worker
/// lock.
/// </summary>
internal static class FileLock
{
    private const int ErrorWouldBlock = 11;

    /// <summary>Whether <paramref name="exception"/> says the lock is held by someone else (<c>EWOULDBLOCK</c>, or a Windows sharing or lock violation).</summary>
    /// <param name="exception">What opening the lock threw.</param>
    /// <returns><see langword="true"/> for lock contention.</returns>
    public static bool IsContention(IOException exception) =>
        exception.HResult is ErrorWouldBlock or unchecked((int)0x80070020) or unchecked((int)0x80070021);

    /// <summary>Opens <paramref name="path"/> under the lock, creating it with <paramref name="createMode"/> if <paramref name="mode"/> allows.</summary>
    /// <param name="path">The lock file.</param>
    /// <param name="mode">How to open it (<see cref="FileMode.OpenOrCreate"/>, <see cref="FileMode.CreateNew"/>, ...).</param>
    /// <param name="createMode">The Unix mode of a file this call creates.</param>
    /// <param name="bufferSize">The stream's buffer; 0 for none.</param>
    /// <returns>The locked stream: the lock lasts until it is disposed.</returns>
    /// <exception cref="IOException">The lock is held elsewhere (<see cref="IsContention"/>), or another I/O error.</exception>
    public static FileStream Open(string path, FileMode mode, UnixFileMode createMode, int bufferSize = 0) =>
        AccessModes.Create(path, mode, FileAccess.ReadWrite, FileShare.None, bufferSize, FileOptions.None, createMode);

    /// <summary>Opens <paramref name="path"/> under the lock if nobody holds it.</summary>
    /// <param name="path">The lock file.</param>
    /// <param name="mode">How to open it.</param>
    /// <param name="createMode">The Unix mode of a file this call creates.</param>
    /// <returns>The locked stream, or <see langword="null"/> when the lock is held elsewhere.</returns>
    public static FileStream? TryOpen(string path, FileMode mode, UnixFileMode createMode)
    {
        try
        {
            return Open(path, mode, createMode);
        }
        catch (IOException ex) when (IsContention(ex))
        {
            return null;
        }
    }

    /// <summary>
    /// Opens <paramref name="path"/> under the lock, retrying with <paramref name="wait"/> while it is held elsewhere.
    /// </summary>
    /// <param name="path">The lock file.</param>
    /// <param name="mode">How to open it.</param>
    /// <param name="createMode">The Unix mode of a file this call creates.</param>
    /// <param name="wait">The bounded back-off (its handled exceptions must include contention, see <see cref="ContentionWait"/>).</param>
    /// <param name="startTimestamp">Where the wait's bound counts from.</param>
    /// <param name="beforeAttempt">Called before every attempt (a fault-injection seam); optional.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The locked stream.</returns>
    /// <exception cref="IOException">Still held when the bound passed (<see cref="IsContention"/> is true), or another I/O error.</exception>
    public static ValueTask<FileStream> OpenAsync(string path, FileMode mode, UnixFileMode createMode, BoundedRetry wait, long startTimestamp, Func<ValueTask>? beforeAttempt, CancellationToken cancellationToken) =>
        wait.ExecuteAsync(
            static async s =>
            {
                if (s.beforeAttempt is not null)
                {
                    await s.beforeAttempt().ConfigureAwait(false);
                }

                return Open(s.path, s.mode, s.createMode);
            },
            (path, mode, createMode, beforeAttempt),
            "lock",
            startTimestamp,
            cancellationToken);

    /// <summary>The wait for a held lock: delays doubling from 1 ms to 50 ms (a lock is held for one record write), bounded by <paramref name="timeout"/>.</summary>
    /// <param name="time">The clock.</param>
    /// <param name="timeout">How long to wait in all.</param>
    /// <returns>The retry.</returns>
    public static BoundedRetry ContentionWait(TimeProvider time, TimeSpan timeout) =>
        new(time, timeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(50), static e => e is IOException io && IsContention(io));

    /// <summary>
    /// Whether locks are enforced where <paramref name="heldPath"/> is: the caller holds it open under the lock, so a
    /// second exclusive open must fail with contention. It does not when <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c> is set
    /// or the filesystem has no <c>flock</c>.
    /// </summary>
    /// <param name="heldPath">A file the caller holds under the lock.</param>
    /// <returns><see langword="true"/> if a second lock on it was refused.</returns>
    public static bool IsEnforced(string heldPath)
    {
        try
        {
            using var second = new FileStream(heldPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        }
        catch (IOException ex) when (IsContention(ex))
        {
            return true;
        }

        return false;
    }
}
