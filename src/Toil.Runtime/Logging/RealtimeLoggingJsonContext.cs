using System.Text.Json.Serialization;

namespace Toil.Runtime.Logging;

/// <summary>Source-generated JSON for real-time log datagrams (trim- and AOT-safe). Non-ASCII is escaped, as Python's <c>json.dumps</c> does.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(OutgoingDatagram))]
[JsonSerializable(typeof(IncomingDatagram))]
internal sealed partial class RealtimeLoggingJsonContext : JsonSerializerContext
{
}
