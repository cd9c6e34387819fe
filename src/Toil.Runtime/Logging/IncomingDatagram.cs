using System.Text.Json;
using System.Text.Json.Serialization;

namespace Toil.Runtime.Logging;

/// <summary>
/// The fields of a received record the leader uses. Every field is a raw <see cref="JsonElement"/> because Python
/// senders put whatever the record held there; the decoder checks them.
/// </summary>
internal sealed class IncomingDatagram
{
    [JsonPropertyName("name")]
    public JsonElement? Name { get; set; }

    [JsonPropertyName("msg")]
    public JsonElement? Msg { get; set; }

    [JsonPropertyName("args")]
    public JsonElement? Args { get; set; }

    [JsonPropertyName("levelname")]
    public JsonElement? LevelName { get; set; }

    [JsonPropertyName("levelno")]
    public JsonElement? LevelNo { get; set; }

    [JsonPropertyName("exc_text")]
    public JsonElement? ExcText { get; set; }

    [JsonPropertyName("stack_info")]
    public JsonElement? StackInfo { get; set; }

    [JsonPropertyName("created")]
    public JsonElement? Created { get; set; }

    [JsonPropertyName("threadName")]
    public JsonElement? ThreadName { get; set; }

    [JsonPropertyName("process")]
    public JsonElement? Process { get; set; }
}
