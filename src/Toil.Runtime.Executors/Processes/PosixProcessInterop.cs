using System.ComponentModel;
using System.Runtime.InteropServices;
using Toil.Runtime.IO;

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
            Check(Libc.PosixSpawnAttrInit(attr), "posix_spawnattr_init");
            attrInit = true;
            Check(Libc.PosixSpawnFileActionsInit(actions), "posix_spawn_file_actions_init");
            actionsInit = true;

            Check(Libc.PosixSpawnAttrSetPGroup(attr, 0), "posix_spawnattr_setpgroup");

            // The runtime ignores SIGPIPE and the executor may itself have inherited ignored signals; the job must
            // start with default dispositions (as after a shell's exec) so forwarded signals act on it.
            _ = Libc.SigEmptySet(defaults);
            for (int signal = 1; signal < 32; signal++)
            {
                _ = Libc.SigAddSet(defaults, signal);
            }

            Check(Libc.PosixSpawnAttrSetSigDefault(attr, defaults), "posix_spawnattr_setsigdefault");
            _ = Libc.SigEmptySet(mask);
            Check(Libc.PosixSpawnAttrSetSigMask(attr, mask), "posix_spawnattr_setsigmask");
            Check(Libc.PosixSpawnAttrSetFlags(attr, PosixSpawnSetPGroup | PosixSpawnSetSigDef | PosixSpawnSetSigMask), "posix_spawnattr_setflags");

            if (workingDirectory is not null)
            {
                Check(Libc.PosixSpawnFileActionsAddChdir(actions, workingDirectory), "posix_spawn_file_actions_addchdir_np");
            }

            int pid;
            int error = Libc.PosixSpawn(&pid, path, actions, attr, nativeArgv, nativeEnvp);
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
                _ = Libc.PosixSpawnFileActionsDestroy(actions);
            }

            if (attrInit)
            {
                _ = Libc.PosixSpawnAttrDestroy(attr);
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
            int result = Libc.WaitPid(pid, &status, 0);
            if (result == pid)
            {
                return status;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (result < 0 && errno == Libc.EIntr)
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

        if (Libc.Kill(-processGroupId, signal) == 0)
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
        if (Libc.Kill(pid, signal) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno == ESrch ? false : throw new Win32Exception(errno, $"kill({pid}, {signal}) failed");
    }

    /// <summary>The process group of <paramref name="pid"/>, or -1 if it does not exist.</summary>
    public static int GetProcessGroup(int pid) => Libc.GetPgid(pid);

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
}
