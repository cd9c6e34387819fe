using Toil.Runtime.IO;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Tests.IO;

[CancelAfter(60_000)]
public sealed class UnlockedFileTests
{
    private string _dir = null!;
    private bool _statx;

    [SetUp]
    public void SetUp()
    {
        _statx = UnlockedFile.StatxEnabled;
        _dir = Path.Combine(Path.GetTempPath(), "toil-unlocked-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown()
    {
        UnlockedFile.StatxEnabled = _statx;
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void OpenRead_WhileOpen_TakesNoAdvisoryLockAnExclusiveOpenerWouldMeet()
    {
        string path = Path.Combine(_dir, "record");
        File.WriteAllText(path, "content");
        using var handle = UnlockedFile.OpenRead(path);

        // .NET's own open holds flock(LOCK_SH) for the handle's life, so this FileShare.None open would fail with it.
        var exclusive = () => new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose();

        exclusive.Should().NotThrow();
        byte[] buffer = new byte[16];
        RandomAccess.Read(handle, buffer, 0).Should().Be(7);
    }

    [Test]
    public void OpenRead_Missing_ThrowsWhatDotNetsOpenThrows()
    {
        var missingFile = () => UnlockedFile.OpenRead(Path.Combine(_dir, "none"));
        var missingDirectory = () => UnlockedFile.OpenRead(Path.Combine(_dir, "no-dir", "none"));
        File.WriteAllText(Path.Combine(_dir, "file"), "x");
        var throughAFile = () => UnlockedFile.OpenRead(Path.Combine(_dir, "file", "none"));

        missingFile.Should().Throw<FileNotFoundException>();
        missingDirectory.Should().Throw<DirectoryNotFoundException>();
        throughAFile.Should().Throw<DirectoryNotFoundException>();
    }

    [Test]
    public void OpenRead_Directory_ThrowsUnauthorizedAccess()
    {
        var act = () => UnlockedFile.OpenRead(_dir);

        act.Should().Throw<UnauthorizedAccessException>();
    }

    [Test]
    public void CreateNew_ThenWriteAndSync_WritesTheBytesWithTheModeAndRefusesAnExistingFile()
    {
        string path = Path.Combine(_dir, "temp");
        using (var handle = UnlockedFile.CreateNew(path, AccessModes.GroupFile))
        {
            UnlockedFile.WriteAndSync(handle, "durable"u8, path);
        }

        File.ReadAllText(path).Should().Be("durable");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).Should().Be(AccessModes.GroupFile, "the mode is set again when a umask could narrow it");
        }

        var again = () => UnlockedFile.CreateNew(path, AccessModes.PrivateFile);
        var error = again.Should().Throw<IOException>().Which;
        FileJobStoreRecords.IsAlreadyExists(error).Should().BeTrue();
        error.Message.Should().Contain("File exists", "the error says what happened, as .NET's own open does").And.Contain(path);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void ReadAll_RegularFile_ReadsEveryByte(bool statx)
    {
        UnlockedFile.StatxEnabled = statx;
        string path = Path.Combine(_dir, "record");
        byte[] content = [.. Enumerable.Range(0, 70_000).Select(i => (byte)i)];
        File.WriteAllBytes(path, content);
        using var handle = UnlockedFile.OpenRead(path);

        UnlockedFile.ReadAll(handle, path, maxBytes: 70_000, out long length).Should().Equal(content);
        length.Should().Be(70_000);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void ReadAll_LargerThanTheLimit_ReadsNothingAndGivesTheSize(bool statx)
    {
        UnlockedFile.StatxEnabled = statx;
        string path = Path.Combine(_dir, "record");
        File.WriteAllBytes(path, new byte[4097]);
        using var handle = UnlockedFile.OpenRead(path);

        UnlockedFile.ReadAll(handle, path, maxBytes: 4096, out long length).Should().BeNull();
        length.Should().Be(4097);
    }

    [Test]
    [Platform("Linux")]
    public void ReadAll_DirectoryOpenedForReading_IsRefusedAsADirectory()
    {
        // openat2(O_RDONLY) opens a directory too; the read must not take it for an empty record.
        using var handle = SymbolicLinks.TryOpenReadNoLinks(Path.GetDirectoryName(_dir)!, _dir)
            ?? throw new InconclusiveException("openat2 is not available here");

        var read = () => UnlockedFile.ReadAll(handle, _dir, maxBytes: 1 << 20, out _);

        read.Should().Throw<UnauthorizedAccessException>().WithMessage("*directory*");
    }
}
