using System.Text.RegularExpressions;

namespace Toil.Runtime.Tests.Docs;

/// <summary>
/// The repository stands on its own: comments and pages cite <c>docs/</c> pages and the anchors of
/// <c>docs/decisions.md</c>, never documents a reader of the repository does not have.
/// </summary>
public sealed partial class DocsCitationTests
{
    // Built from parts so that this file does not cite them itself.
    private static readonly string[] OutsideCitations = ["DESIGN" + " D", "DESIGN" + " §", "DESIGN" + "'s", "DESIGN" + ".md", "STYLE" + ".md", "reference" + " §", "reference" + "/"];

    private static readonly string[] Roots = ["src", "tests", "docs", "samples", "benchmarks"];

    [Test]
    public void RepositoryFiles_CiteNoOutsideDocument()
    {
        var found = RepositoryFiles()
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(l => OutsideCitations.Any(c => l.Text.Contains(c, StringComparison.Ordinal)))
            .Select(l => $"{Path.GetRelativePath(RepositoryRoot(), l.File)}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        string.Join(Environment.NewLine, found).Should().BeEmpty("cite the docs/ page or the docs/decisions.md anchor that states the fact");
    }

    [Test]
    public void DecisionsAnchors_CitedAnywhere_Exist()
    {
        string decisions = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "decisions.md"));
        var anchors = AnchorLine().Matches(decisions).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        var broken = RepositoryFiles()
            .SelectMany(f => DecisionsCitation().Matches(File.ReadAllText(f)).Select(m => (File: f, Anchor: m.Groups[1].Value)))
            .Where(c => !anchors.Contains(c.Anchor))
            .Select(c => $"{Path.GetRelativePath(RepositoryRoot(), c.File)}: #{c.Anchor}")
            .Distinct()
            .ToList();

        anchors.Should().Contain(["json-not-pickle", "durable-writes", "optimistic-concurrency", "failure-state-per-run", "log-truncation", "log-capture", "chaining", "environment", "contained-executor", "mesos-executor", "real-time-logging", "bounded-waits", "native-aot", "exit-codes"]);
        broken.Should().BeEmpty("every cited anchor of docs/decisions.md exists");
    }

    [Test]
    public void DecisionsPage_Anchors_AreUniqueAndEachBeforeAHeading()
    {
        string[] lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "docs", "decisions.md"));
        var anchorLines = lines.Select((l, i) => (Line: l, Index: i)).Where(l => AnchorLine().IsMatch(l.Line)).ToList();

        anchorLines.Select(l => AnchorLine().Match(l.Line).Groups[1].Value).Should().OnlyHaveUniqueItems();
        foreach (var (line, index) in anchorLines)
        {
            lines.Skip(index + 1).First(l => l.Length > 0).Should().StartWith("## ", $"the anchor {line} stands right before its heading");
        }

        lines.Count(l => l.StartsWith("## ", StringComparison.Ordinal)).Should().Be(anchorLines.Count + 1, "every section but the contents has an anchor");
    }

    private static IEnumerable<string> RepositoryFiles()
    {
        string root = RepositoryRoot();
        var files = Roots.Select(r => Path.Combine(root, r)).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Where(f => Path.GetExtension(f) is ".cs" or ".md" or ".csproj" or ".props" or ".targets" or ".sh" or ".json" or ".txt" or ".py" or ".yml" or ".yaml" or ".xml" or ".conf");
        return files.Append(Path.Combine(root, "README.md"));
    }

    private static string RepositoryRoot()
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

    [GeneratedRegex("""^<a id="([a-z0-9-]+)"></a>$""", RegexOptions.Multiline)]
    private static partial Regex AnchorLine();

    [GeneratedRegex(@"decisions\.md#([a-z0-9-]+)")]
    private static partial Regex DecisionsCitation();
}
