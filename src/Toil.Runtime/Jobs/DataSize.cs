using System.Globalization;

namespace Toil.Runtime.Jobs;

/// <summary>
/// A number of bytes. Converts implicitly from a whole number and from human-readable text, which it parses
/// the way Toil's <c>human2bytes</c> does the way Toil's <c>human2bytes</c> does: a number followed by an optional unit,
/// case-insensitive. Decimal units (<c>k</c>, <c>m</c>, <c>g</c>, <c>t</c>, <c>p</c>, <c>e</c>, optionally followed by
/// <c>b</c>) are powers of 1000; binary units (<c>ki</c>, <c>mi</c>, ... optionally followed by <c>b</c>) are powers
/// of 1024; <c>b</c> or nothing means bytes. <c>"2Gi"</c> is 2147483648, <c>"100M"</c> is 100000000.
/// </summary>
/// <param name="Bytes">The number of bytes.</param>
public readonly record struct DataSize(long Bytes) : IComparable<DataSize>
{
    private static readonly string[] Prefixes = ["k", "m", "g", "t", "p", "e"];

    /// <summary>Converts a whole number of bytes.</summary>
    /// <param name="bytes">The number of bytes.</param>
    public static implicit operator DataSize(long bytes) => new(bytes);

    /// <summary>Parses human-readable text such as <c>"2Gi"</c>; see <see cref="Parse(string, string)"/>.</summary>
    /// <param name="text">The text.</param>
    /// <exception cref="FormatException">The text is not a whole, non-negative number of bytes.</exception>
    public static implicit operator DataSize(string text) => new(Parse(text));

    /// <summary>Converts a whole number of bytes (the named alternative of the implicit conversion).</summary>
    /// <param name="bytes">The number of bytes.</param>
    /// <returns>The size.</returns>
    public static DataSize FromInt64(long bytes) => new(bytes);

    /// <summary>Parses human-readable text (the named alternative of the implicit conversion).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The size.</returns>
    public static DataSize FromString(string text) => new(Parse(text));

    /// <inheritdoc />
    public int CompareTo(DataSize other) => Bytes.CompareTo(other.Bytes);

    /// <summary>Compares two sizes.</summary>
    /// <param name="left">The left size.</param>
    /// <param name="right">The right size.</param>
    /// <returns>Whether <paramref name="left"/> is larger.</returns>
    public static bool operator >(DataSize left, DataSize right) => left.Bytes > right.Bytes;

    /// <summary>Compares two sizes.</summary>
    /// <param name="left">The left size.</param>
    /// <param name="right">The right size.</param>
    /// <returns>Whether <paramref name="left"/> is smaller.</returns>
    public static bool operator <(DataSize left, DataSize right) => left.Bytes < right.Bytes;

    /// <summary>Compares two sizes.</summary>
    /// <param name="left">The left size.</param>
    /// <param name="right">The right size.</param>
    /// <returns>Whether <paramref name="left"/> is at least as large.</returns>
    public static bool operator >=(DataSize left, DataSize right) => left.Bytes >= right.Bytes;

    /// <summary>Compares two sizes.</summary>
    /// <param name="left">The left size.</param>
    /// <param name="right">The right size.</param>
    /// <returns>Whether <paramref name="left"/> is at most as large.</returns>
    public static bool operator <=(DataSize left, DataSize right) => left.Bytes <= right.Bytes;

    /// <inheritdoc />
    public override string ToString() => Format(Bytes);

    /// <summary>Parses <paramref name="value"/>, naming <paramref name="field"/> in the error.</summary>
    /// <param name="value">The text, e.g. <c>"2Gi"</c>, <c>"100M"</c> or <c>"3000000000"</c>.</param>
    /// <param name="field">The field being parsed (e.g. <c>memory</c>), for the error message.</param>
    /// <returns>The number of bytes.</returns>
    /// <exception cref="FormatException">The text is not a whole, non-negative number of bytes.</exception>
    public static long Parse(string value, string field = "size")
    {
        if (!TryParse(value, out long bytes, out string? error))
        {
            throw new FormatException($"Invalid {field} '{value}': {error}");
        }

        return bytes;
    }

    /// <summary>Tries to parse <paramref name="value"/> as a byte count.</summary>
    /// <param name="value">The text.</param>
    /// <param name="bytes">The number of bytes, when parsing succeeded.</param>
    /// <returns>Whether the text is a whole, non-negative number of bytes.</returns>
    public static bool TryParse(string? value, out long bytes) => TryParse(value, out bytes, out _);

    private static bool TryParse(string? value, out long bytes, out string? error)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "a size is required";
            return false;
        }

        string text = value.Trim();
        int split = 0;
        while (split < text.Length && (char.IsAsciiDigit(text[split]) || text[split] is '.' or '-' or '+'))
        {
            split++;
        }

        string number = text[..split];
        string unit = text[split..].Trim().ToLowerInvariant();
        if (!decimal.TryParse(number, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out decimal amount))
        {
            error = "expected a number followed by an optional unit such as Ki, Mi, Gi, K, M or G";
            return false;
        }

        if (amount < 0)
        {
            error = "a size cannot be negative";
            return false;
        }

        decimal multiplier;
        if (unit is "" or "b")
        {
            multiplier = 1;
        }
        else
        {
            string stem = unit.EndsWith('b') ? unit[..^1] : unit;
            bool binary = stem.EndsWith('i');
            if (binary)
            {
                stem = stem[..^1];
            }

            int power = Array.IndexOf(Prefixes, stem) + 1;
            if (power == 0)
            {
                error = $"unknown unit '{text[split..].Trim()}'";
                return false;
            }

            multiplier = 1;
            for (int i = 0; i < power; i++)
            {
                multiplier *= binary ? 1024 : 1000;
            }
        }

        decimal total;
        try
        {
            total = amount * multiplier;
        }
        catch (OverflowException)
        {
            error = "the size is too large";
            return false;
        }

        if (total != decimal.Truncate(total))
        {
            error = "the size is not a whole number of bytes";
            return false;
        }

        if (total > long.MaxValue)
        {
            error = "the size is too large";
            return false;
        }

        bytes = (long)total;
        error = null;
        return true;
    }

    /// <summary>Formats a byte count with the largest binary unit that keeps it readable (e.g. <c>2.0 GiB</c>).</summary>
    /// <param name="bytes">The number of bytes.</param>
    /// <returns>The text.</returns>
    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        double v = bytes;
        int u = 0;
        while (Math.Abs(v) >= 1024 && u < units.Length - 1)
        {
            v /= 1024;
            u++;
        }

        return u == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B") : string.Create(CultureInfo.InvariantCulture, $"{v:0.0} {units[u]}");
    }
}
