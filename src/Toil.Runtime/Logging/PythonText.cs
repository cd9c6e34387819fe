using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace Toil.Runtime.Logging;

/// <summary>Python's <c>str()</c> and <c>repr()</c> of values decoded from JSON (as <c>json.loads</c> would give them).</summary>
internal static class PythonText
{
    public static string Str(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        _ => Repr(value, ascii: false),
    };

    public static string Repr(JsonElement value, bool ascii)
    {
        var sb = new StringBuilder();
        AppendRepr(sb, value, ascii);
        return sb.ToString();
    }

    public static bool IsTruthy(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => value.GetArrayLength() > 0,
        JsonValueKind.Object => value.EnumerateObject().Any(),
        JsonValueKind.String => value.GetString()!.Length > 0,
        JsonValueKind.Number => IsFloat(value) ? value.GetDouble() != 0 : !BigInteger.Parse(value.GetRawText(), CultureInfo.InvariantCulture).IsZero,
        JsonValueKind.True => true,
        _ => false,
    };

    /// <summary>Whether a JSON number is a Python float (has a fraction or exponent) rather than an int.</summary>
    public static bool IsFloat(JsonElement number) => number.GetRawText().AsSpan().ContainsAny(".eE");

    public static string FloatRepr(double d)
    {
        if (double.IsNaN(d))
        {
            return "nan";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "inf" : "-inf";
        }

        if (d == 0)
        {
            return double.IsNegative(d) ? "-0.0" : "0.0";
        }

        (string digits, int decpt) = ShortestDigits(Math.Abs(d));
        string sign = d < 0 ? "-" : "";

        // Python's repr switches to an exponent when the decimal point falls outside (-4, 16].
        if (decpt <= -4 || decpt > 16)
        {
            string mantissa = digits.Length > 1 ? digits[..1] + "." + digits[1..] : digits;
            int exponent = decpt - 1;
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
        }

        if (decpt <= 0)
        {
            return sign + "0." + new string('0', -decpt) + digits;
        }

        if (decpt >= digits.Length)
        {
            return sign + digits + new string('0', decpt - digits.Length) + ".0";
        }

        return sign + digits[..decpt] + "." + digits[decpt..];
    }

    public static string ReprString(string s, bool ascii)
    {
        char quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        var sb = new StringBuilder(s.Length + 2).Append(quote);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == quote || c == '\\')
            {
                sb.Append('\\').Append(c);
            }
            else if (c == '\t')
            {
                sb.Append("\\t");
            }
            else if (c == '\n')
            {
                sb.Append("\\n");
            }
            else if (c == '\r')
            {
                sb.Append("\\r");
            }
            else if (c < 0x20 || c == 0x7f)
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else if (c < 0x7f)
            {
                sb.Append(c);
            }
            else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                var rune = new Rune(c, s[i + 1]);
                i++;
                if (ascii || !IsPrintable(rune))
                {
                    sb.Append(CultureInfo.InvariantCulture, $"\\U{rune.Value:x8}");
                }
                else
                {
                    sb.Append(c).Append(s[i]);
                }
            }
            else if (char.IsSurrogate(c) || ascii || !IsPrintable(new Rune(c)))
            {
                sb.Append(string.Format(CultureInfo.InvariantCulture, c <= 0xff ? "\\x{0:x2}" : "\\u{0:x4}", (int)c));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.Append(quote).ToString();
    }

    private static void AppendRepr(StringBuilder sb, JsonElement value, bool ascii)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                sb.Append(ReprString(value.GetString()!, ascii));
                break;
            case JsonValueKind.Number:
                sb.Append(IsFloat(value)
                    ? FloatRepr(value.GetDouble())
                    : BigInteger.Parse(value.GetRawText(), CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
                break;
            case JsonValueKind.True:
                sb.Append("True");
                break;
            case JsonValueKind.False:
                sb.Append("False");
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                bool first = true;
                foreach (var item in value.EnumerateArray())
                {
                    sb.Append(first ? "" : ", ");
                    first = false;
                    AppendRepr(sb, item, ascii);
                }

                sb.Append(']');
                break;
            case JsonValueKind.Object:
                sb.Append('{');
                bool firstProperty = true;
                foreach (var property in value.EnumerateObject())
                {
                    sb.Append(firstProperty ? "" : ", ").Append(ReprString(property.Name, ascii)).Append(": ");
                    firstProperty = false;
                    AppendRepr(sb, property.Value, ascii);
                }

                sb.Append('}');
                break;
            default:
                sb.Append("None");
                break;
        }
    }

    /// <summary>The shortest round-trip decimal digits of a positive finite double and the position of the point (value = 0.DIGITS × 10^decpt).</summary>
    private static (string Digits, int Decpt) ShortestDigits(double positive)
    {
        string r = positive.ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOfAny(['E', 'e']);
        int exponent = e < 0 ? 0 : int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        string mantissa = e < 0 ? r : r[..e];
        int point = mantissa.IndexOf('.', StringComparison.Ordinal);
        string digits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        int decpt = (point < 0 ? mantissa.Length : point) + exponent;
        int leading = 0;
        while (leading < digits.Length - 1 && digits[leading] == '0')
        {
            leading++;
        }

        digits = digits[leading..].TrimEnd('0');
        return (digits.Length == 0 ? "0" : digits, decpt - leading);
    }

    private static bool IsPrintable(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => false,
        UnicodeCategory.SpaceSeparator => rune.Value == ' ',
        _ => true,
    };
}
