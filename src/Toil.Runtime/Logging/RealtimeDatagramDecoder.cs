using System.Text.Json;
using System.Text.Unicode;

namespace Toil.Runtime.Logging;

/// <summary>
/// Turns one received datagram into a <see cref="RealtimeLogRecord"/> with Toil's rules (missing fields keep a
/// LogRecord's defaults, <c>%</c>-arguments are rendered). Throws <see cref="FormatException"/> for a datagram that is
/// not a JSON object or carries no level. Text fields are cut to a limit (names to <see cref="MaxNameLength"/>), so
/// what one datagram can make the leader hold and log is bounded whatever it asks for.
/// </summary>
internal static class RealtimeDatagramDecoder
{
    /// <summary>The most characters of a logger, thread or level name; a longer one is cut (and marked).</summary>
    public const int MaxNameLength = 256;

    public static RealtimeLogRecord Decode(ReadOnlySpan<byte> payload, string sender, int maxTextLength = int.MaxValue)
    {
        try
        {
            return DecodeCore(payload, sender, maxTextLength);
        }
        catch (InvalidOperationException ex)
        {
            // A string field with an escaped lone surrogate ("\ud800") parses as JSON but cannot be read as text.
            throw new FormatException($"a field is not valid text ({ex.Message})", ex);
        }
    }

    private static RealtimeLogRecord DecodeCore(ReadOnlySpan<byte> payload, string sender, int maxTextLength)
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
        string levelName = Cut(d.LevelName is { ValueKind: JsonValueKind.String } ln ? ln.GetString()! : ToilLogLevel.GetName(levelNumber), MaxNameLength);
        string name = Cut(d.Name switch
        {
            { ValueKind: JsonValueKind.String } n => n.GetString()!,
            null or { ValueKind: JsonValueKind.Null } => RealtimeLogger.CategoryName,
            { } other => PythonText.Str(other),
        }, MaxNameLength);
        string msg = d.Msg is { ValueKind: not JsonValueKind.Null } m ? PythonText.Str(m) : "";
        string message;
        try
        {
            message = PythonPercentFormatter.Format(msg, d.Args, maxTextLength);
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
            Cut(message, maxTextLength),
            d.ExcText is { ValueKind: JsonValueKind.String } et ? Cut(et.GetString()!, maxTextLength) : null,
            d.StackInfo is { ValueKind: JsonValueKind.String } si ? Cut(si.GetString()!, maxTextLength) : null,
            CreatedOf(d.Created),
            d.ThreadName is { ValueKind: JsonValueKind.String } tn ? Cut(tn.GetString()!, MaxNameLength) : null,
            d.Process is { ValueKind: JsonValueKind.Number } p && p.TryGetInt64(out long pid) ? pid : null,
            sender);
    }

    /// <summary>Cuts a text to <paramref name="max"/> characters (not inside a surrogate pair) and says so at its end.</summary>
    internal static string Cut(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        int keep = max > 0 && char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return string.Concat(text.AsSpan(0, keep), " [cut to ", max.ToString(System.Globalization.CultureInfo.InvariantCulture), " characters]");
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
