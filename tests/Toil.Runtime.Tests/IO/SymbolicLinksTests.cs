using Toil.Runtime.IO;

namespace Toil.Runtime.Tests.IO;

/// <summary>
/// The job store's link check (<c>SymbolicLinks.FindBelow</c>) answers the same with the one-call check (<c>openat2</c>,
/// Linux) and with the component-by-component walk: a link anywhere below the root is named, a link above it is allowed,
/// and a missing entry ends the check (docs/job-store-format.md, "Symbolic links").
/// </summary>
[NonParallelizable]
[Platform(Exclude = "Win")]
public sealed class SymbolicLinksTests
{
    private string _root = null!;
    private string _outside = null!;
    private bool _enabled;

    [SetUp]
    public void SetUp()
    {
        string parent = Directory.CreateTempSubdirectory("toil-links-").FullName;
        _root = Directory.CreateDirectory(Path.Combine(parent, "root")).FullName;
        _outside = Directory.CreateDirectory(Path.Combine(parent, "outside")).FullName;
        Directory.CreateDirectory(Path.Combine(_root, "jobs", "kind-a", "instance-1"));
        File.WriteAllText(Path.Combine(_root, "jobs", "kind-a", "instance-1", "job"), "{}");
        _enabled = SymbolicLinks.OpenAt2Enabled;
    }

