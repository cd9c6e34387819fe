namespace Toil.Runtime.Fuzz;

/// <summary>
/// A fresh temp directory that holds exactly one child (a store, a coordination directory); <see cref="AssertNothingBeside"/>
/// checks that the parent's listing is still only that child, so nothing was written beside it (a path that escaped the
/// child by <c>..</c> or a link lands in the parent first).
/// </summary>
public sealed class TempArea : IDisposable
{
    /// <summary>Creates the area.</summary>
    /// <param name="childName">The name of the one child the target works in.</param>
    public TempArea(string childName)
    {
        Parent = Path.Combine(Path.GetTempPath(), "toil-fuzz-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Parent);
        Child = Path.Combine(Parent, childName);
    }

    /// <summary>The parent directory.</summary>
    public string Parent { get; }

    /// <summary>The child the target works in.</summary>
    public string Child { get; }

    /// <summary>Fails if the parent holds anything but the child.</summary>
    public void AssertNothingBeside()
    {
        string[] inParent = [.. Directory.EnumerateFileSystemEntries(Parent)];
        Expect.That(inParent.All(e => e == Child), $"written beside {Child}: {string.Join(", ", inParent.Where(e => e != Child))}");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Parent, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
