using Microsoft.Win32.SafeHandles;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

public sealed class UnixFileDescriptorsTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "toil-fd-tests-" + Guid.NewGuid().ToString("N"))).FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    [Platform("Linux")]
    public void OpenAppend_TwoHandlesOpenedBeforeEitherWrites_EachWriteLandsAtTheEnd()
    {
        // Two processes that opened the same log before either wrote: through a seek-to-the-end open the second write
        // would land over the first; with O_APPEND both lines are kept.
        string path = Path.Combine(_dir, "effects.log");
        using (var first = new SafeFileHandle(UnixFileDescriptors.OpenAppend(path), ownsHandle: true))
        using (var second = new SafeFileHandle(UnixFileDescriptors.OpenAppend(path), ownsHandle: true))
        {
            RandomAccess.Write(first, "first line\n"u8, 0);
            RandomAccess.Write(second, "second\n"u8, 0);
        }

        File.ReadAllText(path).Should().Be("first line\nsecond\n");
    }
}
