using Microsoft.Extensions.Logging.Abstractions;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

public sealed class RunFinishTests
{
    private string _workDir = null!;

    [SetUp]
    public void SetUp() => _workDir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "toil-runfinish-" + Guid.NewGuid().ToString("N"))).FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_workDir, recursive: true);

    [TestCase(false, 0, 0)]
    [TestCase(false, 5, 0)]
    [TestCase(true, 0, 1)]
    [TestCase(true, 3, 3)]
    public void ExitCode_Outcome_IsTheWorkerExitCode(bool failed, int requested, int expected) =>
        RunFinish.ExitCode(failed, requested).Should().Be(expected);

    [TestCase(CleanWorkDirPolicy.Always, false, true)]
    [TestCase(CleanWorkDirPolicy.Always, true, true)]
    [TestCase(CleanWorkDirPolicy.OnSuccess, false, true)]
    [TestCase(CleanWorkDirPolicy.OnSuccess, true, false)]
    [TestCase(CleanWorkDirPolicy.OnError, false, false)]
    [TestCase(CleanWorkDirPolicy.OnError, true, true)]
    [TestCase(CleanWorkDirPolicy.Never, true, false)]
    public void CleanWorkDirectory_Policy_RemovesTheRunsDirectoryOnlyWhenItSaysSo(CleanWorkDirPolicy policy, bool failed, bool removed)
    {
        var dirs = CreateDirectories(requestedTemp: null);
        File.WriteAllText(Path.Combine(dirs.TempDirectory, "worker_log.txt"), "log");

        RunFinish.CleanWorkDirectory(dirs, policy, failed, NullLogger.Instance).Should().Be(removed);

        Directory.Exists(dirs.TempDirectory).Should().Be(!removed);
    }

    /// <summary>
    /// An in-process run that never needed its directory has nothing to clean (it never made one); a policy that keeps
    /// the directory still finds none here, since RunFinish makes a kept one itself (RunAsync tests).
    /// </summary>
    [TestCase(CleanWorkDirPolicy.Always, false)]
    [TestCase(CleanWorkDirPolicy.OnError, true)]
    public void CleanWorkDirectory_RunsDirectoryNeverNeeded_CleansWithoutMakingIt(CleanWorkDirPolicy policy, bool failed)
    {
        using var dirs = CreateLazyDirectories(requestedTemp: null);

        RunFinish.CleanWorkDirectory(dirs, policy, failed, NullLogger.Instance).Should().BeTrue();

        dirs.TempDirectoryMade.Should().BeFalse();
        Directory.Exists(dirs.TempDirectory).Should().BeFalse();
    }

    [Test]
    public void CleanWorkDirectory_DirectoryTheCallerGave_EmptiesItButKeepsIt()
    {
        string given = Directory.CreateDirectory(Path.Combine(_workDir, "given")).FullName;
        var dirs = CreateDirectories(given);
        File.WriteAllText(Path.Combine(given, "file"), "x");
        Directory.CreateDirectory(Path.Combine(given, "job", "nested"));

        RunFinish.CleanWorkDirectory(dirs, CleanWorkDirPolicy.Always, failed: false, NullLogger.Instance).Should().BeTrue();

        Directory.Exists(given).Should().BeTrue();
        Directory.EnumerateFileSystemEntries(given).Should().BeEmpty();
    }

    [Test]
    public async Task DeleteFinishedRecordsAsync_SubtreeDone_DeletesEveryRecordOfTheChain()
    {
        await using var store = new InMemoryJobStore();
        var (job, chainedIn) = await ChainAsync(store);

        (await RunFinish.DeleteFinishedRecordsAsync(store, job, failed: false, NullLogger.Instance, job.JobStoreId)).Should().BeTrue();

        (await store.JobExistsAsync(job.JobStoreId)).Should().BeFalse();
        (await store.JobExistsAsync(chainedIn[0])).Should().BeFalse();
        (await store.JobExistsAsync(chainedIn[1])).Should().BeFalse();
    }

    [Test]
    public async Task DeleteFinishedRecordsAsync_FailedWithTheBodyAttached_KeepsTheIssuedRecordAndTheFailedJobsOwn()
    {
        await using var store = new InMemoryJobStore();
        var (job, chainedIn) = await ChainAsync(store);
        job.AttachBody(new JobBody("failed", "body-file"));

        (await RunFinish.DeleteFinishedRecordsAsync(store, job, failed: true, NullLogger.Instance, job.JobStoreId)).Should().BeFalse();

        (await store.JobExistsAsync(job.JobStoreId)).Should().BeTrue("the issued ID stays for the leader");
        (await store.JobExistsAsync(chainedIn[0])).Should().BeFalse("its body ran and its completion was recorded");
        (await store.JobExistsAsync(chainedIn[1])).Should().BeTrue("the failed job's body file is stored under its record");
    }

    /// <summary>
    /// The clean-up of a run's own directory removes the liveness file last: a run killed after its files went leaves a
    /// directory whose unlocked liveness file says "killed" (a batch system's clean-up removes it), never a log without a
    /// liveness file, which looks kept on purpose and would stay (a chaos campaign with a warm pool found one).
    /// </summary>
    [Test]
    public void RemoveContents_KeepingLivenessRunKilledRightAfter_TheDirectoryIsTakenForAKilledWorkers()
    {
        var dirs = CreateDirectories(requestedTemp: null);
        File.WriteAllText(Path.Combine(dirs.TempDirectory, "worker_log.txt"), "log");
        Directory.CreateDirectory(Path.Combine(dirs.TempDirectory, "job"));
        File.WriteAllText(Path.Combine(dirs.TempDirectory, "job", "scratch"), "x");

        RunFinish.RemoveContents(dirs.TempDirectory, keepLiveness: true);
        dirs.Dispose(); // as a kill: the lock goes with the process, the file stays

        Directory.EnumerateFileSystemEntries(dirs.TempDirectory).Select(Path.GetFileName).Should().Equal(WorkerDirectories.LivenessFileName);
        WorkerDirectories.ProbeLiveness(dirs.TempDirectory).Should().Be(WorkerDirectories.Liveness.Ended);
    }

    /// <summary>An in-process run whose job asked for local disk, so its own directory exists (or the caller's).</summary>
    private WorkerDirectories CreateDirectories(string? requestedTemp)
    {
        var dirs = CreateLazyDirectories(requestedTemp);
        dirs.EnsureTempDirectory();
        return dirs;
    }

    private WorkerDirectories CreateLazyDirectories(string? requestedTemp) =>
        WorkerDirectories.Create(new WorkerOptions { WorkDir = _workDir, CoordinationDir = Path.Combine(_workDir, "coord") }, "wf", requestedTemp, nameProcess: false);

    /// <summary>The issued job after two jobs chained into it: merged names [issued, first chained, last chained].</summary>
    private static async Task<(JobDescription Job, List<string> ChainedIn)> ChainAsync(InMemoryJobStore store)
    {
        var issued = await CreateAsync(store, "issued");
        var first = await CreateAsync(store, "first");
        var last = await CreateAsync(store, "last");
        issued.MergedJobNames.AddRange([issued.GetNames(), first.GetNames(), last.GetNames()]);
        return (issued, [first.JobStoreId, last.JobStoreId]);
    }

    private static async Task<JobDescription> CreateAsync(InMemoryJobStore store, string name)
    {
        var job = new JobDescription(name);
        await store.AssignJobIdAsync(job);
        await store.CreateJobsAsync([job]);
        return job;
    }
}
