using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace Toil.Runtime.Logging;

/// <summary>
/// Python's <c>msg % args</c> as <c>LogRecord.getMessage</c> applies it to a record from a Python sender: no
/// formatting when <c>args</c> is empty or false-y; a JSON array is the tuple of arguments; a JSON object is a mapping
/// for <c>%(key)s</c> (and the single argument of a plain <c>%s</c>). Conversions <c>s r a d i u f F e E g G x X o c %</c>
/// with flags <c>-+ #0</c>, width and precision (numbers or <c>*</c>). Errors Python would raise throw <see cref="FormatException"/>.
/// A result longer than the caller's limit is not built whole: widths and precisions are clamped to the limit and the
/// rendering stops once the text is longer than it, so a datagram of a few bytes (<c>%999999999s</c>) cannot make the
/// leader allocate gigabytes; the caller cuts the text to the limit.
/// </summary>
internal static class PythonPercentFormatter
{
    public static string Format(string format, JsonElement? args, int maxLength = int.MaxValue)
    {
        if (args is not { } a || !PythonText.IsTruthy(a))
        {
            return format;
        }

        bool isTuple = a.ValueKind == JsonValueKind.Array;
        JsonElement[] positional = isTuple ? [.. a.EnumerateArray()] : [a];
        JsonElement? mapping = a.ValueKind == JsonValueKind.Object ? a : null;
        int next = 0;
        var sb = new StringBuilder(format.Length + 16);
        int i = 0;
        while (i < format.Length)
        {
            char c = format[i++];
            if (c != '%')
            {
                sb.Append(c);
                continue;
            }

            if (i >= format.Length)
            {
                throw new FormatException("incomplete format");
            }

            JsonElement? keyed = null;
            if (format[i] == '(')
            {
                if (mapping is null)
                {
                    throw new FormatException("format requires a mapping");
                }

                int depth = 1;
                int start = ++i;
                while (i < format.Length && depth > 0)
                {
                    depth += format[i] == '(' ? 1 : format[i] == ')' ? -1 : 0;
                    i++;
                }

                if (depth > 0)
                {
                    throw new FormatException("incomplete format key");
                }

                string key = format[start..(i - 1)];
                keyed = mapping.Value.TryGetProperty(key, out var v) ? v : throw new FormatException($"KeyError: {PythonText.ReprString(key, false)}");
            }

            var spec = new Spec();
            while (i < format.Length && "-+ #0".Contains(format[i], StringComparison.Ordinal))
            {
                switch (format[i++])
                {
                    case '-': spec.Left = true; break;
                    case '+': spec.Plus = true; break;
                    case ' ': spec.Space = true; break;
                    case '#': spec.Alternate = true; break;
                    default: spec.Zero = true; break;
                }
            }

            spec.Width = ReadNumber(format, ref i, positional, ref next, keyed is not null) ?? 0;
            if (spec.Width < 0)
            {
                spec.Left = true;
                spec.Width = spec.Width == int.MinValue ? int.MaxValue : -spec.Width;
            }

            spec.Width = Math.Min(spec.Width, maxLength);
            if (i < format.Length && format[i] == '.')
            {
                i++;
                spec.Precision = Math.Min(ReadNumber(format, ref i, positional, ref next, keyed is not null) ?? 0, maxLength);
            }

            while (i < format.Length && format[i] is 'h' or 'l' or 'L')
            {
                i++;
            }

            if (i >= format.Length)
            {
                throw new FormatException("incomplete format");
            }

            char type = format[i++];
            if (type == '%')
            {
                sb.Append('%');
                continue;
            }

            JsonElement value = keyed ?? (next < positional.Length ? positional[next++] : throw new FormatException("not enough arguments for format string"));
            sb.Append(Convert(type, value, spec, i - 1));
            if (sb.Length > maxLength)
            {
                // The caller cuts the text at the limit: what follows would not be shown.
                return sb.ToString();
            }
        }

        if ((isTuple && next < positional.Length) || (!isTuple && mapping is null && next == 0))
        {
            throw new FormatException("not all arguments converted during string formatting");
        }

        return sb.ToString();
    }

