using System.Runtime.InteropServices;

namespace Toil.Runtime.IO;

/// <summary>
/// Every libc call of the repository, declared once (Linux and macOS): the durable-write helper, the job store's link
/// checks, the worker's descriptor redirection and resource usage, the leader's process batch system, and the
/// executors' process groups and start-up diagnostics (which reach it through <c>InternalsVisibleTo</c>). A test keeps
/// native imports out of every other file.
/// </summary>
internal static unsafe partial class Libc
{
    /// <summary><c>EINVAL</c>: from <c>readlink</c>, the path is not a symbolic link.</summary>
    public const int EInval = 22;

    /// <summary><c>EPERM</c> (the same on Linux and macOS): the operation is not permitted.</summary>
    public const int EPerm = 1;

    /// <summary><c>ENOENT</c> (the same on Linux and macOS): an entry of the path does not exist.</summary>
    public const int ENoEnt = 2;

    /// <summary><c>ENOTDIR</c> (the same on Linux and macOS): an entry used as a directory is not one.</summary>
    public const int ENotDir = 20;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode);

    /// <summary><c>unlinkat(2)</c>: removes <paramref name="path"/> relative to the directory descriptor, never following a link.</summary>
    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UnlinkAt(int directory, string path, int flags);

    /// <summary>
    /// <c>O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC</c> for <see cref="Open"/> (with <c>O_RDONLY</c>, 0 everywhere): their
    /// values differ between macOS, the Linux ports that use the generic ones (x86-64), and 32- and 64-bit ARM Linux.
    /// </summary>
    public static int OpenDirectoryNoFollowFlags => OperatingSystem.IsMacOS()
        ? 0x100000 | 0x100 | 0x1000000
        : RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm
            ? 0x4000 | 0x8000 | 0x80000
            : 0x10000 | 0x20000 | 0x80000;

    /// <summary><c>rmdir(2)</c>: removes an empty directory (a link at the path is not followed: <c>ENOTDIR</c>).</summary>
    [LibraryImport("libc", EntryPoint = "rmdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Rmdir(string path);

    /// <summary><c>EEXIST</c>, which some filesystems return for <c>rmdir</c> of a directory that is not empty.</summary>
    public const int EExist = 17;

    /// <summary><c>ENOTEMPTY</c>: the directory is not empty.</summary>
    public static int ENotEmpty => OperatingSystem.IsMacOS() ? 66 : 39;

    /// <summary><c>EISDIR</c>: a directory where a file was expected.</summary>
    public const int EIsDir = 21;

    /// <summary><c>flock(2)</c>: <c>LOCK_EX | LOCK_NB</c> on a directory's descriptor is the file job store's per-job lock.</summary>
    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary><c>readlink(2)</c> on a NUL-terminated UTF-8 path: the link's length, or -1 (<c>EINVAL</c>: not a link).</summary>
    [LibraryImport("libc", EntryPoint = "readlink", SetLastError = true)]
    public static partial nint ReadLink(ref byte path, ref byte buffer, nint size);

    /// <summary>
    /// <c>openat2(2)</c> (Linux 5.6 and later) through <c>syscall(2)</c>, as glibc before 2.39 has no wrapper: the
    /// descriptor, or -1 (<c>ELOOP</c> under <c>RESOLVE_NO_SYMLINKS</c>: a symbolic link on the way; <c>ENOSYS</c>: no such
    /// call). <paramref name="number"/> is <see cref="SysOpenAt2"/>; the arguments are all integers or pointers, passed in
    /// registers as a non-variadic call's would be.
    /// </summary>
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static partial nint OpenAt2(nint number, nint directory, ref byte path, ref OpenHow how, nint size);

    /// <summary><c>SYS_openat2</c>: the same number on every Linux architecture (calls added after 5.1 share one table).</summary>
    public const nint SysOpenAt2 = 437;

    /// <summary><c>AT_FDCWD</c>: a relative path is resolved against the current directory.</summary>
    public const nint AtFdCwd = -100;

    /// <summary><c>O_PATH | O_CLOEXEC</c> (the generic values, those of x86-64 and AArch64): a descriptor that only names the entry.</summary>
    public const ulong OPathCloseOnExec = 0x200000 | 0x80000;

    /// <summary><c>RESOLVE_NO_SYMLINKS</c>: fail with <c>ELOOP</c> at any symbolic link on the way, the last entry included.</summary>
    public const ulong ResolveNoSymlinks = 0x04;

    /// <summary><c>O_RDONLY | O_CLOEXEC</c> for <see cref="OpenHow.Flags"/> (the same value on every Linux architecture).</summary>
    public const ulong ORdOnlyCloseOnExec = 0x80000;

    /// <summary><c>statx(2)</c> (glibc 2.28 and later). <c>struct statx</c> has one layout on every architecture.</summary>
    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    public static partial int Statx(int directory, ref byte path, int flags, uint mask, byte* buffer);

    /// <summary><c>AT_EMPTY_PATH</c>: <see cref="Statx"/> of the descriptor itself.</summary>
    public const int AtEmptyPath = 0x1000;

    /// <summary><c>STATX_TYPE | STATX_SIZE</c>.</summary>
    public const uint StatxTypeAndSize = 0x1 | 0x200;

    /// <summary>The size of <c>struct statx</c>.</summary>
    public const int StatxBytes = 256;

    /// <summary>The offset of <c>stx_mode</c> (16 bits) in <c>struct statx</c>.</summary>
    public const int StatxModeOffset = 28;

    /// <summary>The offset of <c>stx_size</c> (64 bits) in <c>struct statx</c>.</summary>
    public const int StatxSizeOffset = 40;

    /// <summary><c>pread(2)</c>.</summary>
    [LibraryImport("libc", EntryPoint = "pread", SetLastError = true)]
    public static partial nint Pread(int fd, byte* buffer, nint count, long offset);

    /// <summary><c>EINTR</c>: interrupted by a signal; the call is repeated.</summary>
    public const int EIntr = 4;

    /// <summary><c>umask(2)</c>: sets the process's file-creation mask and returns the previous one (process-wide).</summary>
    [LibraryImport("libc", EntryPoint = "umask")]
    public static partial uint Umask(uint mask);

    /// <summary><c>kill(2)</c>: sends <paramref name="sig"/> to <paramref name="pid"/>; 0 when sent, -1 otherwise (<c>ESRCH</c>: gone).</summary>
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int sig);

    /// <summary><c>fcntl(2)</c> with an integer argument (<c>F_DUPFD_CLOEXEC</c> for the worker).</summary>
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    /// <summary><c>dup2(2)</c>: makes <paramref name="newFd"/> a copy of <paramref name="oldFd"/>.</summary>
    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    public static partial int Dup2(int oldFd, int newFd);

    /// <summary><c>getrusage(2)</c> into a caller's buffer of at least 18 longs (<c>struct rusage</c> on 64-bit).</summary>
    [LibraryImport("libc", EntryPoint = "getrusage")]
    public static partial int GetRusage(int who, long* usage);

    /// <summary><c>getrlimit(2)</c>.</summary>
    [LibraryImport("libc", EntryPoint = "getrlimit")]
    public static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "posix_spawn", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int PosixSpawn(int* pid, string path, byte* fileActions, byte* attr, nint* argv, nint* envp);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    public static partial int PosixSpawnAttrInit(byte* attr);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    public static partial int PosixSpawnAttrDestroy(byte* attr);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    public static partial int PosixSpawnAttrSetFlags(byte* attr, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setpgroup")]
    public static partial int PosixSpawnAttrSetPGroup(byte* attr, int pgroup);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    public static partial int PosixSpawnAttrSetSigDefault(byte* attr, byte* sigset);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    public static partial int PosixSpawnAttrSetSigMask(byte* attr, byte* sigset);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    public static partial int PosixSpawnFileActionsInit(byte* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    public static partial int PosixSpawnFileActionsDestroy(byte* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addchdir_np", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int PosixSpawnFileActionsAddChdir(byte* actions, string path);

    [LibraryImport("libc", EntryPoint = "sigemptyset")]
    public static partial int SigEmptySet(byte* set);

    [LibraryImport("libc", EntryPoint = "sigaddset")]
    public static partial int SigAddSet(byte* set, int signal);

    /// <summary><c>waitpid(2)</c>: the raw wait status of <paramref name="pid"/>.</summary>
    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, int* status, int options);

    /// <summary><c>getpgid(2)</c>: the process group of <paramref name="pid"/>.</summary>
    [LibraryImport("libc", EntryPoint = "getpgid", SetLastError = true)]
    public static partial int GetPgid(int pid);

    /// <summary><c>struct open_how</c> of <c>openat2(2)</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    /// <summary><c>struct rlimit</c> (64-bit): the soft and hard limits, <see cref="ulong.MaxValue"/> for unlimited.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
