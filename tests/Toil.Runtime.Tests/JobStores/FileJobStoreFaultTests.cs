using Microsoft.Extensions.Time.Testing;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>Transient-fault retries (through the fault-injection seam) and bounded visibility waits (on a fake clock).</summary>
[CancelAfter(60_000)]
public sealed class FileJobStoreFaultTests
{
    private FileJobStoreTestDirectory _t = null!;

    [SetUp]
    public void SetUp() => _t = new FileJobStoreTestDirectory();

    [TearDown]
    public void TearDown() => _t.Dispose();

    [Test]
    public async Task UpdateJobAsync_TransientFaultTwice_RetriesAndCommits()
    {
        var faults = new FaultPlan("write-temp", 2, () => new IOException("EIO: input/output error"));
        await using var store = await _t.CreateAsync(o => o.FaultInjector = faults.InjectAsync);
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        faults.Reset();
        var job = await store.LoadJobAsync(id);
        job.UnitName = "after faults";

        await store.UpdateJobAsync(job);

        faults.Calls.Should().Be(3, "two failed attempts and one that worked");
        (await store.LoadJobAsync(id)).UnitName.Should().Be("after faults");
        Directory.GetFiles(store.JobDirectory(id), "*.tmp").Should().BeEmpty();
    }

    [Test]
    public async Task UpdateJobAsync_TransientFaultOutlastingTheRetries_ThrowsAndKeepsTheOldRecord()
    {
        var faults = new FaultPlan("rename", int.MaxValue, () => new IOException("EIO: input/output error"));
        await using var store = await _t.CreateAsync(o => o.TransientRetryAttempts = 2);
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        await using var faulty = await _t.OpenAsync(o =>
        {
            o.TransientRetryAttempts = 2;
            o.FaultInjector = faults.InjectAsync;
        });
        var job = await faulty.LoadJobAsync(id);
        job.UnitName = "never";

        var act = async () => await faulty.UpdateJobAsync(job);

        await act.Should().ThrowAsync<IOException>();
        faults.Calls.Should().Be(3);
        job.Version.Should().Be(1);
        (await store.LoadJobAsync(id)).UnitName.Should().BeEmpty();
        Directory.GetFiles(store.JobDirectory(id), "*.tmp").Should().BeEmpty();
    }

    [Test]
    public async Task UpdateJobAsync_StaleVersion_IsNotRetried()
    {
        var reads = new FaultPlan("read-job", 0, () => new IOException());
        await using var store = await _t.CreateAsync(o => o.FaultInjector = reads.InjectAsync);
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        var stale = await store.LoadJobAsync(id);
        await store.UpdateJobAsync(await store.LoadJobAsync(id));
        reads.Reset();

        var act = async () => await store.UpdateJobAsync(stale);

        await act.Should().ThrowAsync<ConcurrentJobModificationException>();
        reads.Calls.Should().Be(1);
    }

    [Test]
    public async Task LoadJobAsync_NotFoundOrLogicErrors_AreNotRetried()
    {
        var notFound = new FaultPlan("read-job", int.MaxValue, () => new FileNotFoundException("gone"));
        await using var store = await _t.CreateAsync(o => o.FaultInjector = notFound.InjectAsync);
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());

        var load = async () => await store.LoadJobAsync(id);

        await load.Should().ThrowAsync<NoSuchJobException>();
        notFound.Calls.Should().Be(1);

