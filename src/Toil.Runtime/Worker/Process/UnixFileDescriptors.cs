using System.Runtime.InteropServices;
using Toil.Runtime.IO;

namespace Toil.Runtime.Worker;

/// <summary>The few libc calls the worker needs: open with O_APPEND, dup, dup2, fsync, close, kill for log capture; getrusage for stats (Linux and macOS).</summary>
internal static partial class UnixFileDescriptors
{
    public const int StandardInput = 0;
    public const int StandardOutput = 1;
    public const int StandardError = 2;
    public const int SigKill = 9;

    private const int ORdOnly = 0;
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
        int fd = Libc.Open(path, OWrOnly | OCreat | OAppend | OCloexec, Convert.ToInt32("600", 8));
        return fd >= 0 ? fd : throw Error($"open '{path}'");
    }

    /// <summary>Opens <paramref name="path"/> for reading, close-on-exec.</summary>
    public static int OpenReadOnly(string path)
    {
        int fd = Libc.Open(path, ORdOnly | OCloexec, 0);
        return fd >= 0 ? fd : throw Error($"open '{path}'");
    }

    /// <summary>Duplicates <paramref name="fd"/> to a new descriptor that children do not inherit.</summary>
    public static int DuplicateCloseOnExec(int fd)
    {
        int copy = Libc.Fcntl(fd, FDupFdCloexec, 3);
        return copy >= 0 ? copy : throw Error($"duplicate descriptor {fd}");
    }

    public static void Redirect(int from, int to)
    {
        if (Libc.Dup2(from, to) < 0)
        {
            throw Error($"dup2({from}, {to})");
        }
    }

    public static void Flush(int fd) => _ = Libc.Fsync(fd);

    public static void CloseDescriptor(int fd) => _ = Libc.Close(fd);

    public static bool Signal(int pid, int signal) => Libc.Kill(pid, signal) == 0;

    /// <summary>
    /// The process's peak resident set in KiB from one <c>getrusage</c> call (what Toil reads), or -1 if unavailable;
    /// <c>Process.PeakWorkingSet64</c> parses <c>/proc</c> files for every thread, which costs more than a trivial job.
    /// </summary>
    public static unsafe long PeakResidentKib()
    {
        if (!IsSupported)
        {
            return -1;
        }

        // struct rusage on 64-bit Linux and macOS: two 16-byte timevals, then ru_maxrss and 13 more longs.
        long* usage = stackalloc long[18];
        if (Libc.GetRusage(0, usage) != 0)
        {
            return -1;
        }

        long maxRss = usage[4];
        return OperatingSystem.IsMacOS() ? maxRss / 1024 : maxRss;
    }

    /// <summary>
    /// The process's CPU time (user and system, all threads, as <see cref="Environment.CpuUsage"/> reports it) and peak
    /// resident set in KiB from one <c>getrusage</c>, or <see langword="null"/> where it is not available.
    /// </summary>
    public static unsafe (TimeSpan Cpu, long PeakResidentKib)? ResourceUsage()
    {
        if (!IsSupported || !Environment.Is64BitProcess)
        {
            return null;
        }

        // struct rusage on 64-bit Linux and macOS: ru_utime and ru_stime (seconds, microseconds), then ru_maxrss.
        long* usage = stackalloc long[18];
        if (Libc.GetRusage(0, usage) != 0)
        {
            return null;
        }

        // tv_usec is 32 bits on macOS (padded to 8 bytes): read only its low half, which holds it on both.
        long micros = ((usage[0] + usage[2]) * 1_000_000) + (int)usage[1] + (int)usage[3];
        long maxRss = usage[4];
        return (TimeSpan.FromTicks(micros * TimeSpan.TicksPerMicrosecond), OperatingSystem.IsMacOS() ? maxRss / 1024 : maxRss);
    }

    private static IOException Error(string what) => new($"{what} failed (errno {Marshal.GetLastPInvokeError()})");
}
