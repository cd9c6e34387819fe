using System.Collections.Frozen;
using System.Text.Json;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Worker;

/// <summary>
/// The leader's environment as a worker uses it (docs/worker-algorithm.md §1 step 4, docs/decisions.md#environment): the shared file
/// <see cref="SharedFileNames.Environment"/> minus host-specific variables, with PATH the leader's entries followed by
/// the local ones it lacks.
/// </summary>
internal static class WorkerEnvironment
{
    /// <summary>Variables that describe the leader's host, not the job's: never copied (Toil's reject list).</summary>
    public static readonly FrozenSet<string> Rejected = FrozenSet.Create(
        StringComparer.Ordinal,
        "TMPDIR", "TMP", "HOSTNAME", "HOSTTYPE", "HOME", "LOGNAME", "USER", "DISPLAY", "JAVA_HOME",
        "XDG_SESSION_TYPE", "XDG_SESSION_CLASS", "XDG_SESSION_ID", "XDG_RUNTIME_DIR", "XDG_DATA_DIRS",
        "DBUS_SESSION_BUS_ADDRESS");

    private static readonly IReadOnlyDictionary<string, string> Empty = FrozenDictionary<string, string>.Empty;

    /// <summary>Loads the leader's environment; empty when the leader wrote none (an embedded host).</summary>
    /// <exception cref="CorruptJobRecordException">The shared file is not a JSON object of strings.</exception>
    public static async ValueTask<IReadOnlyDictionary<string, string>> LoadAsync(IJobStore store, string? localPath, CancellationToken cancellationToken)
    {
        if (!await store.SharedFileExistsAsync(SharedFileNames.Environment, cancellationToken).ConfigureAwait(false))
        {
            return Empty;
        }

        byte[] bytes = await store.ReadSharedFileBytesAsync(SharedFileNames.Environment, cancellationToken).ConfigureAwait(false);
        Dictionary<string, string>? leader;
        try
        {
            leader = JsonSerializer.Deserialize(bytes, WorkerJsonContext.Default.DictionaryStringString);
        }
        catch (JsonException ex)
        {
            throw new CorruptJobRecordException(SharedFileNames.Environment, "the leader's environment is not a JSON object of strings", ex);
        }

        if (leader is null)
        {
            throw new CorruptJobRecordException(SharedFileNames.Environment, "the leader's environment is null");
        }

        return Filter(leader, localPath);
    }

    /// <summary>Applies the reject list and the PATH union.</summary>
    public static Dictionary<string, string> Filter(IReadOnlyDictionary<string, string> leader, string? localPath)
    {
        var result = new Dictionary<string, string>(leader.Count, StringComparer.Ordinal);
        foreach (var (name, value) in leader)
        {
            if (name == "PATH")
            {
                result[name] = UnionPath(value, localPath);
            }
            else if (!Rejected.Contains(name) && name.Length > 0 && !name.Contains('=', StringComparison.Ordinal))
            {
                result[name] = value ?? string.Empty;
            }
        }

        return result;
    }

    /// <summary>Sets every variable on the process (process mode only, docs/decisions.md#environment).</summary>
    public static void ApplyToProcess(IReadOnlyDictionary<string, string> environment)
    {
        foreach (var (name, value) in environment)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    private static string UnionPath(string? leaderPath, string? localPath)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var entries = new List<string>();
        foreach (string entry in (leaderPath ?? string.Empty).Split(Path.PathSeparator).Concat((localPath ?? string.Empty).Split(Path.PathSeparator)))
        {
            if (entry.Length > 0 && seen.Add(entry))
            {
                entries.Add(entry);
            }
        }

        return string.Join(Path.PathSeparator, entries);
    }
}
