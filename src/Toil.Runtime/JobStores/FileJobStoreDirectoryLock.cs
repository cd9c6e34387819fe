using System.Runtime.InteropServices;
using Toil.Runtime.IO;

namespace Toil.Runtime.JobStores;

/// <summary>
/// The OS lock on a job's directory (format 2, <c>docs/decisions.md#file-job-store-format-2</c>): the directory is
/// opened <c>O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC</c> and <c>flock(LOCK_EX | LOCK_NB)</c>'ed. The lock
/// belongs to the open file description, so it excludes other descriptors of this process, other store instances and
/// other processes, and the kernel drops it when the descriptor is closed or the process dies, however it dies.
/// No lock file: the directory is the only inode.
/// </summary>
internal sealed class FileJobStoreDirectoryLock : SafeHandle
{
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    private FileJobStoreDirectoryLock()
        : base(-1, ownsHandle: true)
    {
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == -1;

    private static int WouldBlock => OperatingSystem.IsMacOS() ? 35 : 11;

    private static int SymbolicLinkLoop => OperatingSystem.IsMacOS() ? 62 : 40;

    // open(2) flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, whose values depend on the platform.
    private static int OpenFlags => Libc.OpenDirectoryNoFollowFlags;

    /// <summary>Locks <paramref name="directory"/> if nobody else holds it.</summary>
    /// <param name="directory">The directory (its parents checked for links by the caller).</param>
    /// <returns>The held lock (dispose it to release), or <see langword="null"/> when it is held elsewhere.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist (or is not a directory).</exception>
    /// <exception cref="IOException">The directory is a symbolic link, or another error (a filesystem without <c>flock</c> on directories).</exception>
    public static FileJobStoreDirectoryLock? TryLock(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The file job store locks job directories with flock(2), which needs Linux or macOS.");
        }

        var held = new FileJobStoreDirectoryLock();
        int fd;
        do
        {
            fd = Libc.Open(directory, OpenFlags, 0);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == Libc.EIntr);

        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            held.SetHandleAsInvalid();
            throw errno switch
            {
                Libc.ENoEnt or Libc.ENotDir => new DirectoryNotFoundException($"The job directory '{directory}' does not exist."),
                _ when errno == SymbolicLinkLoop => new IOException($"The job directory '{directory}' is a symbolic link."),
                _ => new IOException($"Cannot open the job directory '{directory}' to lock it: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno),
            };
        }

        held.SetHandle(fd);
        int result;
        do
        {
            result = Libc.Flock(fd, LockExclusive | LockNonBlocking);
        }
        while (result < 0 && Marshal.GetLastPInvokeError() == Libc.EIntr);

        if (result == 0)
        {
            return held;
        }

        int error = Marshal.GetLastPInvokeError();
        held.Dispose();
        return error == WouldBlock
            ? null
            : throw new IOException($"Cannot lock the job directory '{directory}' with flock: {Marshal.GetPInvokeErrorMessage(error)} (errno {error}).", error);
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
