using System.Text.Json.Serialization;

namespace Toil.Runtime.Tests.Deferred;

public sealed record Note(string Text);

[JsonSerializable(typeof(Note))]
public sealed partial class DeferredTestJson : JsonSerializerContext
{
}
