using System.Text.Json.Serialization;

namespace Toil.Runtime.Serialization;

/// <summary>Source-generated JSON metadata for the persisted model (docs/decisions.md#json-not-pickle, #native-aot).</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectRequiredConstructorParameters = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(JobDocument))]
[JsonSerializable(typeof(WorkflowConfigDocument))]
internal sealed partial class ToilJsonContext : JsonSerializerContext
{
}
