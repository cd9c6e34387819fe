using System.Text.Json.Serialization;

namespace Toil.Runtime.Worker;

/// <summary>Source-generated JSON for the worker's own documents (the leader's environment).</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class WorkerJsonContext : JsonSerializerContext
{
}
