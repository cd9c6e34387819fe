using System.Text.Json.Serialization;
using Toil.Runtime.Executors.Contained;
using Toil.Runtime.Executors.Resources;

namespace Toil.Runtime.Executors.Serialization;

/// <summary>Source-generated JSON metadata for the executors' wire formats (docs/decisions.md#json-not-pickle, #native-aot).</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectRequiredConstructorParameters = true,
    RespectNullableAnnotations = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(ContainedExecutorPayload))]
[JsonSerializable(typeof(JobResource))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class ExecutorsJsonContext : JsonSerializerContext
{
}
