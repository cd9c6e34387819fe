using Toil.Runtime.JobStores;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>The trash and deletion of a file job store, on their own.</summary>
public sealed class FileJobStoreTrashTests
{
    private FileJobStoreTestDirectory _t = null!;

    [SetUp]
    public void SetUp() => _t = new FileJobStoreTestDirectory();

    [TearDown]
    public void TearDown() => _t.Dispose();

    [Test]
    public void DeleteTree_TreeHoldingALinkToOutside_RemovesTheLinkButNotItsTarget()
    {
        string outside = Path.Combine(_t.Parent, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "keep.txt"), "keep");
        string tree = Path.Combine(_t.Parent, "tree");
        Directory.CreateDirectory(Path.Combine(tree, "sub"));
        File.WriteAllText(Path.Combine(tree, "sub", "a.txt"), "a");
        Directory.CreateSymbolicLink(Path.Combine(tree, "sub", "link"), outside);

        FileJobStoreTrash.DeleteTree(tree);

        Directory.Exists(tree).Should().BeFalse();
        File.ReadAllText(Path.Combine(outside, "keep.txt")).Should().Be("keep");
    }

    [TestCase("job")]
    [TestCase("job,file-0123-body")]
    [TestCase("file-0123-log")]
    [TestCase("")]
    public void DeleteJobTrash_RecordAloneOrWithOtherFiles_RemovesTheDirectory(string names)
    {
        string[] files = names.Split(',', StringSplitOptions.RemoveEmptyEntries);
        string trash = Path.Combine(_t.Parent, "trash-job");
        Directory.CreateDirectory(trash);
        foreach (string file in files)
        {
            File.WriteAllText(Path.Combine(trash, file), file);
        }

        FileJobStoreTrash.DeleteJobTrash(trash);

        Directory.Exists(trash).Should().BeFalse();
    }

    [Test]
    [Platform("Linux,MacOsX")]
    public void DeleteJobTrash_LinksInPlaceOfTheDirectoryOrTheRecord_RemovesTheLinksButNotTheirTargets()
    {
        string outside = Path.Combine(_t.Parent, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "job"), "keep");
        string linkedDirectory = Path.Combine(_t.Parent, "trash-linked-directory");
        Directory.CreateSymbolicLink(linkedDirectory, outside);
        string linkedRecord = Path.Combine(_t.Parent, "trash-linked-record");
        Directory.CreateDirectory(linkedRecord);
        File.CreateSymbolicLink(Path.Combine(linkedRecord, "job"), Path.Combine(outside, "job"));

        FileJobStoreTrash.DeleteJobTrash(linkedDirectory);
        FileJobStoreTrash.DeleteJobTrash(linkedRecord);

        Path.Exists(linkedDirectory).Should().BeFalse();
        Directory.Exists(outside).Should().BeTrue();
        Directory.Exists(linkedRecord).Should().BeFalse();
        File.ReadAllText(Path.Combine(outside, "job")).Should().Be("keep");
    }

    [Test]
    public void DeleteTree_Missing_DoesNothing()
    {
        var act = () => FileJobStoreTrash.DeleteTree(Path.Combine(_t.Parent, "missing"));

        act.Should().NotThrow();
    }

    [Test]
    public async Task MoveToTrashThenSweep_Directory_LeavesTmpEmpty()
    {
        await using var store = await _t.CreateAsync();
        var layout = new FileJobStoreLayout(_t.StorePath);
        string victim = Path.Combine(_t.StorePath, "files-flat", "file-1");
        Directory.CreateDirectory(victim);
        File.WriteAllText(Path.Combine(victim, "data"), "x");

        string trash = FileJobStoreTrash.MoveToTrash(layout, victim);

        Directory.Exists(victim).Should().BeFalse();
        Path.GetFileName(trash).Should().StartWith(FileJobStoreTrash.TrashPrefix);
        File.ReadAllText(Path.Combine(trash, "data")).Should().Be("x");
        FileJobStoreTrash.Sweep(layout);
        Directory.GetFileSystemEntries(Path.Combine(_t.StorePath, "tmp")).Should().BeEmpty();
    }

    [Test]
    public async Task DestroyStore_DirectoryHoldingAForeignEntry_RefusesAndDeletesNothing()
    {
        await using (await _t.CreateAsync())
        {
        }

        File.WriteAllText(Path.Combine(_t.StorePath, "thesis.tex"), "years of work");

        var act = () => FileJobStoreTrash.DestroyStore(_t.StorePath);

        act.Should().Throw<JobStoreException>().WithMessage("*thesis.tex*");
        File.Exists(Path.Combine(_t.StorePath, "thesis.tex")).Should().BeTrue();
    }

    [Test]
    public async Task DestroyStore_StoreAndAnInterruptedDestroy_RemovesBoth()
    {
        await using (await _t.CreateAsync())
        {
        }

        string leftover = Path.Combine(_t.Parent, ".store.0123.destroying");
        Directory.CreateDirectory(Path.Combine(leftover, "jobs"));

        FileJobStoreTrash.DestroyStore(_t.StorePath);

        Directory.GetFileSystemEntries(_t.Parent).Should().BeEmpty();
    }
}
