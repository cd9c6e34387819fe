using System.Text.Json.Serialization;

namespace Toil.Runtime.Worker;

/// <summary>Source-generated JSON for <see cref="WorkerServeProtocol"/>.</summary>
[JsonSerializable(typeof(ServeRequest))]
[JsonSerializable(typeof(ServeResult))]
internal sealed partial class WorkerServeJsonContext : JsonSerializerContext
{
}
