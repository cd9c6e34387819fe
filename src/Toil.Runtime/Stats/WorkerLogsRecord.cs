using System.Text.Json.Serialization;

namespace Toil.Runtime.Stats;

/// <summary>A successful worker's log, sent to the leader (<see cref="StatsDocument.Logs"/>).</summary>
internal sealed class WorkerLogsRecord
{
    /// <summary>The stats names of every job in the chain, in order.</summary>
    [JsonPropertyName("names")]
    public List<string> Names { get; set; } = [];

    /// <summary>The truncated worker log, decoded as UTF-8 (invalid bytes replaced) and split into lines.</summary>
    [JsonPropertyName("messages")]
    public List<string> Messages { get; set; } = [];
}
