using Toil.Runtime.IO;
using Toil.Runtime.Testing.Time;

namespace Toil.Runtime.Tests.IO;

[CancelAfter(60_000)]
public sealed class FileLockTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "toil-filelock-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void TryOpen_HeldByAnotherHandle_ReturnsNullThenTheLockOnceReleased()
    {
        string path = Path.Combine(_dir, "a.lock");
        var first = FileLock.Open(path, FileMode.OpenOrCreate, AccessModes.PrivateFile);

        FileLock.TryOpen(path, FileMode.OpenOrCreate, AccessModes.PrivateFile).Should().BeNull();
        first.Dispose();
        using var second = FileLock.TryOpen(path, FileMode.OpenOrCreate, AccessModes.PrivateFile);

        second.Should().NotBeNull();
    }

    [Test]
    public void IsEnforced_FileHeldUnderTheLock_ReturnsTrue()
    {
        string path = Path.Combine(_dir, "probe");
        using var held = FileLock.Open(path, FileMode.CreateNew, AccessModes.PrivateFile);

        FileLock.IsEnforced(path).Should().BeTrue();
    }

    [Test]
    public async Task OpenAsync_HeldForLongerThanTheTimeout_ThrowsContentionAfterBackingOffToTheTimeout()
    {
        string path = Path.Combine(_dir, "b.lock");
        using var held = FileLock.Open(path, FileMode.OpenOrCreate, AccessModes.PrivateFile);
        var time = new SteppingClock();
        var wait = FileLock.ContentionWait(time, TimeSpan.FromMilliseconds(200));
        long start = time.GetTimestamp();
        int attempts = 0;

        var run = FileLock.OpenAsync(path, FileMode.OpenOrCreate, AccessModes.PrivateFile, wait, start, () => { attempts++; return ValueTask.CompletedTask; }, CancellationToken.None).AsTask();
        var delays = await time.RunAsync(run);

        var act = () => run;
        (await act.Should().ThrowAsync<IOException>()).Which.Should().Match<IOException>(e => FileLock.IsContention(e));
        delays.Select(d => d.TotalMilliseconds).Should().Equal(1, 2, 4, 8, 16, 32, 50, 50, 37);
        time.GetElapsedTime(start).Should().Be(TimeSpan.FromMilliseconds(200));
    }

    [Test]
    public async Task OpenAsync_ReleasedWhileWaiting_TakesTheLock()
    {
        string path = Path.Combine(_dir, "c.lock");
        var held = FileLock.Open(path, FileMode.OpenOrCreate, AccessModes.PrivateFile);
        var time = new SteppingClock();
        var wait = FileLock.ContentionWait(time, TimeSpan.FromSeconds(30));
        int attempts = 0;

        var run = FileLock.OpenAsync(path, FileMode.OpenOrCreate, AccessModes.PrivateFile, wait, time.GetTimestamp(), () =>
        {
            if (++attempts == 3)
            {
                held.Dispose();
            }

            return ValueTask.CompletedTask;
        }, CancellationToken.None).AsTask();
        await time.RunAsync(run);

        using var taken = await run;
        attempts.Should().Be(3);
    }
}
