using Toil.Runtime.IO;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Tests.IO;

[CancelAfter(60_000)]
public sealed class UnlockedFileTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "toil-unlocked-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

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
}