    [TearDown]
    public void TearDown()
    {
        SymbolicLinks.OpenAt2Enabled = _enabled;
        Directory.Delete(Path.GetDirectoryName(_root)!, recursive: true);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void FindBelow_NoLink_IsNull(bool oneCall)
    {
        SymbolicLinks.OpenAt2Enabled = oneCall;

        SymbolicLinks.FindBelow(_root, Path.Combine(_root, "jobs", "kind-a", "instance-1", "job")).Should().BeNull();
    }

    [TestCase(true)]
    [TestCase(false)]
    public void FindBelow_LinkedDirectoryOnTheWay_NamesIt(bool oneCall)
    {
        SymbolicLinks.OpenAt2Enabled = oneCall;
        Directory.CreateDirectory(Path.Combine(_outside, "instance-2"));
        File.WriteAllText(Path.Combine(_outside, "instance-2", "job"), "{}");
        string link = Path.Combine(_root, "jobs", "kind-a", "instance-2");
        File.CreateSymbolicLink(link, Path.Combine(_outside, "instance-2"));

        SymbolicLinks.FindBelow(_root, Path.Combine(link, "job")).Should().Be(link);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void FindBelow_LinkAsTheLastEntry_NamesIt(bool oneCall)
    {
        SymbolicLinks.OpenAt2Enabled = oneCall;
        string link = Path.Combine(_root, "jobs", "kind-a", "instance-1", "file-x");
        File.CreateSymbolicLink(link, "/etc/passwd");

        SymbolicLinks.FindBelow(_root, link).Should().Be(link);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void FindBelow_DanglingLink_NamesIt(bool oneCall)
    {
        SymbolicLinks.OpenAt2Enabled = oneCall;
        string link = Path.Combine(_root, "jobs", "kind-b");
        File.CreateSymbolicLink(link, Path.Combine(_outside, "missing"));

        SymbolicLinks.FindBelow(_root, Path.Combine(link, "instance-1", "job")).Should().Be(link);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void FindBelow_MissingEntry_IsNullAndStopsThere(bool oneCall)
    {
        SymbolicLinks.OpenAt2Enabled = oneCall;

        SymbolicLinks.FindBelow(_root, Path.Combine(_root, "jobs", "kind-z", "instance-9", "job")).Should().BeNull();
    }

    [TestCase(true)]
    [TestCase(false)]
    public void FindBelow_FileUsedAsADirectory_IsNull(bool oneCall)
    {
        SymbolicLinks.OpenAt2Enabled = oneCall;

        SymbolicLinks.FindBelow(_root, Path.Combine(_root, "jobs", "kind-a", "instance-1", "job", "below")).Should().BeNull();
    }

    [TestCase(true)]
    [TestCase(false)]
    public void FindBelow_RootReachedThroughALink_OnlyWhatIsBelowCounts(bool oneCall)
    {
        SymbolicLinks.OpenAt2Enabled = oneCall;
        string linkedRoot = Path.Combine(_outside, "root-link");
        Directory.CreateSymbolicLink(linkedRoot, _root);
        string planted = Path.Combine(_root, "jobs", "kind-c");
        Directory.CreateSymbolicLink(planted, _outside);

        SymbolicLinks.FindBelow(linkedRoot, Path.Combine(linkedRoot, "jobs", "kind-a", "instance-1", "job")).Should().BeNull("a link above the root is the user's choice");
        SymbolicLinks.FindBelow(linkedRoot, Path.Combine(linkedRoot, "jobs", "kind-c", "x")).Should().Be(Path.Combine(linkedRoot, "jobs", "kind-c"));
        SymbolicLinks.FindBelow(linkedRoot, Path.Combine(linkedRoot, "jobs", "kind-a", "instance-1", "job")).Should().BeNull("asked again, after the root was seen to pass through a link");
    }

    [Test]
    [Platform(Include = "Linux")]
    public void OpenAt2NoLinks_OnThisKernel_AnswersForCleanLinkedAndMissingPaths()
    {
        // The binding itself (call number, struct open_how, flags): a wrong one would answer EINVAL/EFAULT for every path,
        // and every check would quietly fall to the walk.
        string link = Path.Combine(_root, "jobs", "kind-l");
        Directory.CreateSymbolicLink(link, _outside);

        SymbolicLinks.OpenAt2NoLinks(Path.Combine(_root, "jobs", "kind-a", "instance-1", "job")).Should().Be(0);
        SymbolicLinks.OpenAt2NoLinks(link).Should().Be(40, "ELOOP: a link on the way, the last entry included");
        SymbolicLinks.OpenAt2NoLinks(Path.Combine(_root, "jobs", "missing")).Should().Be(2, "ENOENT");
    }

    [Test]
    [Platform("Linux")]
    public void TryOpenReadNoLinks_CleanPath_OpensItAndAMissingOneThrowsAsAnOpenWould()
    {
        SymbolicLinks.OpenAt2Enabled = true;
        string record = Path.Combine(_root, "jobs", "kind-a", "instance-1", "job");

        using (var handle = SymbolicLinks.TryOpenReadNoLinks(_root, record))
        {
            handle.Should().NotBeNull();
            UnlockedFile.ReadAll(handle!, record, 1024, out _).Should().Equal("{}"u8.ToArray());
        }

        var missing = () => SymbolicLinks.TryOpenReadNoLinks(_root, Path.Combine(_root, "jobs", "kind-a", "instance-1", "missing"));
        missing.Should().Throw<FileNotFoundException>();
        var missingDirectory = () => SymbolicLinks.TryOpenReadNoLinks(_root, Path.Combine(_root, "jobs", "kind-b", "instance-1", "job"));
        missingDirectory.Should().Throw<DirectoryNotFoundException>();
    }

    [Test]
    [Platform("Linux")]
    public void TryOpenReadNoLinks_LinkOnTheWay_OpensNothingAndLeavesTheNamingToFindBelow()
    {
        SymbolicLinks.OpenAt2Enabled = true;
        Directory.CreateDirectory(Path.Combine(_outside, "instance-1"));
        File.WriteAllText(Path.Combine(_outside, "instance-1", "job"), "outside");
        Directory.CreateSymbolicLink(Path.Combine(_root, "jobs", "kind-c"), _outside);
        string through = Path.Combine(_root, "jobs", "kind-c", "instance-1", "job");

        SymbolicLinks.TryOpenReadNoLinks(_root, through).Should().BeNull("the kernel refused the link; the file outside is not opened");
        SymbolicLinks.FindBelow(_root, through).Should().Be(Path.Combine(_root, "jobs", "kind-c"));
    }

    [Test]
    [Platform("Linux")]
    public void TryOpenReadNoLinks_BelowARootReachedThroughALink_LeavesItToTheWalk()
    {
        SymbolicLinks.OpenAt2Enabled = true;
        string linkedRoot = Path.Combine(_outside, "root-link");
        Directory.CreateSymbolicLink(linkedRoot, _root);
        string record = Path.Combine(linkedRoot, "jobs", "kind-a", "instance-1", "job");

        SymbolicLinks.TryOpenReadNoLinks(linkedRoot, record).Should().BeNull("openat2 refuses the link above the root");
        SymbolicLinks.FindBelow(linkedRoot, record).Should().BeNull("a link above the root is the user's choice");
        SymbolicLinks.TryOpenReadNoLinks(Path.GetDirectoryName(record)!, record).Should().BeNull("once the root is known to be linked, paths below it skip openat2");
    }
}
