using System.Text.Json.Serialization;

namespace Toil.Runtime.Stats;

/// <summary>Source-generated JSON metadata for <see cref="StatsDocument"/> (docs/decisions.md#json-not-pickle, #native-aot).</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(StatsDocument))]
internal sealed partial class StatsJsonContext : JsonSerializerContext
{
}
