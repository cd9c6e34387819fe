using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Toil.Runtime.Executors.Processes;

/// <summary>libc calls .NET's <see cref="System.Diagnostics.Process"/> does not offer: spawn into a new process group,
/// wait for a raw wait status, signal a process group.</summary>
internal static unsafe partial class PosixProcessInterop
{
    // Same values on glibc, musl and macOS.
    private const short PosixSpawnSetPGroup = 0x02;
    private const short PosixSpawnSetSigDef = 0x04;
    private const short PosixSpawnSetSigMask = 0x08;

    // The opaque libc structures are at most a few hundred bytes (glibc: attr 336, file actions 80, sigset 128);
    // one generous zeroed buffer each is filled by the libc init functions.
    private const int OpaqueSize = 1024;

    public const int EIntr = 4;
    public const int ESrch = 3;
    public const int EChild = 10;

    /// <summary>Spawns <paramref name="path"/> with <paramref name="argv"/> and <paramref name="envp"/> as the leader of
    /// a new process group (pgid = pid), with default signal dispositions and an empty signal mask.</summary>
    /// <returns>The child's pid.</returns>
    /// <exception cref="Win32Exception">posix_spawn failed (e.g. the program or working directory does not exist).</exception>
    public static int SpawnInNewProcessGroup(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp, string? workingDirectory)
    {
        byte* attr = (byte*)NativeMemory.AllocZeroed(OpaqueSize);
        byte* actions = (byte*)NativeMemory.AllocZeroed(OpaqueSize);
        byte* defaults = (byte*)NativeMemory.AllocZeroed(OpaqueSize);
        byte* mask = (byte*)NativeMemory.AllocZeroed(OpaqueSize);
        nint* nativeArgv = AllocStringArray(argv);
        nint* nativeEnvp = AllocStringArray(envp);
        bool attrInit = false, actionsInit = false;
        try
        {
            Check(PosixSpawnAttrInit(attr), "posix_spawnattr_init");
            attrInit = true;
            Check(PosixSpawnFileActionsInit(actions), "posix_spawn_file_actions_init");
            actionsInit = true;

            Check(PosixSpawnAttrSetPGroup(attr, 0), "posix_spawnattr_setpgroup");

            // The runtime ignores SIGPIPE and the executor may itself have inherited ignored signals; the job must
            // start with default dispositions (as after a shell's exec) so forwarded signals act on it.
            _ = SigEmptySet(defaults);
            for (int signal = 1; signal < 32; signal++)
            {
                _ = SigAddSet(defaults, signal);
            }

            Check(PosixSpawnAttrSetSigDefault(attr, defaults), "posix_spawnattr_setsigdefault");
            _ = SigEmptySet(mask);
            Check(PosixSpawnAttrSetSigMask(attr, mask), "posix_spawnattr_setsigmask");
            Check(PosixSpawnAttrSetFlags(attr, PosixSpawnSetPGroup | PosixSpawnSetSigDef | PosixSpawnSetSigMask), "posix_spawnattr_setflags");

            if (workingDirectory is not null)
            {
                Check(PosixSpawnFileActionsAddChdir(actions, workingDirectory), "posix_spawn_file_actions_addchdir_np");
            }

            int pid;
            int error = PosixSpawn(&pid, path, actions, attr, nativeArgv, nativeEnvp);
            if (error != 0)
            {
                throw new Win32Exception(error, $"cannot start '{path}'" + (workingDirectory is null ? string.Empty : $" in '{workingDirectory}'") + $": {new Win32Exception(error).Message}");
            }

            return pid;
        }
        finally
        {
            if (actionsInit)
            {
                _ = PosixSpawnFileActionsDestroy(actions);
            }

            if (attrInit)
            {
                _ = PosixSpawnAttrDestroy(attr);
            }

            FreeStringArray(nativeArgv, argv.Count);
            FreeStringArray(nativeEnvp, envp.Count);
            NativeMemory.Free(attr);
            NativeMemory.Free(actions);
            NativeMemory.Free(defaults);
            NativeMemory.Free(mask);
        }
    }

