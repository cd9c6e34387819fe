using Microsoft.Extensions.Logging.Abstractions;
using Toil.Runtime.JobStores;
using Toil.Runtime.Testing.Time;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>The record read/write of a file job store, on its own: durable replacement, the size cap, the retries.</summary>
[CancelAfter(60_000)]
public sealed class FileJobStoreRecordsTests
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
    }

    [TearDown]
    public void TearDown() => _t.Dispose();

    private FileJobStoreRecords Records(Action<FileJobStoreOptions>? configure = null) =>
        new(_layout, _t.Options(configure), UnixFileMode.UserRead | UnixFileMode.UserWrite, NullLogger.Instance);

    [Test]
    public async Task ReplaceAsync_ExistingRecord_ReplacesItAndLeavesNoTempFile()
    {
        var records = Records();
        string target = _layout.JobFile(JobId);
        await File.WriteAllTextAsync(target, "old");

        await records.ReplaceAsync(target, "new"u8.ToArray(), overwrite: true, CancellationToken.None);

        (await File.ReadAllTextAsync(target)).Should().Be("new");
        Directory.GetFiles(_layout.JobDirectory(JobId)).Select(Path.GetFileName).Should().Equal("job");
    }

    [Test]
    public async Task ReplaceAsync_TargetExistsWithoutOverwrite_ThrowsAndKeepsItAndLeavesNoTempFile()
    {
        var records = Records();
        string target = _layout.JobFile(JobId);
        await File.WriteAllTextAsync(target, "old");

        var act = async () => await records.ReplaceAsync(target, "new"u8.ToArray(), overwrite: false, CancellationToken.None);

        await act.Should().ThrowAsync<JobStoreException>().WithMessage("*already exists*");
        (await File.ReadAllTextAsync(target)).Should().Be("old");
        Directory.GetFiles(_layout.JobDirectory(JobId)).Select(Path.GetFileName).Should().Equal("job");
    }

    [Test]
    public void CheckRecordSize_RecordOverTheCap_ThrowsNamingTheOption()
    {
        var records = Records(o => o.MaxJobRecordBytes = 4096);

        records.CheckRecordSize(JobId, new byte[4096]).Should().HaveCount(4096);
        var act = () => records.CheckRecordSize(JobId, new byte[4097]);

        act.Should().Throw<JobStoreException>().WithMessage("*MaxJobRecordBytes*");
    }

    [Test]
    public async Task ReadJobRecord_RecordOverTheCap_ThrowsCorrupt()
    {
        var records = Records(o => o.MaxJobRecordBytes = 4096);
        await File.WriteAllBytesAsync(_layout.JobFile(JobId), new byte[4097]);

        var act = () => records.ReadJobRecord(_layout.JobFile(JobId), JobId, underLock: false);

        act.Should().Throw<CorruptJobRecordException>().WithMessage("*4097 bytes*");
    }

    [Test]
    public async Task WhenVisibleAsync_NeverVisible_PollsBackingOffAndGivesUpAtTheVisibilityTimeout()
    {
        var time = new SteppingClock();
        var records = Records(o =>
        {
            o.TimeProvider = time;
            o.VisibilityTimeout = TimeSpan.FromSeconds(3);
            o.VisibilityPollInterval = TimeSpan.FromMilliseconds(100);
        });
        long start = time.GetTimestamp();

        var run = records.WhenVisibleAsync<int>("job", () => throw new FileNotFoundException("not yet"), CancellationToken.None).AsTask();
        var waited = await time.RunAsync(run);

        var act = () => run;
        await act.Should().ThrowAsync<FileNotFoundException>();
        waited.Select(d => d.TotalMilliseconds).Should().Equal(100, 200, 400, 800, 1000, 500);
        time.GetElapsedTime(start).Should().Be(TimeSpan.FromSeconds(3));
    }

    [Test]
    public async Task IoAsync_TransientErrorsUpToTheAttempts_RetriesThenSucceeds()
    {
        var records = Records(o => o.TransientRetryAttempts = 3);
        int calls = 0;

        int result = await records.IoAsync("step", () => ++calls < 4 ? throw new IOException("EIO") : calls, CancellationToken.None);

        result.Should().Be(4);
    }

    [Test]
    public async Task IoAsync_TransientErrorsBeyondTheAttempts_Throws()
    {
        var records = Records(o => o.TransientRetryAttempts = 2);
        int calls = 0;

        var act = async () => await records.IoAsync<int>("step", () => { calls++; throw new IOException("EIO"); }, CancellationToken.None);

        await act.Should().ThrowAsync<IOException>();
        calls.Should().Be(3);
    }
}