    private static int? ReadNumber(string format, ref int i, JsonElement[] positional, ref int next, bool keyed)
    {
        if (i < format.Length && format[i] == '*')
        {
            i++;
            if (keyed || next >= positional.Length)
            {
                throw new FormatException("* wants int");
            }

            var star = positional[next++];
            return star.ValueKind == JsonValueKind.Number && !PythonText.IsFloat(star) && star.TryGetInt32(out int n) ? n : throw new FormatException("* wants int");
        }

        int begin = i;
        while (i < format.Length && char.IsAsciiDigit(format[i]))
        {
            i++;
        }

        if (i == begin)
        {
            return null;
        }

        // Python says "width too big" (or "precision too big") past its own limit; one message for both is enough.
        return int.TryParse(format.AsSpan(begin, i - begin), NumberStyles.None, CultureInfo.InvariantCulture, out int number)
            ? number
            : throw new FormatException("width or precision too big");
    }

    private static string Convert(char type, JsonElement value, Spec spec, int index)
    {
        switch (type)
        {
            case 's':
            case 'r':
            case 'a':
                string text = type == 's' ? PythonText.Str(value) : PythonText.Repr(value, ascii: type == 'a');
                if (spec.Precision is { } p && p < text.Length)
                {
                    text = text[..p];
                }

                return Pad("", text, spec, numeric: false);
            case 'd':
            case 'i':
            case 'u':
                BigInteger integer = ToInteger(value, type, allowFloat: true);
                string digits = BigInteger.Abs(integer).ToString(CultureInfo.InvariantCulture);
                return Pad(Sign(integer.Sign < 0, spec), MinDigits(digits, spec), spec, numeric: true);
            case 'x':
            case 'X':
            case 'o':
                BigInteger whole = ToInteger(value, type, allowFloat: false);
                string body = type == 'o' ? ToOctal(BigInteger.Abs(whole)) : ToHex(BigInteger.Abs(whole), upper: type == 'X');
                string prefix = spec.Alternate ? (type == 'o' ? "0o" : type == 'x' ? "0x" : "0X") : "";
                return Pad(Sign(whole.Sign < 0, spec) + prefix, MinDigits(body, spec), spec, numeric: true);
            case 'f':
            case 'F':
            case 'e':
            case 'E':
            case 'g':
            case 'G':
                double d = ToDouble(value, type);
                return Pad(Sign(double.IsNegative(d) && !double.IsNaN(d), spec), FormatFloat(Math.Abs(d), type, spec), spec, numeric: double.IsFinite(d));
            case 'c':
                return Pad("", ToChar(value), spec, numeric: false);
            default:
                throw new FormatException($"unsupported format character '{type}' (0x{(int)type:x}) at index {index}");
        }
    }

    private static string Sign(bool negative, Spec spec) => negative ? "-" : spec.Plus ? "+" : spec.Space ? " " : "";

    private static string MinDigits(string digits, Spec spec) =>
        spec.Precision is { } p && digits.Length < p ? new string('0', p - digits.Length) + digits : digits;

    private static string Pad(string sign, string body, Spec spec, bool numeric)
    {
        int length = sign.Length + body.Length;
        if (length >= spec.Width)
        {
            return sign + body;
        }

        if (spec.Left)
        {
            return sign + body + new string(' ', spec.Width - length);
        }

        return spec.Zero && numeric
            ? sign + new string('0', spec.Width - length) + body
            : new string(' ', spec.Width - length) + sign + body;
    }

