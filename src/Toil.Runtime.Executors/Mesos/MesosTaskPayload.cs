using System.Text.Json;

namespace Toil.Runtime.Executors.Mesos;

/// <summary>Toil's payload in <c>TaskInfo.data</c>.</summary>
internal sealed class MesosTaskPayload
{
    public required string Command { get; init; }

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Decodes <c>TaskInfo.data</c> (base64 in the event's JSON).</summary>
    /// <exception cref="FormatException">The data is missing, not base64, or not a payload.</exception>
    public static MesosTaskPayload Decode(string? data)
    {
        if (string.IsNullOrEmpty(data))
        {
            throw new FormatException("the task has no data (Toil's payload)");
        }

        byte[] bytes = Convert.FromBase64String(data);
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("command", out var command) || command.ValueKind != JsonValueKind.String)
            {
                throw new FormatException("the task's payload has no command");
            }

            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("environment", out var e) && e.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in e.EnumerateObject())
                {
                    env[p.Name] = p.Value.GetString() ?? string.Empty;
                }
            }

            return new MesosTaskPayload { Command = command.GetString()!, Environment = env };
        }
        catch (JsonException ex)
        {
            throw new FormatException("the task's payload is not JSON: " + ex.Message, ex);
        }
    }
}
