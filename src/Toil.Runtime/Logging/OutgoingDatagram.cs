using System.Text.Json.Serialization;

namespace Toil.Runtime.Logging;

/// <summary>
/// One record as a .NET worker sends it: Toil's LogRecord field names, the message already rendered and
/// <c>args</c> empty (so a Python leader does not %-format it again).
/// </summary>
internal sealed class OutgoingDatagram
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = RealtimeLogger.CategoryName;

    [JsonPropertyName("msg")]
    public string Msg { get; set; } = "";

    [JsonPropertyName("args")]
    public string[] Args { get; set; } = [];

    [JsonPropertyName("levelname")]
    public string LevelName { get; set; } = "";

    [JsonPropertyName("levelno")]
    public int LevelNo { get; set; }

    [JsonPropertyName("exc_info")]
    public string? ExcInfo { get; set; }

    [JsonPropertyName("exc_text")]
    public string? ExcText { get; set; }

    [JsonPropertyName("stack_info")]
    public string? StackInfo { get; set; }

    [JsonPropertyName("created")]
    public double Created { get; set; }

    [JsonPropertyName("msecs")]
    public double Msecs { get; set; }

    [JsonPropertyName("relativeCreated")]
    public double RelativeCreated { get; set; }

    [JsonPropertyName("thread")]
    public long Thread { get; set; }

    [JsonPropertyName("threadName")]
    public string ThreadName { get; set; } = "";

    [JsonPropertyName("processName")]
    public string ProcessName { get; set; } = "";

    [JsonPropertyName("process")]
    public int Process { get; set; }
}
