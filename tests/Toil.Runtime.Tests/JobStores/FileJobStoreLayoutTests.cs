using Toil.Runtime.JobStores;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>The store's paths and the resolution of IDs from input, on their own (no store opened).</summary>
public sealed class FileJobStoreLayoutTests
{
    private const string JobId = "kind-count/instance-0123456789abcdef0123456789abcdef";
    private string _root = null!;
    private FileJobStoreLayout _layout = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Path.Combine(Path.GetTempPath(), "toil-layout-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        _layout = new FileJobStoreLayout(_root);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void JobPaths_JobId_AreUnderJobsInTheJobsOwnDirectory()
    {
        _layout.JobDirectory(JobId).Should().Be(Path.Join(_root, "jobs", JobId));
        _layout.JobFile(JobId).Should().Be(Path.Join(_root, "jobs", JobId, "job"));
        _layout.JobFilesOf(JobId).Should().Be(Path.Join(_root, "job-files", JobId));
        _layout.Locator.Should().Be("file:" + _root);
    }

    [TestCase("kind-a/instance-0123456789abcdef0123456789abcdef", true)]
    [TestCase("kind-a/instance-0123456789ABCDEF0123456789abcdef", false)]
    [TestCase("kind-../instance-0123456789abcdef0123456789abcdef", true)]
    [TestCase("kind-a/../instance-0123456789abcdef0123456789abcdef", false)]
    [TestCase("/etc/passwd", false)]
    [TestCase(null, false)]
    public void IsJobId_Candidate_AcceptsOnlyTheAssignedForm(string? id, bool expected) =>
        FileJobStoreLayout.IsJobId(id).Should().Be(expected);

    [TestCase("job-files/../../etc/passwd")]
    [TestCase("files-flat/../../outside")]
    public void ResolveFile_IdLeavingTheRoot_ThrowsInvalidId(string fileId)
    {
        var act = () => _layout.ResolveFile(fileId);

        act.Should().Throw<InvalidJobStoreIdException>();
    }

    [Test]
    public void ResolveFile_IdThroughASymbolicLink_ThrowsInvalidId()
    {
        string outside = Path.Combine(_root + "-outside");
        Directory.CreateDirectory(outside);
        try
        {
            Directory.CreateDirectory(Path.Join(_root, "files-flat"));
            Directory.CreateSymbolicLink(Path.Join(_root, "files-flat", "file-x"), outside);

            var act = () => _layout.ResolveFile("files-flat/file-x/data");

            act.Should().Throw<InvalidJobStoreIdException>().WithMessage("*symbolic link*");
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Test]
    public void ResolveFile_IdOutsideTheFileDirectories_ReturnsNull() =>
        _layout.ResolveFile("shared/config.json").Should().BeNull();

    [Test]
    public void ResolveFile_WellFormedId_ResolvesInsideTheRoot() =>
        _layout.ResolveFile("files-flat/file-1/data.txt").Should().Be(Path.Join(_root, "files-flat", "file-1", "data.txt"));

    [Test]
    public void Contained_PathThroughALink_ThrowsNamingTheLink()
    {
        Directory.CreateDirectory(Path.Join(_root, "jobs"));
        string link = Path.Join(_root, "jobs", "kind-x");
        Directory.CreateSymbolicLink(link, Path.GetTempPath());

        var act = () => _layout.Contained(Path.Join(link, "instance-y", "job"));

        act.Should().Throw<SymbolicLinkInJobStoreException>().Which.Message.Should().Contain(link);
    }

    [Test]
    public void RefuseLinkedLayout_SharedDirectoryIsALink_Throws()
    {
        Directory.CreateSymbolicLink(Path.Join(_root, "shared"), Path.GetTempPath());

        var act = () => FileJobStoreLayout.RefuseLinkedLayout(_root, _layout.Locator);

        act.Should().Throw<SymbolicLinkInJobStoreException>();
    }

    [TestCase("job-files/" + JobId + "/file-1/a", JobId)]
    [TestCase("job-files/" + JobId + "/file-0123456789abcdef0123456789abcdef-a", JobId)]
    [TestCase("jobs/" + JobId + "/file-0123456789abcdef0123456789abcdef-a", null)]
    [TestCase("files-flat/file-1/a", null)]
    [TestCase("job-files/kind-a", null)]
    public void OwningJob_FileId_IsTheJobItsPathNames(string fileId, string? expected) =>
        FileJobStoreLayout.OwningJob(fileId).Should().Be(expected);

    [TestCase("file:/tmp/store", "/tmp/store")]
    [TestCase("/tmp/store/", "/tmp/store")]
    [TestCase("aws:us-west-2:store", null)]
    [TestCase("file:", null)]
    public void TryParseLocator_Locator_GivesTheAbsoluteRoot(string locator, string? expected)
    {
        FileJobStoreLayout.TryParseLocator(locator, out string? path).Should().Be(expected is not null);
        path.Should().Be(expected);
    }
}