        var logic = new FaultPlan("read-job", int.MaxValue, () => new InvalidJobStoreIdException("x", "injected"));
        await using var other = await _t.OpenAsync(o => o.FaultInjector = logic.InjectAsync);
        var loadOther = async () => await other.LoadJobAsync(id);
        await loadOther.Should().ThrowAsync<InvalidJobStoreIdException>();
        logic.Calls.Should().Be(1);
    }

    [TestCase(typeof(IOException), 5, true)]
    [TestCase(typeof(IOException), 28, true)]
    [TestCase(typeof(IOException), 11, false)]
    [TestCase(typeof(IOException), 17, false)]
    [TestCase(typeof(FileNotFoundException), 2, false)]
    [TestCase(typeof(DirectoryNotFoundException), 2, false)]
    [TestCase(typeof(UnauthorizedAccessException), 13, false)]
    [TestCase(typeof(NoSuchJobException), 0, false)]
    [TestCase(typeof(ConcurrentJobModificationException), 0, false)]
    public void IsTransient_Exception_OnlyGenuineIoErrorsAreRetried(Type type, int hresult, bool expected)
    {
        Exception ex = type == typeof(NoSuchJobException) ? new NoSuchJobException("j")
            : type == typeof(ConcurrentJobModificationException) ? new ConcurrentJobModificationException("j", 1, 2)
            : (Exception)Activator.CreateInstance(type, "x")!;
        ex.HResult = hresult == 0 ? ex.HResult : hresult;

        FileJobStore.IsTransient(ex).Should().Be(expected);
    }

    [Test]
    public async Task UpdateJobAsync_RetryDelay_ComesFromTheTimeProvider()
    {
        var time = new FakeTimeProvider();
        var faults = new FaultPlan("write-temp", 1, () => new IOException("EIO"));
        await using var store = await _t.CreateAsync(o =>
        {
            o.TimeProvider = time;
            o.TransientRetryDelay = TimeSpan.FromMinutes(1);
        });
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        await using var faulty = await _t.OpenAsync(o =>
        {
            o.TimeProvider = time;
            o.TransientRetryDelay = TimeSpan.FromMinutes(1);
            o.FaultInjector = faults.InjectAsync;
        });
        var job = await faulty.LoadJobAsync(id);

        var update = faulty.UpdateJobAsync(job).AsTask();
        await WaitUntilAsync(() => faults.Calls == 1);
        update.IsCompleted.Should().BeFalse("the retry waits for the (fake) delay");
        await AdvanceUntilDoneAsync(time, update, TimeSpan.FromMinutes(1));

        await update;
        faults.Calls.Should().Be(2);
    }

    [Test]
    public async Task LoadJobAsync_RecordAppearsDuringTheVisibilityWait_Loads()
    {
        var time = new FakeTimeProvider();
        await using var store = await _t.CreateAsync(o =>
        {
            o.TimeProvider = time;
            o.VisibilityTimeout = TimeSpan.FromSeconds(30);
        });
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        string record = Path.Combine(_t.StorePath, "jobs", id, "job");
        string hidden = record + ".hidden";
        File.Move(record, hidden);

        var load = store.LoadJobAsync(id).AsTask();
        await Task.Delay(50);
        load.IsCompleted.Should().BeFalse("the record is not visible yet and the clock has not moved");
        File.Move(hidden, record);
        await AdvanceUntilDoneAsync(time, load, TimeSpan.FromMilliseconds(100));

        (await load).JobStoreId.Should().Be(id);
    }

    [Test]
    public async Task LoadJobAsync_RecordNeverAppears_ThrowsNoSuchJobOnceTheVisibilityTimeoutPasses()
    {
        var time = new FakeTimeProvider();
        await using var store = await _t.CreateAsync(o =>
        {
            o.TimeProvider = time;
            o.VisibilityTimeout = TimeSpan.FromSeconds(30);
        });
        var job = FileJobStoreTestDirectory.NewJob();
        string id = await store.AssignJobIdAsync(job);
        long start = time.GetTimestamp();

        var load = store.LoadJobAsync(id).AsTask();
        await AdvanceUntilDoneAsync(time, load, TimeSpan.FromMilliseconds(500));

        await load.Invoking(t => t).Should().ThrowAsync<NoSuchJobException>();
        time.GetElapsedTime(start).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(30)).And.BeLessThan(TimeSpan.FromSeconds(45), "the wait is bounded by the timeout (plus the test's coarse clock steps)");
    }

    [Test]
    public async Task ReadLogsAsync_ClockThatDoesNotMove_StillDeliversInWriteOrder()
    {
        await using var store = await _t.CreateAsync(o => o.TimeProvider = new FakeTimeProvider());
        var written = Enumerable.Range(0, 20).Select(i => $"message {i}").ToList();
        foreach (string m in written)
        {
            await store.WriteLogsAsync(m);
        }

        var seen = new List<string>();
        await store.ReadLogsAsync(async (s, ct) =>
        {
            using var reader = new StreamReader(s, leaveOpen: true);
            seen.Add(await reader.ReadToEndAsync(ct));
        });

        seen.Should().Equal(written);
    }

    private static async Task AdvanceUntilDoneAsync(FakeTimeProvider time, Task task, TimeSpan step)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!task.IsCompleted)
        {
            time.Advance(step);
            await Task.WhenAny(task, Task.Delay(5, bound.Token));
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(5, bound.Token);
        }
    }

    /// <summary>Throws <c>make()</c> on the first <c>failures</c> calls of <c>step</c>, and counts that step's calls.</summary>
    [Test]
    public async Task CreateJobsAsync_OneRecordFailsForGood_ThrowsAndOnlyTheWrittenJobsExistWithTheirVersionsMoved()
    {
        // The batch writes several records at once (docs/decisions.md#batch-creation): the sixth temp-file write fails
        // with an error that is not retried, whichever record it belongs to.
        int calls = 0;
        await using var store = await _t.CreateAsync(o => o.FaultInjector = step =>
            step == "write-temp" && Interlocked.Increment(ref calls) == 6 ? ValueTask.FromException(new UnauthorizedAccessException("injected")) : ValueTask.CompletedTask);
        var jobs = new List<Toil.Runtime.Jobs.JobDescription>();
        for (int i = 0; i < 24; i++)
        {
            var job = FileJobStoreTestDirectory.NewJob("batch");
            await store.AssignJobIdAsync(job);
            jobs.Add(job);
        }

        var act = async () => await store.CreateJobsAsync(jobs);

        await act.Should().ThrowAsync<UnauthorizedAccessException>();
        foreach (var job in jobs)
        {
            bool exists = await store.JobExistsAsync(job.JobStoreId);
            job.Version.Should().Be(exists ? 1 : 0, "a written job's version moved, an unwritten one's did not ({0})", job.JobStoreId);
            if (exists)
            {
                (await store.LoadJobAsync(job.JobStoreId)).Version.Should().Be(1);
            }

            Directory.GetFiles(store.JobDirectory(job.JobStoreId), "*.tmp").Should().BeEmpty();
        }

        (await store.ListJobsAsync().CountAsync()).Should().BeLessThan(jobs.Count, "the record whose write failed was not written");
    }

    [Test]
    public async Task CreateJobsAsync_CancelledAfterTheRecordIsRenamed_TheJobExistsAndItsVersionMoved()
    {
        // The rename is the creation's commit point; the directory's sync after it only makes it durable. A cancellation
        // that lands between the two (as one record's failure cancels the rest of its batch) must not leave the caller
        // with version 0 for a job the store holds as version 1.
        using var cancel = new CancelAtStep("fsync-directory");
        await using var store = await _t.CreateAsync(o => o.FaultInjector = cancel.InjectAsync);
        var job = FileJobStoreTestDirectory.NewJob();
        await store.AssignJobIdAsync(job);
        cancel.Armed = true;

        var act = async () => await store.CreateJobsAsync([job], cancel.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        (await store.JobExistsAsync(job.JobStoreId)).Should().BeTrue("the record was renamed into place before the cancellation");
        job.Version.Should().Be(1, "the caller's version is the stored one");
        (await store.LoadJobAsync(job.JobStoreId)).Version.Should().Be(1);
        job.UnitName = "updated";
        await store.UpdateJobAsync(job);
        (await store.LoadJobAsync(job.JobStoreId)).Version.Should().Be(2, "the caller can go on updating the job");
    }

    [Test]
    public async Task CreateJobsAsync_BatchCancelledAfterSomeRenames_EachJobsVersionMatchesTheStore()
    {
        using var cancel = new CancelAtStep("fsync-directory");
        await using var store = await _t.CreateAsync(o => o.FaultInjector = cancel.InjectAsync);
        var jobs = new List<Toil.Runtime.Jobs.JobDescription>();
        for (int i = 0; i < 24; i++)
        {
            var job = FileJobStoreTestDirectory.NewJob("batch");
            await store.AssignJobIdAsync(job);
            jobs.Add(job);
        }

        cancel.Armed = true;

        var act = async () => await store.CreateJobsAsync(jobs, cancel.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        int created = 0;
        foreach (var job in jobs)
        {
            bool exists = await store.JobExistsAsync(job.JobStoreId);
            created += exists ? 1 : 0;
            job.Version.Should().Be(exists ? 1 : 0, "a renamed record's job has version 1, an unwritten one's 0 ({0})", job.JobStoreId);
            Directory.GetFiles(store.JobDirectory(job.JobStoreId), "*.tmp").Should().BeEmpty();
        }

        created.Should().BeGreaterThan(0, "the first record's rename came before the cancellation");
        created.Should().BeLessThan(jobs.Count, "records not yet started when the batch was cancelled were not written");
    }

    [Test]
    public async Task UpdateJobAsync_CancelledAfterTheRecordIsReplaced_TheCallersVersionMovedWithTheRecord()
    {
        using var cancel = new CancelAtStep("fsync-directory");
        await using var store = await _t.CreateAsync(o => o.FaultInjector = cancel.InjectAsync);
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        var job = await store.LoadJobAsync(id);
        job.UnitName = "replaced";
        cancel.Armed = true;

        var act = async () => await store.UpdateJobAsync(job, cancel.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        cancel.Armed = false;
        var stored = await store.LoadJobAsync(id);
        stored.UnitName.Should().Be("replaced", "the rename happened before the cancellation");
        job.Version.Should().Be(stored.Version).And.Be(2);
        job.UnitName = "again";
        await store.UpdateJobAsync(job);
        (await store.LoadJobAsync(id)).UnitName.Should().Be("again", "the next update is not refused as a concurrent one");
    }

    /// <summary>Once armed, cancels <see cref="Token"/> when the store reaches <c>step</c> (the step's own action still runs).</summary>
    private sealed class CancelAtStep(string step) : IDisposable
    {
        private readonly CancellationTokenSource _cancel = new();

        public bool Armed { get; set; }

        public CancellationToken Token => _cancel.Token;

        public ValueTask InjectAsync(string name)
        {
            if (Armed && name == step)
            {
                _cancel.Cancel();
            }

            return ValueTask.CompletedTask;
        }

        public void Dispose() => _cancel.Dispose();
    }

    private sealed class FaultPlan(string step, int failures, Func<Exception> make)
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public void Reset() => Interlocked.Exchange(ref _calls, 0);

        public ValueTask InjectAsync(string name)
        {
            if (name != step)
            {
                return ValueTask.CompletedTask;
            }

            int n = Interlocked.Increment(ref _calls);
            return n <= failures ? ValueTask.FromException(make()) : ValueTask.CompletedTask;
        }
    }

    [Test]
    public async Task DeleteJobAsync_FileWithoutCleanupWrittenAfterTheListing_SurvivesTheJob()
    {
        // The job's files directory holds only cleanup files when it is listed, so the whole directory is moved; a file
        // a concurrent writer adds before the move must be put back, since files without cleanup outlive their job.
        FileJobStore? store = null;
        string? raced = null;
        string id = null!;
        await using var writer = await _t.CreateAsync();
        store = await _t.OpenAsync(o => o.FaultInjector = async step =>
        {
            if (step == "move-to-trash" && raced is null)
            {
                raced = "pending";
                raced = await writer.WriteFileAsync((s, ct) => s.WriteAsync("outlives"u8.ToArray(), ct), id, cleanup: false);
            }
        });
        await using (store)
        {
            id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
            string body = await store.WriteFileAsync((s, ct) => s.WriteAsync("body"u8.ToArray(), ct), id, cleanup: true);

            await store.DeleteJobAsync(id);

            (await store.JobExistsAsync(id)).Should().BeFalse();
            (await store.FileExistsAsync(body)).Should().BeFalse("cleanup files go with the job");
            raced.Should().StartWith("job-files/");
            (await store.FileExistsAsync(raced!)).Should().BeTrue("a file without cleanup outlives its job, even one written during the delete");
        }
    }

    [Test]
    public async Task DeleteJobsAsync_JobsWithOnlyCleanupFiles_LeaveNoDirectoryBehind()
    {
        await using var store = await _t.CreateAsync();
        List<string> ids = [];
        for (int i = 0; i < 3; i++)
        {
            string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
            await store.WriteFileAsync((s, ct) => s.WriteAsync("body"u8.ToArray(), ct), id, cleanup: true);
            ids.Add(id);
        }

        await store.DeleteJobsAsync(ids);

        Directory.EnumerateDirectories(Path.Combine(_t.StorePath, "job-files"), "instance-*", SearchOption.AllDirectories)
            .Should().BeEmpty("a job's files directory that held only cleanup files goes with the job");
    }
}