    private static BigInteger ToInteger(JsonElement value, char type, bool allowFloat)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.True:
                return BigInteger.One;
            case JsonValueKind.False:
                return BigInteger.Zero;
            case JsonValueKind.Number when !PythonText.IsFloat(value):
                return BigInteger.Parse(value.GetRawText(), CultureInfo.InvariantCulture);
            case JsonValueKind.Number when allowFloat:
                return new BigInteger(Math.Truncate(value.GetDouble()));
            case JsonValueKind.Number:
                throw new FormatException($"%{type} format: an integer is required, not float");
            default:
                throw new FormatException($"%{type} format: a {(allowFloat ? "real number" : "integer")} is required, not {PythonTypeName(value)}");
        }
    }

    private static double ToDouble(JsonElement value, char type) => value.ValueKind switch
    {
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        JsonValueKind.Number => value.GetDouble(),
        _ => throw new FormatException($"%{type} format: must be real number, not {PythonTypeName(value)}"),
    };

    private static string ToChar(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String && value.GetString() is { } s && (s.Length == 1 || (s.Length == 2 && char.IsSurrogatePair(s[0], s[1]))))
        {
            return s;
        }

        if (value.ValueKind == JsonValueKind.Number && !PythonText.IsFloat(value) && value.TryGetInt32(out int code) && Rune.IsValid(code))
        {
            return new Rune(code).ToString();
        }

        throw new FormatException("%c requires an int in range(0x110000) or a single character");
    }

    private static string FormatFloat(double positive, char type, Spec spec)
    {
        bool upper = char.IsUpper(type);
        if (double.IsNaN(positive))
        {
            return upper ? "NAN" : "nan";
        }

        if (double.IsInfinity(positive))
        {
            return upper ? "INF" : "inf";
        }

        int precision = spec.Precision ?? 6;
        switch (char.ToLowerInvariant(type))
        {
            case 'f':
                string f = positive.ToString("F" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
                return spec.Alternate && precision == 0 ? f + "." : f;
            case 'e':
                string e = Exponent(positive, precision, upper);
                return spec.Alternate && precision == 0 ? e.Insert(1, ".") : e;
            default:
                int p = precision == 0 ? 1 : precision;
                int x = positive == 0 ? 0 : ExponentOf(Exponent(positive, p - 1, upper: false));
                string g = x >= -4 && x < p
                    ? positive.ToString("F" + (p - 1 - x).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)
                    : Exponent(positive, p - 1, upper);
                return spec.Alternate ? g : StripZeros(g);
        }
    }

    /// <summary>Python's exponent form: at least two exponent digits and a sign (.NET writes three).</summary>
    private static string Exponent(double positive, int precision, bool upper)
    {
        string s = positive.ToString("e" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        int e = s.IndexOf('e', StringComparison.Ordinal);
        int exponent = int.Parse(s.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return s[..e] + (upper ? "E" : "e") + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
    }

    private static int ExponentOf(string exponentForm) =>
        int.Parse(exponentForm.AsSpan(exponentForm.IndexOfAny(['e', 'E']) + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static string StripZeros(string g)
    {
        int e = g.IndexOfAny(['e', 'E']);
        string mantissa = e < 0 ? g : g[..e];
        if (mantissa.Contains('.', StringComparison.Ordinal))
        {
            mantissa = mantissa.TrimEnd('0').TrimEnd('.');
        }

        return e < 0 ? mantissa : mantissa + g[e..];
    }

    private static string ToHex(BigInteger positive, bool upper)
    {
        string hex = positive.ToString(upper ? "X" : "x", CultureInfo.InvariantCulture).TrimStart('0');
        return hex.Length == 0 ? "0" : hex;
    }

    private static string ToOctal(BigInteger positive)
    {
        if (positive.IsZero)
        {
            return "0";
        }

        var sb = new StringBuilder();
        while (!positive.IsZero)
        {
            sb.Insert(0, (char)('0' + (int)(positive % 8)));
            positive /= 8;
        }

        return sb.ToString();
    }

    private static string PythonTypeName(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "str",
        JsonValueKind.Array => "list",
        JsonValueKind.Object => "dict",
        JsonValueKind.Number => PythonText.IsFloat(value) ? "float" : "int",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => "NoneType",
    };

    private sealed class Spec
    {
        public bool Left { get; set; }

        public bool Plus { get; set; }

        public bool Space { get; set; }

        public bool Alternate { get; set; }

        public bool Zero { get; set; }

        public int Width { get; set; }

        public int? Precision { get; set; }
    }
}
