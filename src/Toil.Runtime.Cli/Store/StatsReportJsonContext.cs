using System.Text.Json.Serialization;

namespace Toil.Runtime.Cli.Store;

/// <summary>Source-generated JSON for <c>toil stats --json</c>.</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(StatsReport))]
internal sealed partial class StatsReportJsonContext : JsonSerializerContext
{
}
