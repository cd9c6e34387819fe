using Toil.Runtime.IO;
using Toil.Runtime.JobStores;
using Toil.Runtime.Testing.Time;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>The per-job locks of a file job store, on their own, on a fake clock.</summary>
[CancelAfter(60_000)]
public sealed class FileJobStoreLocksTests
{
    private const string JobId = "kind-a/instance-0123456789abcdef0123456789abcdef";
    private FileJobStoreTestDirectory _t = null!;
    private FileJobStoreLayout _layout = null!;

    [SetUp]
    public void SetUp()
    {
        _t = new FileJobStoreTestDirectory();
        _layout = new FileJobStoreLayout(_t.StorePath);
        Directory.CreateDirectory(_layout.JobDirectory(JobId));
        Directory.CreateDirectory(Path.Combine(_t.StorePath, "tmp"));
    }

    [TearDown]
    public void TearDown() => _t.Dispose();

    [Test]
    public async Task LockJobAsync_HeldByAnotherProcessLongerThanTheTimeout_ThrowsLockTimeoutAtTheTimeout()
    {
        var time = new SteppingClock();
        var locks = new FileJobStoreLocks(_layout, time, TimeSpan.FromSeconds(1), AccessModes.PrivateFile, beforeAttempt: null);

        // Another store instance (or process): only the OS lock stands in the way, not this instance's stripe.
        using var other = FileJobStoreDirectoryLock.TryLock(_layout.JobDirectory(JobId))!;
        long start = time.GetTimestamp();
        var run = locks.LockJobAsync(JobId, CancellationToken.None).AsTask();
        var waited = await time.RunAsync(run);

        var act = () => run;
        (await act.Should().ThrowAsync<JobStoreLockTimeoutException>()).Which.Message.Should().Contain(JobId);
        time.GetElapsedTime(start).Should().Be(TimeSpan.FromSeconds(1));
        waited.Should().OnlyContain(d => d <= TimeSpan.FromMilliseconds(50));
        waited.Take(3).Select(d => d.TotalMilliseconds).Should().Equal(1, 2, 4);
    }

    [Test]
    public async Task LockJobAsync_TwoCallersInOneInstance_SecondWaitsForTheFirst()
    {
        var locks = new FileJobStoreLocks(_layout, TimeProvider.System, TimeSpan.FromSeconds(30), AccessModes.PrivateFile, beforeAttempt: null);
        var first = await locks.LockJobAsync(JobId, CancellationToken.None);

        var second = locks.LockJobAsync(JobId, CancellationToken.None).AsTask();
        await Task.Delay(50);
        second.IsCompleted.Should().BeFalse("the first holder has not released the lock");
        first.Dispose();

        using var taken = await second;
        Directory.GetFileSystemEntries(_layout.JobDirectory(JobId)).Should().BeEmpty("the directory itself is the lock: no lock file");
    }

    [Test]
    public async Task LockJobAsync_JobDirectoryMissing_ThrowsDirectoryNotFoundAndReleasesTheStripe()
    {
        var locks = new FileJobStoreLocks(_layout, TimeProvider.System, TimeSpan.FromSeconds(30), AccessModes.PrivateFile, beforeAttempt: null);
        const string missing = "kind-a/instance-ffffffffffffffffffffffffffffffff";

        var act = async () => await locks.LockJobAsync(missing, CancellationToken.None);

        await act.Should().ThrowAsync<DirectoryNotFoundException>();
        Directory.CreateDirectory(_layout.JobDirectory(missing));
        using var taken = await locks.LockJobAsync(missing, CancellationToken.None);
    }

    [Test]
    public void EnsureEnforced_LocalDisk_DoesNotThrowAndLeavesNoProbe()
    {
        var locks = new FileJobStoreLocks(_layout, TimeProvider.System, TimeSpan.FromSeconds(30), AccessModes.PrivateFile, beforeAttempt: null);

        locks.EnsureEnforced();

        Directory.GetFileSystemEntries(Path.Combine(_t.StorePath, "tmp")).Should().BeEmpty();
    }
}
