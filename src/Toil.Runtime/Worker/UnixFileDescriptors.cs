using System.Runtime.InteropServices;

namespace Toil.Runtime.Worker;

/// <summary>The few libc calls log capture needs: open with O_APPEND, dup, dup2, fsync, close, kill (Linux and macOS).</summary>
internal static partial class UnixFileDescriptors
{
    public const int StandardOutput = 1;
    public const int StandardError = 2;
    public const int SigKill = 9;

    private const int OWrOnly = 1;
    private const int FDupFdCloexec = 1030;

    public static int SigUsr1 => OperatingSystem.IsMacOS() ? 30 : 10;

    private static int OCreat => OperatingSystem.IsMacOS() ? 0x200 : 0x40;

    private static int OAppend => OperatingSystem.IsMacOS() ? 0x8 : 0x400;

    private static int OCloexec => OperatingSystem.IsMacOS() ? 0x1000000 : 0x80000;

    public static bool IsSupported => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS();

    /// <summary>Opens (creating) <paramref name="path"/> for appending: every write lands at the end, whoever writes.</summary>
    public static int OpenAppend(string path)
    {
        int fd = Open(path, OWrOnly | OCreat | OAppend | OCloexec, Convert.ToInt32("644", 8));
        return fd >= 0 ? fd : throw Error($"open '{path}'");
    }

    /// <summary>Duplicates <paramref name="fd"/> to a new descriptor that children do not inherit.</summary>
    public static int DuplicateCloseOnExec(int fd)
    {
        int copy = Fcntl(fd, FDupFdCloexec, 3);
        return copy >= 0 ? copy : throw Error($"duplicate descriptor {fd}");
    }

    public static void Redirect(int from, int to)
    {
        if (Dup2(from, to) < 0)
        {
            throw Error($"dup2({from}, {to})");
        }
    }

    public static void Flush(int fd) => _ = Fsync(fd);

    public static void CloseDescriptor(int fd) => _ = Close(fd);

    public static bool Signal(int pid, int signal) => Kill(pid, signal) == 0;

    private static IOException Error(string what) => new($"{what} failed (errno {Marshal.GetLastPInvokeError()})");

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int oldFd, int newFd);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
