using System.Globalization;
using System.Text.RegularExpressions;

namespace Toil.Runtime.Slurm;

/// <summary>Reads what Slurm's commands print, in the formats <see cref="SlurmBatchSystem"/> asks them for.</summary>
internal static partial class SlurmOutputParser
{
    /// <summary>The <c>squeue</c> output format the parser reads: job ID, state, reason.</summary>
    public const string SqueueFormat = "%i|%T|%r";

    /// <summary>The <c>sinfo</c> output format the parser reads: node, CPUs, memory in MiB, state.</summary>
    public const string SinfoFormat = "%N|%c|%m|%T";

    /// <summary>The <c>sacct</c> fields the parser reads (with <c>-P</c>): job ID, state, exit code.</summary>
    public const string SacctFields = "JobIDRaw,State,ExitCode";

    /// <summary>Reads <c>sbatch --parsable</c>'s output: <c>ID</c> or <c>ID;CLUSTER</c>.</summary>
    /// <param name="text">The output.</param>
    /// <returns>The job ID.</returns>
    /// <exception cref="FormatException">The output holds no job ID.</exception>
    public static long ParseSbatch(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? string.Empty;
        string id = line.Split(';')[0];
        return long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new FormatException($"sbatch printed no job ID: '{text.Trim()}'");
    }

    /// <summary>Reads <c>squeue -h -o '%i|%T|%r'</c> lines.</summary>
    /// <param name="text">The output.</param>
    /// <returns>The jobs, without exit codes.</returns>
    public static IReadOnlyList<SlurmJobInfo> ParseSqueue(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var jobs = new List<SlurmJobInfo>();
        foreach (string line in Lines(text))
        {
            string[] parts = line.Split('|');
            if (parts.Length >= 2 && TryParseJobId(parts[0], out long id))
            {
                jobs.Add(new SlurmJobInfo(id, NormalizeState(parts[1]), parts.Length > 2 ? parts[2].Trim() : string.Empty));
            }
        }

        return jobs;
    }

    /// <summary>Reads <c>scontrol show job -o</c> output: one line of <c>Key=Value</c> pairs per job.</summary>
    /// <param name="text">The output.</param>
    /// <returns>The jobs, with exit codes and run times.</returns>
    public static IReadOnlyList<SlurmJobInfo> ParseScontrolShowJob(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var jobs = new List<SlurmJobInfo>();
        foreach (string line in Lines(text))
        {
            var fields = ParseKeyValues(line);
            if (!fields.TryGetValue("JobId", out string? idText) || !TryParseJobId(idText, out long id))
            {
                continue;
            }

            (int? code, int? signal) = fields.TryGetValue("ExitCode", out string? exit) ? ParseExitCode(exit) : (null, null);
            jobs.Add(new SlurmJobInfo(id, NormalizeState(fields.GetValueOrDefault("JobState", string.Empty)), fields.GetValueOrDefault("Reason", string.Empty), code, signal)
            {
                RunTime = fields.TryGetValue("RunTime", out string? run) ? ParseDuration(run) : null,
            });
        }

        return jobs;
    }

    /// <summary>Reads <c>sacct -n -P -X -o JobIDRaw,State,ExitCode</c> lines.</summary>
    /// <param name="text">The output.</param>
    /// <returns>The jobs (allocations only; steps are skipped), with exit codes.</returns>
    public static IReadOnlyList<SlurmJobInfo> ParseSacct(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var jobs = new List<SlurmJobInfo>();
        foreach (string line in Lines(text))
        {
            string[] parts = line.Split('|');
            if (parts.Length >= 3 && TryParseJobId(parts[0], out long id))
            {
                (int? code, int? signal) = ParseExitCode(parts[2]);
                jobs.Add(new SlurmJobInfo(id, NormalizeState(parts[1]), string.Empty, code, signal));
            }
        }

        return jobs;
    }

