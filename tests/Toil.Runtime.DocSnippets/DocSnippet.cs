namespace Toil.Runtime.DocSnippets;

/// <summary>One ```csharp block of a Markdown page, with the marker on the line before it.</summary>
/// <param name="Page">The page, relative to the repository root (README.md, docs/x.md).</param>
/// <param name="Line">The 1-based line of the opening fence.</param>
/// <param name="Marker">The snippet name, <see cref="NotCompiled"/>, or <see langword="null"/> when the block has no marker.</param>
/// <param name="Lines">The block's lines, without the fences.</param>
public sealed record DocSnippet(string Page, int Line, string? Marker, IReadOnlyList<string> Lines)
{
    /// <summary>The marker value of a block that is deliberately not compiled (a fragment, an illustration).</summary>
    public const string NotCompiled = "not-compiled";

    /// <inheritdoc />
    public override string ToString() => $"{Page}:{Line} ({Marker ?? "no marker"})";
}
