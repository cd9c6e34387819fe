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

    // Whether statx and a direct pread read small files (Linux): cleared for good when statx is missing or refused.
    private static volatile bool s_statx = OperatingSystem.IsLinux();

    /// <summary>Whether <see cref="ReadAll"/> uses <c>statx</c> and <c>pread</c>; tests turn it off to compare with .NET's calls.</summary>
    internal static bool StatxEnabled
    {
        get => s_statx;
        set => s_statx = value && OperatingSystem.IsLinux();
    }

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

        using var fd = new BorrowedDescriptor(handle);
        if (Libc.Fsync(fd.Value) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"fsync of '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);
        }
    }

    private static SafeFileHandle Wrap(int fd, string path) =>
        fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw OpenError(Marshal.GetLastPInvokeError(), path);

    /// <summary>The exception .NET's own open throws for <paramref name="errno"/>.</summary>
    /// <param name="errno">The failed open's <c>errno</c>.</param>
    /// <param name="path">The path that was opened.</param>
    internal static Exception OpenError(int errno, string path) => errno switch
    {
        Libc.ENoEnt when !Directory.Exists(Path.GetDirectoryName(path)) => new DirectoryNotFoundException($"Could not find a part of the path '{path}'."),
        Libc.ENoEnt => new FileNotFoundException($"Could not find file '{path}'.", path),
        Libc.ENotDir => new DirectoryNotFoundException($"Could not find a part of the path '{path}'."),
        EAccess or Libc.EPerm or Libc.EIsDir => new UnauthorizedAccessException($"Access to the path '{path}' is denied: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})."),
        _ when errno == s_nameTooLong => new PathTooLongException($"The path '{path}' is too long."),
        _ => new IOException($"Cannot open '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno),
    };

    /// <summary>
    /// Reads the whole of a file opened for reading, if it is a regular file of at most <paramref name="maxBytes"/>: on
    /// Linux one <c>statx</c> (its type and size) and <c>pread</c> until the size is read, else .NET's calls. Store files
    /// are published whole by rename and never written in place, so the size is the content's.
    /// </summary>
    /// <param name="handle">The open file.</param>
    /// <param name="path">Its path (for messages).</param>
    /// <param name="maxBytes">The largest size read.</param>
    /// <param name="length">The file's size.</param>
    /// <returns>The bytes read (fewer than <paramref name="length"/> if the file was cut meanwhile), or <see langword="null"/> when it is larger than <paramref name="maxBytes"/>.</returns>
    /// <exception cref="UnauthorizedAccessException">It is a directory.</exception>
    public static byte[]? ReadAll(SafeFileHandle handle, string path, long maxBytes, out long length)
    {
        using var fd = new BorrowedDescriptor(handle);
        if (!s_statx || !TryStatx(fd.Value, out length, out bool directory))
        {
            directory = (File.GetAttributes(handle) & FileAttributes.Directory) != 0;
            length = directory ? 0 : RandomAccess.GetLength(handle);
        }

        if (directory)
        {
            throw IsADirectory(path);
        }

        if (length > maxBytes)
        {
            return null;
        }

        byte[] bytes = GC.AllocateUninitializedArray<byte>((int)length);
        int read = 0;
        while (read < bytes.Length)
        {
            int n = s_statx ? Pread(fd.Value, bytes.AsSpan(read), read, path) : RandomAccess.Read(handle, bytes.AsSpan(read), read);
            if (n <= 0)
            {
                return bytes[..read];
            }

            read += n;
        }

        return bytes;
    }

    /// <summary>What reading a directory as a file throws, as .NET's open does.</summary>
    private static UnauthorizedAccessException IsADirectory(string path) =>
        new($"Access to the path '{path}' is denied: it is a directory.");

    private static unsafe bool TryStatx(int fd, out long length, out bool directory)
    {
        byte* buffer = stackalloc byte[Libc.StatxBytes];
        byte empty = 0;
        int result;
        try
        {
            result = Libc.Statx(fd, ref empty, Libc.AtEmptyPath, Libc.StatxTypeAndSize, buffer);
        }
        catch (EntryPointNotFoundException)
        {
            s_statx = false; // A C library without statx.
            (length, directory) = (0, false);
            return false;
        }

        if (result != 0)
        {
            // ENOSYS (an old kernel), EPERM (a seccomp filter): .NET's calls from now on.
            s_statx = false;
            (length, directory) = (0, false);
            return false;
        }

        const int FileTypeMask = 0xF000;
        const int DirectoryType = 0x4000;
        directory = (*(ushort*)(buffer + Libc.StatxModeOffset) & FileTypeMask) == DirectoryType;
        length = *(long*)(buffer + Libc.StatxSizeOffset);
        return true;
    }

    private static unsafe int Pread(int fd, Span<byte> buffer, long offset, string path)
    {
        fixed (byte* start = buffer)
        {
            while (true)
            {
                nint n = Libc.Pread(fd, start, buffer.Length, offset);
                if (n >= 0)
                {
                    return (int)n;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno != Libc.EIntr)
                {
                    throw errno == Libc.EIsDir
                        ? IsADirectory(path)
                        : new IOException($"Cannot read '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno);
                }
            }
        }
    }
}
