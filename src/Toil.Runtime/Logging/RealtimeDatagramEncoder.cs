using System.Globalization;
using System.Text.Json;

namespace Toil.Runtime.Logging;

/// <summary>Serializes a record into one datagram, cutting the longest text fields when it would not fit.</summary>
internal static class RealtimeDatagramEncoder
{
    private const int MaxPasses = 8;

    /// <summary>Serializes <paramref name="datagram"/>; returns <see langword="null"/> only if even cut it cannot fit.</summary>
    /// <param name="datagram">The record; its text fields are shortened in place when it is cut.</param>
    /// <param name="maxBytes">The largest datagram.</param>
    /// <param name="cut">Whether any field was cut.</param>
    public static byte[]? Encode(OutgoingDatagram datagram, int maxBytes, out bool cut)
    {
        cut = false;
        byte[] bytes = Serialize(datagram);
        if (bytes.Length <= maxBytes)
        {
            return bytes;
        }

        cut = true;
        // ASCII only, and nothing the JSON encoder escapes, so its length in the payload is its length in chars.
        string marker = " [cut to fit one datagram: the record was " + bytes.Length.ToString(CultureInfo.InvariantCulture) + " bytes]";
        var fields = new CutField[]
        {
            new(datagram.ExcText ?? "", v => datagram.ExcText = v),
            new(datagram.Msg, v => datagram.Msg = v),
            new(datagram.ThreadName, v => datagram.ThreadName = v),
            new(datagram.Name, v => datagram.Name = v),
        };

        for (int pass = 0; pass < MaxPasses && bytes.Length > maxBytes; pass++)
        {
            CutField? field = Array.Find(fields, f => f.Keep > 0);
            if (field is null)
            {
                return null;
            }

            // Every char removed removes at least one byte of JSON, so removing `over` chars (plus room for the
            // marker, added once) always fits; chars escaped to several bytes only make the cut deeper than needed.
            int over = bytes.Length - maxBytes + (field.Marked ? 0 : marker.Length);
            int keep = Math.Max(0, field.Keep - over);
            if (keep > 0 && char.IsHighSurrogate(field.Original[keep - 1]))
            {
                keep--;
            }

            field.Keep = keep;
            field.Marked = true;
            field.Set(field.Original[..keep] + marker);
            bytes = Serialize(datagram);
        }

        return bytes.Length <= maxBytes ? bytes : null;
    }

    private static byte[] Serialize(OutgoingDatagram datagram) =>
        JsonSerializer.SerializeToUtf8Bytes(datagram, RealtimeLoggingJsonContext.Default.OutgoingDatagram);

    private sealed class CutField(string original, Action<string> set)
    {
        public string Original { get; } = original;

        public Action<string> Set { get; } = set;

        public int Keep { get; set; } = original.Length;

        public bool Marked { get; set; }
    }
}
