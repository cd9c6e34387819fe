using System.Globalization;

namespace Toil.Runtime.Worker;

/// <summary>
/// The leader process that launched a worker process (the restart fence, docs/decisions.md#restart-fence): the
/// local-process batch system names itself in <see cref="Variable"/> as <c>PID:STARTTIME:PIDNAMESPACE</c> (the process's start
/// time in clock ticks since boot, field 22 of <c>/proc/PID/stat</c>, so a reused process ID does not pass for it; and
/// its PID namespace, so a worker in another one, which cannot see the leader, never judges it gone). A worker
/// that has taken its liveness lock and finds that leader gone exits without touching the store: a restarted leader's
/// fence either saw its lock and killed it, or ran before the lock was taken, after the old leader had died.
/// </summary>
internal static class LaunchingLeader
{
    /// <summary>The environment variable naming the launching leader.</summary>
    public const string Variable = "TOIL_RT_LEADER_PROCESS";

    /// <summary>This process as <see cref="Variable"/> names it, or <see langword="null"/> where <c>/proc</c> cannot tell.</summary>
    public static string? DescribeThisProcess() => Describe(Environment.ProcessId);

    /// <summary>A live process of this PID namespace as <see cref="Variable"/> names it, or <see langword="null"/>.</summary>
    internal static string? Describe(int pid) =>
        StartTime(pid) is long start && PidNamespace() is { } ns
            ? string.Create(CultureInfo.InvariantCulture, $"{pid}:{start}:{ns}")
            : null;

    /// <summary>
    /// Whether the leader <paramref name="value"/> names is known to be gone (no such process, another process with
    /// its ID, or a zombie). A value that cannot be read, or a system without <c>/proc</c>, is not known to be gone.
    /// </summary>
    public static bool IsGone(string? value)
    {
        if (value is null || value.Split(':') is not [string pidText, string startText, string ns]
            || !int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 0
            || !long.TryParse(startText, NumberStyles.None, CultureInfo.InvariantCulture, out long start))
        {
            return false;
        }

        // Another PID namespace (a worker command that enters a container) cannot see the leader's process: not known.
        return PidNamespace() == ns && StartTime(pid) != start;
    }

    /// <summary>This process's PID namespace (the inode of <c>/proc/self/ns/pid</c>, as <c>pid[N]</c> without the colon); null without <c>/proc</c>.</summary>
    private static string? PidNamespace()
    {
        try
        {
            return new FileInfo("/proc/self/ns/pid").LinkTarget?.Replace(":", string.Empty, StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The start time of a live (not zombie) process, from <c>/proc/PID/stat</c>; <see langword="null"/> when there is none.</summary>
    private static long? StartTime(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may hold spaces: fields are counted after its last ')'.
        int close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        string[] fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // fields[0] is field 3 (state); field 22 (start time) is fields[19].
        return fields.Length > 19 && fields[0] != "Z" && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out long start)
            ? start
            : null;
    }
}
