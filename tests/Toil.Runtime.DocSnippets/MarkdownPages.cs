using System.Text.RegularExpressions;

namespace Toil.Runtime.DocSnippets;

/// <summary>The Markdown pages whose C# blocks must compile, and their blocks.</summary>
public static partial class MarkdownPages
{
    /// <summary>The repository root (the directory that holds Toil.Runtime.sln), found upwards from the test's directory.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Where the compiled copies live.</summary>
    public static string SnippetDirectory => Path.Combine(RepositoryRoot, "tests", "Toil.Runtime.DocSnippets", "Snippets");

    /// <summary>README.md, docs/*.md and each package's src/*/README.md, relative to the root.</summary>
    public static IReadOnlyList<string> All() =>
    [
        "README.md",
        .. Directory.EnumerateFiles(Path.Combine(RepositoryRoot, "docs"), "*.md").Select(p => Path.GetRelativePath(RepositoryRoot, p)).Order(StringComparer.Ordinal),
        .. Directory.EnumerateFiles(Path.Combine(RepositoryRoot, "src"), "README.md", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(RepositoryRoot, p)).Order(StringComparer.Ordinal),
    ];

    /// <summary>Every ```csharp block of every page.</summary>
    public static IReadOnlyList<DocSnippet> Blocks() => [.. All().SelectMany(Blocks)];

    /// <summary>The ```csharp blocks of one page.</summary>
    public static IEnumerable<DocSnippet> Blocks(string page)
    {
        string[] lines = File.ReadAllLines(Path.Combine(RepositoryRoot, page));
        for (int i = 0; i < lines.Length; i++)
        {
            if (!CSharpFence().IsMatch(lines[i]))
            {
                continue;
            }

            int start = i;
            List<string> block = [];
            for (i++; i < lines.Length && lines[i].TrimEnd() != "```"; i++)
            {
                block.Add(lines[i]);
            }

            string? marker = null;
            int previous = start - 1;
            while (previous >= 0 && lines[previous].Trim().Length == 0)
            {
                previous--;
            }

            if (previous >= 0 && Marker().Match(lines[previous]) is { Success: true } m)
            {
                marker = m.Groups["kind"].Value == "snippet" ? m.Groups["value"].Value.Trim() : DocSnippet.NotCompiled;
            }

            yield return new DocSnippet(page, start + 1, marker, block);
        }
    }

    [GeneratedRegex(@"^```(csharp|cs|c#)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex CSharpFence();

    [GeneratedRegex(@"^<!--\s*(?<kind>snippet|not-compiled):\s*(?<value>.*?)\s*-->\s*$")]
    private static partial Regex Marker();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Toil.Runtime.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Toil.Runtime.sln above {AppContext.BaseDirectory}.");
    }
}
