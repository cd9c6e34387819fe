using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Toil.Runtime.IO;

/// <summary>
/// Opens files through <c>open(2)</c> and wraps the descriptor, without the advisory <c>flock</c> that .NET takes and
/// releases around every file it opens on Unix (<c>LOCK_SH</c> for reading, <c>LOCK_EX</c> for writing, unless
/// <c>System.IO.DisableFileLocking</c> is set for the whole process). The file job store's records and files are published
/// whole by rename and guarded by its own job locks, so that lock guards nothing there and costs two system calls per open
/// (docs/performance.md, "Fan-out through the leader: the second pass"). Errors are the exceptions .NET's own open
/// throws (<see cref="FileNotFoundException"/>, <see cref="DirectoryNotFoundException"/>,
/// <see cref="UnauthorizedAccessException"/> also for a directory, <see cref="PathTooLongException"/>, else an
/// <see cref="IOException"/> whose <see cref="Exception.HResult"/> is the <c>errno</c>). On Windows it is .NET's open.
/// </summary>
internal static class UnlockedFile
{
    private const int EAccess = 13;

    private static readonly bool s_mac = OperatingSystem.IsMacOS();
    private static readonly int s_closeOnExec = s_mac ? 0x1000000 : 0x80000;
    private static readonly int s_create = s_mac ? 0x200 : 0x40;
    private static readonly int s_exclusive = s_mac ? 0x800 : 0x80;
    private static readonly int s_nameTooLong = s_mac ? 63 : 36;

    /// <summary>Opens an existing regular file for reading.</summary>
    public static SafeFileHandle OpenRead(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }

        var handle = Wrap(Libc.Open(path, s_closeOnExec, 0), path);
        try
        {
            if ((File.GetAttributes(handle) & FileAttributes.Directory) != 0)
            {
                throw new UnauthorizedAccessException($"Access to the path '{path}' is denied: it is a directory.");
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Creates <paramref name="path"/>, which must not exist, for writing with <paramref name="mode"/> (set again after creation when the umask could narrow it, as <see cref="AccessModes.Create"/> does).</summary>
    public static SafeFileHandle CreateNew(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            return File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }

        var handle = Wrap(Libc.Open(path, 1 | s_create | s_exclusive | s_closeOnExec, (int)mode), path);
        if (AccessModes.NeedsChmod(mode))
        {
            try
            {
                File.SetUnixFileMode(handle, mode);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }

        return handle;
    }

    /// <summary>Writes all of <paramref name="bytes"/> at the start of a new file and fsyncs it.</summary>
    public static void WriteAndSync(SafeFileHandle handle, ReadOnlySpan<byte> bytes, string path)
    {
        RandomAccess.Write(handle, bytes, 0);
        if (OperatingSystem.IsWindows())
        {
            RandomAccess.FlushToDisk(handle);
            return;
        }

        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (Libc.Fsync((int)handle.DangerousGetHandle()) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new IOException($"fsync of '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static SafeFileHandle Wrap(int fd, string path)
    {
        if (fd >= 0)
        {
            return new SafeFileHandle(fd, ownsHandle: true);
        }

        int errno = Marshal.GetLastPInvokeError();
        throw errno switch
        {
            Libc.ENoEnt when !Directory.Exists(Path.GetDirectoryName(path)) => new DirectoryNotFoundException($"Could not find a part of the path '{path}'."),
            Libc.ENoEnt => new FileNotFoundException($"Could not find file '{path}'.", path),
            Libc.ENotDir => new DirectoryNotFoundException($"Could not find a part of the path '{path}'."),
            EAccess or Libc.EPerm or Libc.EIsDir => new UnauthorizedAccessException($"Access to the path '{path}' is denied: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})."),
            _ when errno == s_nameTooLong => new PathTooLongException($"The path '{path}' is too long."),
            _ => new IOException($"Cannot open '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno),
        };
    }
}
