using System.Text.Json.Serialization;

namespace Toil.Runtime.Stats;

/// <summary>A message a job sent to the leader, with Python's numeric logging level (10 debug … 50 critical).</summary>
internal sealed class LeaderMessageRecord
{
    /// <summary>The message.</summary>
    [JsonPropertyName("text")]
    public string Text { get; set; } = string.Empty;

    /// <summary>The level as a Python logging level number.</summary>
    [JsonPropertyName("level")]
    public int Level { get; set; }
}
