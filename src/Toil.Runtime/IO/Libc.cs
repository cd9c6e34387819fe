using System.Runtime.InteropServices;

namespace Toil.Runtime.IO;

/// <summary>The libc calls shared by the durable-write helper, the job store's link checks, the worker's descriptor redirection and the leader's process batch system (Linux and macOS).</summary>
internal static partial class Libc
{
    /// <summary><c>EINVAL</c>: from <c>readlink</c>, the path is not a symbolic link.</summary>
    public const int EInval = 22;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary><c>readlink(2)</c> on a NUL-terminated UTF-8 path: the link's length, or -1 (<c>EINVAL</c>: not a link).</summary>
    [LibraryImport("libc", EntryPoint = "readlink", SetLastError = true)]
    public static partial nint ReadLink(ref byte path, ref byte buffer, nint size);

    /// <summary><c>umask(2)</c>: sets the process's file-creation mask and returns the previous one (process-wide).</summary>
    [LibraryImport("libc", EntryPoint = "umask")]
    public static partial uint Umask(uint mask);

    /// <summary><c>kill(2)</c>: sends <paramref name="sig"/> to <paramref name="pid"/>; 0 when sent, -1 otherwise (<c>ESRCH</c>: gone).</summary>
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int sig);
}