    /// <summary>Reads <c>sinfo -h -N -o '%N|%c|%m|%T'</c> lines.</summary>
    /// <param name="text">The output.</param>
    /// <returns>Each node's name, CPUs, memory in MiB and state (a node in several partitions appears once).</returns>
    public static IReadOnlyList<(string Node, int Cpus, long MemoryMiB, string State)> ParseSinfoNodes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var nodes = new Dictionary<string, (string, int, long, string)>(StringComparer.Ordinal);
        foreach (string line in Lines(text))
        {
            string[] parts = line.Split('|');
            if (parts.Length >= 4
                && int.TryParse(parts[1].TrimEnd('+'), NumberStyles.None, CultureInfo.InvariantCulture, out int cpus)
                && long.TryParse(parts[2].TrimEnd('+'), NumberStyles.None, CultureInfo.InvariantCulture, out long memory))
            {
                nodes.TryAdd(parts[0], (parts[0], cpus, memory, parts[3].Trim()));
            }
        }

        return [.. nodes.Values];
    }

    /// <summary>Reads whether <c>scontrol show config</c> names an accounting storage (so <c>sacct</c> works).</summary>
    /// <param name="text">The output.</param>
    /// <returns><see langword="true"/> when accounting is configured.</returns>
    public static bool HasAccounting(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (string line in Lines(text))
        {
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && line[..equals].Trim() == "AccountingStorageType")
            {
                string value = line[(equals + 1)..].Trim();
                return value.Length > 0 && !value.EndsWith("/none", StringComparison.Ordinal) && value != "(null)";
            }
        }

        return false;
    }

    /// <summary>Reads Slurm's <c>EXIT:SIGNAL</c> exit code.</summary>
    /// <param name="text">For example <c>3:0</c> or <c>0:15</c>.</param>
    /// <returns>The exit code and signal; <see langword="null"/> where unreadable.</returns>
    public static (int? ExitCode, int? Signal) ParseExitCode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Trim().Split(':');
        int? code = int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int c) ? c : null;
        int? signal = parts.Length > 1 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int s) ? s : null;
        return (code, signal);
    }

    /// <summary>Reads Slurm's <c>[D-]HH:MM:SS</c>, <c>MM:SS</c> durations.</summary>
    /// <param name="text">The duration.</param>
    /// <returns>The duration, or <see langword="null"/> (for example <c>UNLIMITED</c>).</returns>
    public static TimeSpan? ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string rest = text.Trim();
        int days = 0;
        int dash = rest.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0)
        {
            if (!int.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out days))
            {
                return null;
            }

            rest = rest[(dash + 1)..];
        }

        string[] parts = rest.Split(':');
        var numbers = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return null;
            }
        }

        return numbers.Length switch
        {
            3 => new TimeSpan(days, numbers[0], numbers[1], numbers[2]),
            2 => new TimeSpan(days, 0, numbers[0], numbers[1]),
            1 when dash > 0 => new TimeSpan(days, numbers[0], 0, 0),
            1 => TimeSpan.FromMinutes(numbers[0]),
            _ => null,
        };
    }

    /// <summary>Formats a wall-time limit for <c>sbatch --time</c>: whole minutes, rounded up (Slurm's resolution).</summary>
    /// <param name="walltime">The limit; positive.</param>
    /// <returns>For example <c>1</c> or <c>1-00:01:00</c>.</returns>
    public static string FormatTime(TimeSpan walltime)
    {
        long minutes = Math.Max(1, (long)Math.Ceiling(walltime.TotalMinutes));
        long days = minutes / (24 * 60);
        long hours = minutes / 60 % 24;
        long mins = minutes % 60;
        return string.Create(CultureInfo.InvariantCulture, $"{days}-{hours:00}:{mins:00}:00");
    }

    internal static Dictionary<string, string> ParseKeyValues(string line)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var starts = KeyStart().Matches(line);
        for (int i = 0; i < starts.Count; i++)
        {
            Match m = starts[i];
            int valueStart = m.Index + m.Length;
            int valueEnd = i + 1 < starts.Count ? starts[i + 1].Index : line.Length;
            // Values with spaces (Command, WorkDir) run to the next key; the first occurrence of a key wins.
            fields.TryAdd(m.Groups[1].Value, line[valueStart..valueEnd].Trim());
        }

        return fields;
    }

    private static string NormalizeState(string state)
    {
        // sacct prints "CANCELLED by 0"; squeue can print "CANCELLED+" in narrow columns.
        string first = state.Trim().Split(' ', 2)[0];
        return first.TrimEnd('+');
    }

    private static bool TryParseJobId(string text, out long id) =>
        long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out id);

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [GeneratedRegex(@"(?:^|\s)([A-Za-z][A-Za-z0-9_/:]*)=")]
    private static partial Regex KeyStart();
}
