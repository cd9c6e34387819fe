using System.Globalization;
using System.Text.Json;

namespace Toil.Runtime.Logging;

/// <summary>Serializes a record into one datagram, cutting the longest text fields when it would not fit.</summary>
internal static class RealtimeDatagramEncoder
{
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
        // ASCII only, and nothing the JSON encoder escapes.
        string marker = " [cut to fit one datagram: the record was " + bytes.Length.ToString(CultureInfo.InvariantCulture) + " bytes]";
        var fields = new (string Original, Action<string> Set)[]
        {
            (datagram.ExcText ?? "", v => datagram.ExcText = v),
            (datagram.Msg, v => datagram.Msg = v),
            (datagram.ThreadName, v => datagram.ThreadName = v),
            (datagram.Name, v => datagram.Name = v),
        };

        foreach (var (original, set) in fields)
        {
            if (original.Length == 0)
            {
                continue;
            }

            set(marker);
            if (Serialize(datagram).Length > maxBytes)
            {
                continue;
            }

            // The largest prefix that fits. Escaping makes bytes per char vary (1 to 6), so search rather than estimate;
            // this only runs for records that do not fit, and takes about log2(length) serializations.
            int low = 0;
            int high = original.Length;
            while (low < high)
            {
                int mid = low + ((high - low + 1) / 2);
                set(Prefix(original, mid) + marker);
                if (Serialize(datagram).Length <= maxBytes)
                {
                    low = mid;
                }
                else
                {
                    high = mid - 1;
                }
            }

            set(Prefix(original, low) + marker);
            return Serialize(datagram);
        }

        bytes = Serialize(datagram);
        return bytes.Length <= maxBytes ? bytes : null;
    }

    /// <summary>The first <paramref name="length"/> chars, one fewer if that would split a surrogate pair.</summary>
    private static string Prefix(string s, int length) =>
        length > 0 && length < s.Length && char.IsHighSurrogate(s[length - 1]) ? s[..(length - 1)] : s[..length];

    private static byte[] Serialize(OutgoingDatagram datagram) =>
        JsonSerializer.SerializeToUtf8Bytes(datagram, RealtimeLoggingJsonContext.Default.OutgoingDatagram);
}
