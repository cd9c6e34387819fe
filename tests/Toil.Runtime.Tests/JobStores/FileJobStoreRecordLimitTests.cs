using Microsoft.Extensions.Options;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>
/// The bound on a job record (<see cref="FileJobStoreOptions.MaxJobRecordBytes"/>): a record beyond it, or one that
/// cannot be read whole, is <see cref="CorruptJobRecordException"/> naming the job, and the retry pipeline never retries
/// it. Oversized records are sparse files (<see cref="FileStream.SetLength"/>), so the tests cost no disk.
/// </summary>
[CancelAfter(60_000)]
public sealed class FileJobStoreRecordLimitTests
{
    private FileJobStoreTestDirectory _t = null!;

    [SetUp]
    public void SetUp() => _t = new FileJobStoreTestDirectory();

    [TearDown]
    public void TearDown() => _t.Dispose();

    [TestCase(FileJobStoreOptions.DefaultMaxJobRecordBytes + 1L)]
    [TestCase(3L * 1024 * 1024 * 1024)]
    public async Task LoadJobAsync_RecordLargerThanTheLimit_ThrowsCorruptJobRecordNamingTheJobAndIsNotRetried(long size)
    {
        int reads = 0;
        await using var store = await _t.CreateAsync(o =>
        {
            o.TransientRetryAttempts = 3;
            o.FaultInjector = step =>
            {
                if (step == "read-job")
                {
                    Interlocked.Increment(ref reads);
                }

                return ValueTask.CompletedTask;
            };
        });
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        using (var record = new FileStream(store.JobFile(id), FileMode.Open, FileAccess.Write))
        {
            record.SetLength(size);
        }

        reads = 0;
        var load = async () => await store.LoadJobAsync(id);

        (await load.Should().ThrowAsync<CorruptJobRecordException>()).Which.JobId.Should().Be(id);
        reads.Should().Be(1, "a record over the limit is not a transient error");
        new FileInfo(store.JobFile(id)).Length.Should().Be(size, "a corrupt record is left as it is");
        var listed = async () => await store.ListJobsAsync().ToListAsync();
        await listed.Should().ThrowAsync<CorruptJobRecordException>();
    }

    [Test]
    public async Task UpdateJobAsync_StoredRecordOverTheLimit_ThrowsCorruptJobRecordAndWritesNothing()
    {
        await using var store = await _t.CreateAsync();
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        var job = await store.LoadJobAsync(id);
        using (var record = new FileStream(store.JobFile(id), FileMode.Open, FileAccess.Write))
        {
            record.SetLength(FileJobStoreOptions.DefaultMaxJobRecordBytes + 1L);
        }

        var update = async () => await store.UpdateJobAsync(job);

        (await update.Should().ThrowAsync<CorruptJobRecordException>()).Which.JobId.Should().Be(id);
        new FileInfo(store.JobFile(id)).Length.Should().Be(FileJobStoreOptions.DefaultMaxJobRecordBytes + 1L);
        Directory.GetFiles(store.JobDirectory(id), "*.tmp").Should().BeEmpty();
    }

    [Test]
    public async Task LoadJobAsync_RecordIsADirectory_ThrowsCorruptJobRecordNamingTheJob()
    {
        await using var store = await _t.CreateAsync(o => o.TransientRetryAttempts = 3);
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        File.Delete(store.JobFile(id));
        Directory.CreateDirectory(store.JobFile(id));

        var load = async () => await store.LoadJobAsync(id);

        (await load.Should().ThrowAsync<CorruptJobRecordException>()).Which.JobId.Should().Be(id);
    }

    [Test]
    public async Task LoadJobAsync_LimitLowered_RefusesARecordThatWasWrittenUnderAHigherOne()
    {
        await using var store = await _t.CreateAsync();
        var big = FileJobStoreTestDirectory.NewJob();
        big.UnitName = new string('u', 8000);
        string id = await store.CreateJobAsync(big);
        await using var strict = await _t.OpenAsync(o => o.MaxJobRecordBytes = 4096);

        var load = async () => await strict.LoadJobAsync(id);

        (await load.Should().ThrowAsync<CorruptJobRecordException>()).Which.Reason.Should().Contain("4096");
        (await store.LoadJobAsync(id)).UnitName.Should().HaveLength(8000);
    }

    [Test]
    public async Task CreateAndUpdate_RecordOverTheLimit_ThrowJobStoreExceptionAndWriteNothing()
    {
        await using var store = await _t.CreateAsync(o => o.MaxJobRecordBytes = 4096);
        var big = FileJobStoreTestDirectory.NewJob();
        big.UnitName = new string('u', 8000);
        string bigId = await store.AssignJobIdAsync(big);
        long before = big.Version;

        var create = async () => await store.CreateJobsAsync([big]);

        (await create.Should().ThrowAsync<JobStoreException>()).Which.Should().NotBeOfType<CorruptJobRecordException>();
        big.Version.Should().Be(before, "the caller's version is unchanged");
        File.Exists(store.JobFile(bigId)).Should().BeFalse();

        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        var job = await store.LoadJobAsync(id);
        long version = job.Version;
        job.UnitName = new string('u', 8000);
        var update = async () => await store.UpdateJobAsync(job);

        await update.Should().ThrowAsync<JobStoreException>().WithMessage("*4096*");
        job.Version.Should().Be(version);
        (await store.LoadJobAsync(id)).UnitName.Should().BeEmpty();
        Directory.GetFiles(store.JobDirectory(id), "*.tmp").Should().BeEmpty();
    }

    [TestCase(4095)]
    [TestCase(1024 * 1024 * 1024 + 1)]
    public async Task CreateAsync_MaxJobRecordBytesOutOfRange_ThrowsOptionsValidation(int limit)
    {
        var create = async () => await _t.CreateAsync(o => o.MaxJobRecordBytes = limit);

        (await create.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain(nameof(FileJobStoreOptions.MaxJobRecordBytes));
    }
}