    /// <summary>Blocks until <paramref name="pid"/> ends and reaps it.</summary>
    /// <returns>The raw wait status, or <see langword="null"/> if the child was reaped by someone else (ECHILD).</returns>
    public static int? WaitForExit(int pid)
    {
        while (true)
        {
            int status;
            int result = WaitPid(pid, &status, 0);
            if (result == pid)
            {
                return status;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (result < 0 && errno == EIntr)
            {
                continue;
            }

            if (result < 0 && errno == EChild)
            {
                return null;
            }

            throw new Win32Exception(errno, $"waitpid({pid}) failed");
        }
    }

    /// <summary>Decodes a wait status the way a shell does: the exit status, or 128+N when killed by signal N.</summary>
    public static (int ExitCode, int? Signal) DecodeWaitStatus(int status)
    {
        int low = status & 0x7f;
        if (low == 0)
        {
            return ((status >> 8) & 0xff, null);
        }

        return (128 + low, low);
    }

    /// <summary>Sends <paramref name="signal"/> to every process in group <paramref name="processGroupId"/>.</summary>
    /// <returns><see langword="false"/> if the group no longer exists.</returns>
    public static bool KillGroup(int processGroupId, int signal)
    {
        if (processGroupId <= 1)
        {
            // kill(0) and kill(-1) would signal our own group or every process we may signal.
            throw new ArgumentOutOfRangeException(nameof(processGroupId), processGroupId, "not a child's process group");
        }

        if (Kill(-processGroupId, signal) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno == ESrch)
        {
            return false;
        }

        throw new Win32Exception(errno, $"kill(-{processGroupId}, {signal}) failed: {new Win32Exception(errno).Message}");
    }

    /// <summary>Sends <paramref name="signal"/> to the single process <paramref name="pid"/>.</summary>
    /// <returns><see langword="false"/> if the process no longer exists.</returns>
    public static bool KillProcess(int pid, int signal)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pid, 1);
        if (Kill(pid, signal) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno == ESrch ? false : throw new Win32Exception(errno, $"kill({pid}, {signal}) failed");
    }

    /// <summary>The process group of <paramref name="pid"/>, or -1 if it does not exist.</summary>
    public static int GetProcessGroup(int pid) => GetPgid(pid);

    private static void Check(int error, string call)
    {
        if (error != 0)
        {
            throw new Win32Exception(error, $"{call} failed: {new Win32Exception(error).Message}");
        }
    }

    private static nint* AllocStringArray(IReadOnlyList<string> values)
    {
        nint* array = (nint*)NativeMemory.AllocZeroed((nuint)(values.Count + 1), (nuint)sizeof(nint));
        for (int i = 0; i < values.Count; i++)
        {
            array[i] = Marshal.StringToCoTaskMemUTF8(values[i]);
        }

        return array;
    }

    private static void FreeStringArray(nint* array, int count)
    {
        for (int i = 0; i < count; i++)
        {
            Marshal.FreeCoTaskMem(array[i]);
        }

        NativeMemory.Free(array);
    }

    [LibraryImport("libc", EntryPoint = "posix_spawn", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int PosixSpawn(int* pid, string path, byte* fileActions, byte* attr, nint* argv, nint* envp);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    private static partial int PosixSpawnAttrInit(byte* attr);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    private static partial int PosixSpawnAttrDestroy(byte* attr);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    private static partial int PosixSpawnAttrSetFlags(byte* attr, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setpgroup")]
    private static partial int PosixSpawnAttrSetPGroup(byte* attr, int pgroup);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    private static partial int PosixSpawnAttrSetSigDefault(byte* attr, byte* sigset);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    private static partial int PosixSpawnAttrSetSigMask(byte* attr, byte* sigset);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    private static partial int PosixSpawnFileActionsInit(byte* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    private static partial int PosixSpawnFileActionsDestroy(byte* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addchdir_np", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int PosixSpawnFileActionsAddChdir(byte* actions, string path);

    [LibraryImport("libc", EntryPoint = "sigemptyset")]
    private static partial int SigEmptySet(byte* set);

    [LibraryImport("libc", EntryPoint = "sigaddset")]
    private static partial int SigAddSet(byte* set, int signal);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, int* status, int options);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "getpgid", SetLastError = true)]
    private static partial int GetPgid(int pid);
}
