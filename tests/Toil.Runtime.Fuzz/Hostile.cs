using CsCheck;

namespace Toil.Runtime.Fuzz;

/// <summary>Strings and JSON values that break parsers: control characters, lone surrogates, path tricks, huge numbers.</summary>
public static class Hostile
{
    /// <summary>Strings worth trying anywhere a name, an ID or a value goes.</summary>
    public static readonly string[] Strings =
    [
        "", " ", "\n", "a\n", "\na", "a\r\n", "\0", "a\0b", "\t", "\u007f", "\u0085", "\u2028", "\u200b", "\ufeff",
        ".", "..", "../..", "../../etc/passwd", "/", "/etc/passwd", "a/../..", "a/./b", "a//b", "a\\b", "C:\\x", "~",
        "\ud800", "\udc00", "a\ud800b", "\ud83d\ude00", "é", "\u202e", "日本語", "%s%s%n", "{0}", "${x}", "$(id)", "`id`",
        "null", "true", "NaN", "-1", "1e400", "9223372036854775808", "config.json\n", "rootJobStoreID ", "CON", "nul",
        new string('a', 200), new string('a', 201), new string('a', 255), new string('a', 256), new string('x', 5000),
        string.Concat(Enumerable.Repeat("a/", 300)), string.Concat(Enumerable.Repeat("é", 150)),
    ];

    /// <summary>Raw JSON values: every type, boundary and out-of-range numbers, nested nulls.</summary>
    public static readonly string[] JsonValues =
    [
        "null", "true", "false", "0", "-0", "-1", "1", "1.5", "-1.5", "2147483647", "2147483648", "-2147483649",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616",
        "99999999999999999999999999999999", "1e308", "-1e308", "1e400", "-1e400", "1e-400", "0.0000001", "123456789.123456789",
        "\"\"", "\"x\"", "\"1\"", "\"-1\"", "\"1Gi\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\n\"", "\"../..\"",
        "[]", "{}", "[null]", "[null,null]", "{\"a\":null}", "[1,\"a\",null,{}]", "[[]]", "{\"\":{}}",
        "\"" + new string('z', 70_000) + "\"",
    ];

    /// <summary>A hostile string.</summary>
    public static Gen<string> String { get; } = Gen.Frequency(
        (3, Gen.OneOf(Strings)),
        (1, Gen.String[Gen.Char, 0, 40]),
        (1, Gen.String[Gen.Char[(char)0, (char)127], 0, 40]));
}
