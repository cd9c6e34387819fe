using System.Text.Json.Serialization;

namespace Toil.Runtime.Stats;

/// <summary>A named user log stream a job sent to the leader.</summary>
internal sealed class UserStreamRecord
{
    /// <summary>A dotted hierarchical name.</summary>
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    /// <summary>The stream's text.</summary>
    [JsonPropertyName("text")]
    public string Text { get; set; } = string.Empty;
}
