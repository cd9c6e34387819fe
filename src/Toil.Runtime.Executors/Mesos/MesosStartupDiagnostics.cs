using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Toil.Runtime.IO;

namespace Toil.Runtime.Executors.Mesos;

/// <summary>What Toil's executor logs at start-up to explain later out-of-memory or resource failures: a summary of the
/// agent's <c>/state</c>, memory, cgroup memory limits and resource limits. Nothing here is fatal.</summary>
internal static partial class MesosStartupDiagnostics
{
    private const int MaxCgroupFiles = 64;

    public static async Task LogAsync(MesosAgentClient client, ILogger logger, CancellationToken cancellationToken)
    {
        var stateUrl = new Uri(client.BaseUri, "state");
        try
        {
            using JsonDocument state = await client.GetStateAsync(cancellationToken).ConfigureAwait(false);
            if (logger.IsEnabled(LogLevel.Debug))
            {
                MesosLog.AgentState(logger, Summarize(state.RootElement));
            }
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or JsonException or IOException)
        {
            MesosLog.AgentStateFailed(logger, e, stateUrl);
        }

        if (!logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        var gc = GC.GetGCMemoryInfo();
        MesosLog.Diagnostic(logger, "Memory available to this process (bytes)", gc.TotalAvailableMemoryBytes.ToString(CultureInfo.InvariantCulture));
        foreach (var (name, value) in CgroupMemoryLimits())
        {
            MesosLog.Diagnostic(logger, name, value);
        }

        if (OperatingSystem.IsLinux())
        {
            foreach (var (name, resource) in new[] { ("RLIMIT_DATA", 2), ("RLIMIT_STACK", 3), ("RLIMIT_RSS", 5), ("RLIMIT_AS", 9) })
            {
                MesosLog.Diagnostic(logger, name, ResourceLimit(resource));
            }
        }
    }

    /// <summary>The agent's state without <c>completed_frameworks</c> (as Toil), reduced to what identifies the agent.</summary>
    internal static string Summarize(JsonElement state)
    {
        if (state.ValueKind != JsonValueKind.Object)
        {
            return $"(not an object: {state.ValueKind})";
        }

        var text = new StringBuilder();
        foreach (string key in new[] { "id", "hostname", "version", "pid" })
        {
            if (state.TryGetProperty(key, out JsonElement value) && value.ValueKind == JsonValueKind.String)
            {
                text.Append(CultureInfo.InvariantCulture, $"{key}={value.GetString()} ");
            }
        }

        if (state.TryGetProperty("frameworks", out JsonElement frameworks) && frameworks.ValueKind == JsonValueKind.Array)
        {
            text.Append(CultureInfo.InvariantCulture, $"frameworks={frameworks.GetArrayLength()} ");
        }

        if (state.TryGetProperty("resources", out JsonElement resources))
        {
            text.Append("resources=").Append(resources.GetRawText());
        }

        return text.ToString().TrimEnd();
    }

    internal static IEnumerable<(string Name, string Value)> CgroupMemoryLimits()
    {
        var found = new List<(string, string)>();

        // cgroup v1: every *limit_in_bytes file under the memory controller (as Toil), bounded.
        const string v1 = "/sys/fs/cgroup/memory";
        if (Directory.Exists(v1))
        {
            var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, MaxRecursionDepth = 4 };
            foreach (string file in Directory.EnumerateFiles(v1, "*limit_in_bytes*", options).Take(MaxCgroupFiles))
            {
                found.Add((file, Read(file)));
            }
        }

        // cgroup v2: the limits of this process's own cgroup.
        try
        {
            string? line = File.Exists("/proc/self/cgroup")
                ? File.ReadLines("/proc/self/cgroup").FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))
                : null;
            if (line is not null)
            {
                string dir = "/sys/fs/cgroup" + line[3..];
                foreach (string name in new[] { "memory.max", "memory.high", "memory.swap.max" })
                {
                    string file = Path.Combine(dir, name);
                    if (File.Exists(file))
                    {
                        found.Add((file, Read(file)));
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            found.Add(("/proc/self/cgroup", "Failed to read file: " + e.Message));
        }

        return found;
    }

    private static string Read(string file)
    {
        try
        {
            return File.ReadAllText(file).Trim().ReplaceLineEndings(" ");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "Failed to read file: " + e.Message;
        }
    }

    private static string ResourceLimit(int resource)
    {
        if (Libc.GetRLimit(resource, out Libc.RLimit limit) != 0)
        {
            return "unavailable";
        }

        return $"({Format(limit.Current)}, {Format(limit.Maximum)})";

        static string Format(ulong value) => value == ulong.MaxValue ? "unlimited" : value.ToString(CultureInfo.InvariantCulture);
    }
}
