using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Toil.Runtime.FileStores;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Stats;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

public sealed class RunStatsTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "toil-runstats-" + Guid.NewGuid().ToString("N"))).FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void BeginJob_PastMaxJobsRunListed_CountsEveryJobButListsOnlyTheFirst()
    {
        using var stats = new RunStats(_dir, recordNames: false, maxJobsRunListed: 2, new FakeTimeProvider(), _ => { });
        var jobs = Enumerable.Range(0, 3).Select(i => Job("j" + i)).ToList();

        foreach (var job in jobs)
        {
            stats.BeginJob(job, job.GetNames());
        }

        stats.JobsRunCount.Should().Be(3);
        stats.JobsRun.Select(n => n.JobName).Should().Equal("j0", "j1");
    }

    [Test]
    public async Task EndJob_StoreDoesNotKnowItsDiskUse_MeasuresTheJobDirectoryAndRecordsTheOutcome()
    {
        await using var store = new InMemoryJobStore();
        var time = new FakeTimeProvider();
        using var stats = new RunStats(_dir, recordNames: false, maxJobsRunListed: 10, time, _ => { });
        var job = Job("measured");
        string jobDir = Directory.CreateDirectory(Path.Combine(_dir, "job")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(jobDir, "out"), new byte[123]);
        var fileStore = new TestFileStore(new FileStoreRequest(store, job, jobDir, _dir, _ => ValueTask.CompletedTask, NullLogger.Instance), new TestFileStoreOptions());
        fileStore.LogToLeader("from the job", Microsoft.Extensions.Logging.LogLevel.Warning);

        var measurement = stats.BeginJob(job, job.GetNames());
        time.Advance(TimeSpan.FromSeconds(2));
        stats.EndJob(measurement, job, fileStore, jobDir, succeeded: false, NullLogger.Instance);
        stats.FinishChain();
        await stats.WriteAsync(store, CancellationToken.None);

        stats.MaxDisk.Should().Be(123);
        var doc = (await ReadStatsAsync(store)).Should().ContainSingle().Subject;
        var record = doc.Jobs.Should().ContainSingle().Subject;
        record.Disk.Should().Be("123");
        record.Succeeded.Should().Be("False");
        record.Time.Should().Be("2");
        record.ClassName.Should().Be(job.DisplayName);
        doc.Workers.LogsToLeader.Should().ContainSingle(m => m.Text == "from the job" && m.Level == 30, "Python's WARNING level is 30");
        doc.Workers.JobsRun.Should().Be(1);
        doc.Workers.Disk.Should().Be("123");
    }

    [Test]
    public async Task EndJob_StoreKnowsItsDiskUse_RecordsItsFigureWithoutMeasuring()
    {
        await using var store = new InMemoryJobStore();
        using var stats = new RunStats(_dir, recordNames: false, maxJobsRunListed: 10, new FakeTimeProvider(), _ => { });
        var job = Job("unmeasured");

        // The store never made its own directory, so it knows it used nothing; another directory full of bytes proves
        // the runner did not look.
        var fileStore = new NonCachingFileStore(store, job, Path.Combine(_dir, "never-made"), NullLogger.Instance, null, localTempMode: null, localTempKnownAbsent: true);
        string other = Directory.CreateDirectory(Path.Combine(_dir, "other")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(other, "big"), new byte[4096]);

        stats.EndJob(stats.BeginJob(job, job.GetNames()), job, fileStore, other, succeeded: true, NullLogger.Instance);

        stats.MaxDisk.Should().Be(0);
    }

    [TestCase(Microsoft.Extensions.Logging.LogLevel.Debug, 10)]
    [TestCase(Microsoft.Extensions.Logging.LogLevel.Information, 20)]
    [TestCase(Microsoft.Extensions.Logging.LogLevel.Critical, 50)]
    public void PythonLevel_DotNetLevel_IsPythonsNumber(Microsoft.Extensions.Logging.LogLevel level, int expected) =>
        RunStats.PythonLevel(level).Should().Be(expected);

    private static JobDescription Job(string name)
    {
        var job = new JobDescription(name);
        job.AssignConfig(new WorkflowConfig());
        return job;
    }

    private static async Task<List<StatsDocument>> ReadStatsAsync(InMemoryJobStore store)
    {
        var docs = new List<StatsDocument>();
        await store.ReadLogsAsync(async (s, ct) =>
        {
            using var m = new MemoryStream();
            await s.CopyToAsync(m, ct);
            docs.Add(StatsDocument.Parse(m.ToArray()));
        });
        return docs;
    }
}
