using System.Text;

namespace Toil.Runtime.Fuzz;

/// <summary>Prints failing inputs readably: text when it is UTF-8, base64 otherwise; long inputs cut.</summary>
public static class Printing
{
    /// <summary>Prints bytes.</summary>
    public static string Bytes(byte[] input)
    {
        string text = System.Text.Unicode.Utf8.IsValid(input) ? "utf8:" + Encoding.UTF8.GetString(input) : "base64:" + Convert.ToBase64String(input);
        return Cut(text);
    }

    /// <summary>Prints a string with its control characters escaped.</summary>
    public static string Text(string? input) =>
        input is null ? "<null>" : Cut(string.Concat(input.Select(c => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString())));

    private static string Cut(string text) => text.Length > 2000 ? text[..2000] + $"... ({text.Length} chars)" : text;
}

/// <summary>A type no code throws: <c>SuccessOr&lt;NeverThrown, T&gt;</c> demands success.</summary>
public sealed class NeverThrown : Exception
{
    /// <summary>Creates the exception.</summary>
    public NeverThrown()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public NeverThrown(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public NeverThrown(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
