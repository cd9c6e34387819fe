using System.Text.RegularExpressions;

namespace Toil.Runtime.Tests.IO;

/// <summary>Every native call of the repository is declared in one file, src/Toil.Runtime/IO/Libc.cs.</summary>
public sealed partial class LibcPlacementTests
{
    [Test]
    public void SourceTree_NativeImports_AreDeclaredOnlyInIoLibc()
    {
        string src = Path.Combine(RepositoryRoot(), "src");
        string libc = Path.Combine(src, "Toil.Runtime", "IO", "Libc.cs");

        var offenders = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && f != libc
                && NativeImport().IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(src, f))
            .ToList();

        NativeImport().IsMatch(File.ReadAllText(libc)).Should().BeTrue("the test must recognise the imports it looks for");
        offenders.Should().BeEmpty("libc calls are declared once, in IO/Libc.cs (internal, visible to the other projects)");
    }

    [GeneratedRegex(@"\[\s*(DllImport|LibraryImport)\s*\(")]
    private static partial Regex NativeImport();

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
}
