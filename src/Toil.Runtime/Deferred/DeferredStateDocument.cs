using System.Text.Json;
using System.Text.Json.Serialization;

namespace Toil.Runtime.Deferred;

/// <summary>The persisted state of one worker: <c>deferred/&lt;workerId&gt;.json</c>.</summary>
internal sealed class DeferredStateDocument
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; set; } = CurrentSchemaVersion;

    public string WorkerId { get; set; } = "";

    /// <summary>Why the calls were set aside; only in files under <c>set-aside/</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; set; }

    public List<DeferredCall> Functions { get; set; } = [];
}

/// <summary>One persisted call: a registered name and its JSON arguments.</summary>
internal sealed class DeferredCall
{
    public string Name { get; set; } = "";

    public JsonElement Arguments { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(DeferredStateDocument))]
internal sealed partial class DeferredJsonContext : JsonSerializerContext
{
}
