using System.Buffers;
using System.Globalization;
using System.Text;

namespace Toil.Runtime.Logging;

/// <summary>
/// Makes text that a job, a worker or a datagram chose safe to render as text on an operator's terminal or in a
/// text log: control characters are escaped so they cannot drive the terminal, and the lines of a multi-line
/// message after the first are marked so they cannot pass as records of their own. See docs/security.md.
/// </summary>
/// <remarks>
/// <para>Escaped: every C0 control character except the line feed of a multi-line message (so <c>ESC</c>, <c>BEL</c>,
/// carriage return, backspace, form feed, ...), <c>DEL</c>, every C1 control character (U+0080–U+009F, which some
/// terminals also obey), the Unicode line and paragraph separators (U+2028, U+2029) and the bidirectional
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069), which can make a line read differently from what it
/// holds. Tab is kept. Escapes are written as C# and Python write them: <c>\r</c>, <c>\t</c> never (kept),
/// <c>\x1b</c> for characters below U+0100 and <c>\u202e</c> above.</para>
/// <para>Structured sinks should keep the original value; this is for the text renderings only.</para>
/// </remarks>
internal static class TerminalText
{
    /// <summary>
    /// The mark written at the start of every line of a multi-line text after the first: two spaces and a bar,
    /// so no continuation line can start at column 0 and look like a new log record.
    /// </summary>
    public const string ContinuationMark = "  | ";

    private static readonly SearchValues<char> Unsafe = SearchValues.Create(BuildUnsafe());

    /// <summary>
    /// Returns <paramref name="text"/> with every control character escaped and the line feeds of a multi-line
    /// text kept, each following line starting with <see cref="ContinuationMark"/>. Returns the same instance
    /// when nothing needed escaping.
    /// </summary>
    /// <param name="text">Text a job, a worker or a peer chose; <see langword="null"/> gives an empty string.</param>
    /// <returns>The text, safe to write to a terminal or a text log.</returns>
    public static string Escape(string? text) => Render(text, keepLineFeeds: true);

    /// <summary>
    /// Returns <paramref name="text"/> as one line: like <see cref="Escape(string?)"/>, but line feeds are escaped
    /// too (as <c>\n</c>). For a field of a table or a status line, such as a job name.
    /// </summary>
    /// <param name="text">Text a job, a worker or a peer chose; <see langword="null"/> gives an empty string.</param>
    /// <returns>The text on one line, safe to write to a terminal or a text log.</returns>
    public static string EscapeLine(string? text) => Render(text, keepLineFeeds: false);

    private static string Render(string? text, bool keepLineFeeds)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        int first = text.AsSpan().IndexOfAny(Unsafe);
        if (first < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        builder.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\n' && keepLineFeeds)
            {
                builder.Append('\n').Append(ContinuationMark);
            }
            else if (NeedsEscape(c))
            {
                AppendEscape(builder, c);
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static void AppendEscape(StringBuilder builder, char c)
    {
        switch (c)
        {
            case '\n': builder.Append("\\n"); break;
            case '\r': builder.Append("\\r"); break;
            case '\b': builder.Append("\\b"); break;
            case '\f': builder.Append("\\f"); break;
            case '\v': builder.Append("\\v"); break;
            case '\0': builder.Append("\\0"); break;
            default:
                if (c < 0x100)
                {
                    builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                }
                else
                {
                    builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                }

                break;
        }
    }

    private static bool NeedsEscape(char c) =>
        (c < 0x20 && c != '\t')
        || (c >= 0x7F && c <= 0x9F)
        || c is '\u2028' or '\u2029'
        || (c >= '\u202A' && c <= '\u202E')
        || (c >= '\u2066' && c <= '\u2069');

    private static string BuildUnsafe()
    {
        var chars = new StringBuilder();
        for (char c = '\0'; c < '\u2070'; c++)
        {
            if (NeedsEscape(c))
            {
                chars.Append(c);
            }
        }

        return chars.ToString();
    }
}
