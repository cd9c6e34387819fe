using System.Text.Json;
using System.Text.Unicode;

namespace Toil.Runtime.Logging;

/// <summary>
/// Turns one received datagram into a <see cref="RealtimeLogRecord"/> with Toil's rules (missing fields keep a
/// LogRecord's defaults, <c>%</c>-arguments are rendered). Throws <see cref="FormatException"/> for a datagram that is
/// not a JSON object or carries no level.
/// </summary>
internal static class RealtimeDatagramDecoder
{
    public static RealtimeLogRecord Decode(ReadOnlySpan<byte> payload, string sender)
    {
        try
        {
            return DecodeCore(payload, sender);
        }
        catch (InvalidOperationException ex)
        {
            // A string field with an escaped lone surrogate ("\ud800") parses as JSON but cannot be read as text.
            throw new FormatException($"a field is not valid text ({ex.Message})", ex);
        }
    }

    private static RealtimeLogRecord DecodeCore(ReadOnlySpan<byte> payload, string sender)
    {
        if (!Utf8.IsValid(payload))
        {
            throw new FormatException("not valid UTF-8");
        }

        IncomingDatagram? d;
        try
        {
            d = JsonSerializer.Deserialize(payload, RealtimeLoggingJsonContext.Default.IncomingDatagram);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            throw new FormatException(IsJson(payload) ? "not a JSON object" : $"not valid JSON ({ex.Message})", ex);
        }

        if (d is null)
        {
            throw new FormatException("not a JSON object");
        }

        int levelNumber = LevelOf(d);
        string levelName = d.LevelName is { ValueKind: JsonValueKind.String } ln ? ln.GetString()! : ToilLogLevel.GetName(levelNumber);
        string name = d.Name switch
        {
            { ValueKind: JsonValueKind.String } n => n.GetString()!,
            null or { ValueKind: JsonValueKind.Null } => RealtimeLogger.CategoryName,
            { } other => PythonText.Str(other),
        };
        string msg = d.Msg is { ValueKind: not JsonValueKind.Null } m ? PythonText.Str(m) : "";
        string message;
        try
        {
            message = PythonPercentFormatter.Format(msg, d.Args);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            // Toil prints a logging error and loses the record; we keep the text and say why it is not rendered.
            message = $"{msg} [args: {PythonText.Repr(d.Args!.Value, ascii: false)}; not rendered: {ex.Message}]";
        }

        return new RealtimeLogRecord(
            name,
            levelNumber,
            levelName,
            message,
            d.ExcText is { ValueKind: JsonValueKind.String } et ? et.GetString() : null,
            CreatedOf(d.Created),
            d.ThreadName is { ValueKind: JsonValueKind.String } tn ? tn.GetString() : null,
            d.Process is { ValueKind: JsonValueKind.Number } p && p.TryGetInt64(out long pid) ? pid : null,
            sender);
    }

    private static int LevelOf(IncomingDatagram d)
    {
        switch (d.LevelNo)
        {
            case { ValueKind: JsonValueKind.Number } n:
                double value = n.GetDouble();
                return value switch
                {
                    >= int.MaxValue => int.MaxValue,
                    <= int.MinValue => int.MinValue,
                    _ => (int)Math.Floor(value),
                };
            case null or { ValueKind: JsonValueKind.Null }:
                // Toil's server crashes on such a record; a known level name is enough for us.
                if (d.LevelName is { ValueKind: JsonValueKind.String } name && name.GetString() is { } s &&
                    !string.Equals(s, "OFF", StringComparison.OrdinalIgnoreCase) && ToilLogLevel.TryParse(s, out int level))
                {
                    return level;
                }

                throw new FormatException("no level (levelno)");
            default:
                throw new FormatException($"levelno is not a number ({d.LevelNo.Value.GetRawText()})");
        }
    }

    private static DateTimeOffset? CreatedOf(JsonElement? created)
    {
        if (created is not { ValueKind: JsonValueKind.Number } c)
        {
            return null;
        }

        double seconds = c.GetDouble();
        const double MaxSeconds = 253_402_300_799; // 9999-12-31T23:59:59Z
        return seconds is >= 0 and <= MaxSeconds
            ? DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond))
            : null;
    }

    private static bool IsJson(ReadOnlySpan<byte> payload)
    {
        var reader = new Utf8JsonReader(payload);
        try
        {
            return JsonDocument.TryParseValue(ref reader, out var document) && DisposeTrue(document);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool DisposeTrue(JsonDocument? document)
    {
        document?.Dispose();
        return true;
    }
}
