using FluentAssertions;
using NUnit.Framework;

namespace Toil.Runtime.DocSnippets;

/// <summary>
/// The C# blocks of the documentation compile (their copies under Snippets/ are part of this project) and are identical
/// to those copies. Regenerate the copies from the docs with <c>bash .ci/update-snippets.sh</c>
/// (<c>TOIL_UPDATE_SNIPPETS=1</c>): docs/contributing-docs.md.
/// </summary>
[TestFixture]
public sealed class DocSnippetTests
{
    /// <summary>
    /// Pages whose blocks are not marked yet because their owners were rewriting them when this check came in. Mark their
    /// blocks (compiled, or not-compiled with a reason) and delete the page from this list.
    /// </summary>
    private static readonly string[] PagesNotYetMarked = [];

    private static bool Updating => Environment.GetEnvironmentVariable("TOIL_UPDATE_SNIPPETS") == "1";

    private static IEnumerable<TestCaseData> CompiledBlocks() =>
        MarkdownPages.Blocks().Where(b => b.Marker is { } m && m != DocSnippet.NotCompiled)
            .Select(b => new TestCaseData(b.Page, b.Marker).SetArgDisplayNames(b.Page, b.Marker!));

    [Test]
    public void Docs_EveryCSharpBlock_IsMarkedCompiledOrNot()
    {
        var unmarked = MarkdownPages.Blocks()
            .Where(b => b.Marker is null && !PagesNotYetMarked.Contains(b.Page.Replace('\\', '/'), StringComparer.Ordinal))
            .Select(b => b.ToString())
            .ToList();

        unmarked.Should().BeEmpty(
            "every ```csharp block is preceded by <!-- snippet: NAME --> (compiled: run bash .ci/update-snippets.sh) " +
            "or <!-- not-compiled: REASON --> (a fragment); see docs/contributing-docs.md");
    }

    [Test]
    public void Docs_SnippetNames_AreUnique()
    {
        var names = MarkdownPages.Blocks().Where(b => b.Marker is { } m && m != DocSnippet.NotCompiled).Select(b => b.Marker!);

        names.Should().OnlyHaveUniqueItems();
    }

    [TestCaseSource(nameof(CompiledBlocks))]
    public void Docs_CompiledBlock_IsIdenticalToItsCompiledCopy(string page, string name)
    {
        var block = MarkdownPages.Blocks(page).Single(b => b.Marker == name);
        var copy = SnippetCopy.FindAll(MarkdownPages.SnippetDirectory).SingleOrDefault(c => c.Name == name);
        if (Updating)
        {
            if (copy is null)
            {
                Assert.Warn($"created {SnippetCopy.Create(MarkdownPages.SnippetDirectory, page, name, block.Lines)}; rebuild to compile it");
                return;
            }

            if (!copy.ReadBlock().SequenceEqual(block.Lines))
            {
                copy.Write(block.Lines);
                Assert.Warn($"updated {copy.Path}; rebuild to compile it");
                return;
            }
        }

        copy.Should().NotBeNull($"{page} has a block marked '{name}' (run bash .ci/update-snippets.sh to create its copy)");
        string.Join('\n', copy!.ReadBlock()).Should().Be(
            string.Join('\n', block.Lines),
            $"the block '{name}' in {page} and its copy {Path.GetRelativePath(MarkdownPages.RepositoryRoot, copy.Path)} must be identical " +
            "(edit the doc, then run bash .ci/update-snippets.sh and rebuild)");
    }

    [Test]
    public void Copies_EachOne_BelongsToABlockOfTheDocs()
    {
        var names = MarkdownPages.Blocks().Select(b => b.Marker).ToHashSet();

        SnippetCopy.FindAll(MarkdownPages.SnippetDirectory).Where(c => !names.Contains(c.Name)).Select(c => c.Path)
            .Should().BeEmpty("a copy whose block left the docs is deleted with it");
    }
}
