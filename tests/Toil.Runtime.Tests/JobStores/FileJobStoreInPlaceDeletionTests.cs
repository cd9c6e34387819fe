using Toil.Runtime.JobStores;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>
/// A job whose directory holds only its record is deleted in place: the record unlinked under the job's lock, then the
/// directory removed, without a trash directory; anything more in the directory goes through the trash
/// (docs/decisions.md#in-place-deletion). The steps are observed through the store's fault injector.
/// </summary>
public sealed class FileJobStoreInPlaceDeletionTests
{
    private FileJobStoreTestDirectory _t = null!;

    [SetUp]
    public void SetUp() => _t = new FileJobStoreTestDirectory();

    [TearDown]
    public void TearDown() => _t.Dispose();

    [Test]
    public async Task DeleteJobsAsync_RecordOnly_UnlinksAndRemovesTheDirectoryWithoutTheTrash()
    {
        var steps = new List<string>();
        await using var store = await _t.CreateAsync(o => o.FaultInjector = step => Record(steps, step));
        string[] ids = [await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob()), await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob())];
        steps.Clear();

        await store.DeleteJobsAsync(ids);

        foreach (string id in ids)
        {
            (await store.JobExistsAsync(id)).Should().BeFalse();
            Directory.Exists(Path.Combine(_t.StorePath, "jobs", id)).Should().BeFalse("the empty directory is removed");
        }

        steps.Should().NotContain("move-to-trash", "a directory that held only its record is not renamed into the trash");
        steps.Count(s => s == "delete-record").Should().Be(2);
        steps.Count(s => s == "remove-job-directory").Should().Be(2);
        steps.Count(s => s == "fsync-directory").Should().Be(1, "the kind's directory is synced once for the batch, which makes both deletions durable");
        Directory.EnumerateFileSystemEntries(Path.Combine(_t.StorePath, "tmp")).Should().BeEmpty("no trash was made");
    }

    [Test]
    public async Task DeleteJobAsync_DirectoryHoldsACleanupFile_MovesWhatIsLeftIntoTheTrash()
    {
        var steps = new List<string>();
        await using var store = await _t.CreateAsync(o => o.FaultInjector = step => Record(steps, step));
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        string file = await store.WriteFileAsync((s, ct) => s.WriteAsync("cleanup"u8.ToArray(), ct), id, cleanup: true);
        steps.Clear();

        await store.DeleteJobAsync(id);

        (await store.JobExistsAsync(id)).Should().BeFalse();
        (await store.FileExistsAsync(file)).Should().BeFalse("cleanup files go with their job");
        Directory.Exists(Path.Combine(_t.StorePath, "jobs", id)).Should().BeFalse();
        steps.Should().ContainInOrder("delete-record", "remove-job-directory", "move-to-trash");
        Directory.EnumerateFileSystemEntries(Path.Combine(_t.StorePath, "tmp")).Should().BeEmpty("the trash was deleted after the sync");
    }

    [Test]
    public async Task DeleteJobAsync_StoppedBetweenTheUnlinkAndTheRemoval_LeavesARecordlessDirectoryTheSweepRemoves()
    {
        // A non-transient error at the directory's removal stands for a process killed between the two calls.
        bool fail = true;
        await using var store = await _t.CreateAsync(o => o.FaultInjector = step =>
            fail && step == "remove-job-directory" ? ValueTask.FromException(new InvalidOperationException("stopped")) : ValueTask.CompletedTask);
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        string other = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());

        var delete = async () => await store.DeleteJobAsync(id);
        await delete.Should().ThrowAsync<InvalidOperationException>();

        (await store.JobExistsAsync(id)).Should().BeFalse("the unlinked record is the deletion's commit point");
        Directory.Exists(Path.Combine(_t.StorePath, "jobs", id)).Should().BeTrue("the directory was left behind");
        var listed = new List<string>();
        await foreach (var job in store.ListJobsAsync())
        {
            listed.Add(job.JobStoreId);
        }

        listed.Should().Equal([other], "a directory without a record is no job");
        store.ListUnrecordedJobIds().Should().Equal([id], "it looks like an ID whose creation never finished");

        fail = false;
        (await store.RemoveUnrecordedJobDirectoriesAsync(CancellationToken.None)).Should().Be(1);
        Directory.Exists(Path.Combine(_t.StorePath, "jobs", id)).Should().BeFalse();
        (await store.JobExistsAsync(other)).Should().BeTrue();
    }

    [Test]
    public async Task DeleteJobAsync_ReservedIdWithoutARecord_LeavesItsDirectory()
    {
        await using var store = await _t.CreateAsync();
        var reserved = FileJobStoreTestDirectory.NewJob();
        await store.AssignJobIdAsync(reserved);

        await store.DeleteJobAsync(reserved.JobStoreId);

        Directory.Exists(Path.Combine(_t.StorePath, "jobs", reserved.JobStoreId)).Should().BeTrue("a creation may be in flight in it");
        await store.CreateJobsAsync([reserved]);
        (await store.JobExistsAsync(reserved.JobStoreId)).Should().BeTrue();
    }

    [Test]
    public async Task DeleteJobAsync_WhileAnotherInstanceHoldsTheLock_WaitsAndThenDeletes()
    {
        await using var store = await _t.CreateAsync(o => o.LockTimeout = TimeSpan.FromSeconds(30));
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        var held = FileJobStoreDirectoryLock.TryLock(Path.Combine(_t.StorePath, "jobs", id))!;
        var delete = store.DeleteJobAsync(id).AsTask();
        await Task.Delay(200);
        delete.IsCompleted.Should().BeFalse("the deletion waits for the job's lock");
        (await store.JobExistsAsync(id)).Should().BeTrue();

        held.Dispose();
        await delete.WaitAsync(TimeSpan.FromSeconds(30));
        (await store.JobExistsAsync(id)).Should().BeFalse();
        Directory.Exists(Path.Combine(_t.StorePath, "jobs", id)).Should().BeFalse();
    }

    private static ValueTask Record(List<string> steps, string step)
    {
        lock (steps)
        {
            steps.Add(step);
        }

        return ValueTask.CompletedTask;
    }
}
