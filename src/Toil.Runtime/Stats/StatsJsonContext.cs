using System.Text.Json.Serialization;

namespace Toil.Runtime.Stats;

/// <summary>Source-generated JSON metadata for <see cref="StatsDocument"/> (DESIGN D1, D13).</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(StatsDocument))]
internal sealed partial class StatsJsonContext : JsonSerializerContext
{
}
