using System.Text.Json.Serialization;

namespace Toil.Runtime.Tests.Worker;

public sealed record WorkerNote(string Text);

[JsonSerializable(typeof(WorkerNote))]
internal sealed partial class WorkerTestJson : JsonSerializerContext
{
}
