using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Toil.Runtime.Authoring;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

/// <summary>Pre-run cleanup, checkpoints, cleanWorkDir, stats, deferred functions, environment, chaos.</summary>
[TestFixture]
public sealed class WorkerRunnerLifecycleTests
{
    [Test]
    public async Task RunAsync_BodilessJobWithVanishedSuccessors_DropsAndPersistsThem()
    {
        using var t = new WorkerTestContext();
        string live = await t.AddJobAsync("Live");
        string a = await t.AddJobAsync("A", body: false, setup: j =>
        {
            j.AddChild("kind-gone/instance-ffffffff");
            j.AddChild(live);
            j.AddChild(live + "x");
        });

        var result = await t.RunAsync(a);

        result.ExitCode.Should().Be(0);
        var record = await t.Store.LoadJobAsync(a);
        record.AllSuccessors().Should().Equal(live);
        t.Invoker.Ran.Should().BeEmpty();
    }

    [Test]
    public async Task RunAsync_BodilessJobWhoseSuccessorsAllVanished_IsDeleted()
    {
        using var t = new WorkerTestContext();
        string a = await t.AddJobAsync("A", body: false, setup: j => j.AddFollowOn("kind-gone/instance-ffffffff"));
        var result = await t.RunAsync(a);
        result.SubtreeDeleted.Should().BeTrue();
        (await t.Store.JobExistsAsync(a)).Should().BeFalse();
    }

    [Test]
    public async Task RunAsync_OldFailureLog_IsClearedFromTheRecordThenDeleted()
    {
        using var t = new WorkerTestContext();
        bool recordClearedWhileFileExisted = false;
        string a = await t.AddJobAsync("A");
        string oldLog = await t.Store.WriteFileAsync((s, ct) => s.WriteAsync("old log"u8.ToArray(), ct), a, cleanup: true);
        var job = await t.Store.LoadJobAsync(a);
        job.LogJobStoreFileId = oldLog;
        await t.Store.UpdateJobAsync(job);
        t.Invoker.On("A", async inv =>
        {
            var stored = await inv.JobStore.LoadJobAsync(inv.Job.JobStoreId);
            recordClearedWhileFileExisted = stored.LogJobStoreFileId is null;
        });

        var result = await t.RunAsync(a);

        result.ExitCode.Should().Be(0);
        recordClearedWhileFileExisted.Should().BeTrue("the record is updated before the body runs");
        (await t.Store.FileExistsAsync(oldLog)).Should().BeFalse();
    }

    [Test]
    public async Task RunAsync_CheckpointWithLeftoverSuccessors_ChargesOneTryDeletesTheSubtreeAndRerunsFromTheSnapshot()
    {
        using var t = new WorkerTestContext();
        int runs = 0;
        string? newChild = null;
        t.Invoker.On("Check", async inv =>
        {
            runs++;
            var child = new JobDescription("Child");
            await inv.JobStore.AssignJobIdAsync(child);
            await inv.JobStore.CreateJobsAsync([child]);
            inv.Job.AddChild(newChild = child.JobStoreId);
        });

        // A checkpoint whose first run left a failed child, which has a grandchild.
        string grandchild = await t.AddJobAsync("Grandchild");
        string failedChild = await t.AddJobAsync("Failed", setup: j => j.AddChild(grandchild));
        string check = await t.AddJobAsync("Check", checkpoint: true, setup: j =>
        {
            var cp = (CheckpointJobDescription)j;
            cp.SetCheckpoint();
            cp.DetachBody();
            cp.AddChild(failedChild);
        });
        var before = await t.Store.LoadJobAsync(check);

        var result = await t.RunAsync(check);

        result.ExitCode.Should().Be(0);
        runs.Should().Be(1);
        (await t.Store.JobExistsAsync(failedChild)).Should().BeFalse();
        (await t.Store.JobExistsAsync(grandchild)).Should().BeFalse();
        var after = (CheckpointJobDescription)await t.Store.LoadJobAsync(check);
        after.RemainingTryCount.Should().Be(before.RemainingTryCount - 1);
        after.RetryBackoff.Should().BeGreaterThan(TimeSpan.Zero);
        after.HasBody.Should().BeFalse();
        after.Checkpoint.Should().NotBeNull();
        after.AllSuccessors().Should().Equal(newChild);
    }

    [Test]
    public async Task RunAsync_CompletedCheckpoint_DeletesItsCheckpointFilesAndItself()
    {
        using var t = new WorkerTestContext();
        string promise = await t.Store.WriteFileAsync(new MemoryStream("42"u8.ToArray()));
        string check = await t.AddJobAsync("Check", checkpoint: true, setup: j =>
        {
            var cp = (CheckpointJobDescription)j;
            cp.SetCheckpoint();
            cp.DetachBody();
            cp.CheckpointFilesToDelete.Add(promise);
        });

        var result = await t.RunAsync(check);

        result.SubtreeDeleted.Should().BeTrue();
        (await t.Store.FileExistsAsync(promise)).Should().BeFalse();
    }

    [Test]
    public async Task RunAsync_CheckpointFirstRun_RecordsSnapshotAndConsumedPromisesAndDoesNotChainOut()
    {
        using var t = new WorkerTestContext();
        string child = await t.AddJobAsync("Child");
        t.Invoker.Succeeds("Child");
        t.Invoker.On("Check", (inv, _) =>
        {
            inv.Job.AddChild(child);
            return ValueTask.FromResult(new JobBodyOutcome { ConsumedPromiseFileIds = ["promise-1"] });
        });
        string check = await t.AddJobAsync("Check", checkpoint: true);

        var result = await t.RunAsync(check);

        t.Invoker.Ran.Should().Equal("Check");
        var record = (CheckpointJobDescription)await t.Store.LoadJobAsync(check);
        record.Checkpoint.Should().NotBeNull();
        record.CheckpointFilesToDelete.Should().Equal("promise-1");
        result.SubtreeDeleted.Should().BeFalse();
    }

    [Test]
    public async Task RunAsync_ConsumedPromiseFiles_AreDeletedWithTheCommit()
    {
        using var t = new WorkerTestContext();
        string promise = await t.Store.WriteFileAsync(new MemoryStream("42"u8.ToArray()));
        t.Invoker.On("A", (inv, _) => ValueTask.FromResult(new JobBodyOutcome { ConsumedPromiseFileIds = [promise] }));
        await t.RunAsync(await t.AddJobAsync("A"));
        (await t.Store.FileExistsAsync(promise)).Should().BeFalse();
    }

    // docs/worker-algorithm.md §4 step 7: the state of the worker's directory after each run.
    [TestCase(CleanWorkDirPolicy.Never, false, false)]
    [TestCase(CleanWorkDirPolicy.Always, false, true)]
    [TestCase(CleanWorkDirPolicy.Always, true, true)]
    [TestCase(CleanWorkDirPolicy.OnError, true, true)]
    [TestCase(CleanWorkDirPolicy.OnError, false, false)]
    [TestCase(CleanWorkDirPolicy.OnSuccess, true, false)]
    [TestCase(CleanWorkDirPolicy.OnSuccess, false, true)]
    [TestCase(CleanWorkDirPolicy.Never, true, false)]
    public async Task RunAsync_CleanWorkDirPolicy_RemovesTheTempDirectoryExactlyAsToil(CleanWorkDirPolicy policy, bool fails, bool removed)
    {
        using var t = new WorkerTestContext();
        t.Options.CleanWorkDir = policy;
        string? jobDir = null;
        t.Invoker.On("A", inv =>
        {
            jobDir = inv.FileStore.LocalTempDir;
            File.WriteAllText(Path.Combine(jobDir, "scratch.txt"), "data");
            return fails ? throw new InvalidOperationException("fails") : ValueTask.CompletedTask;
        });

        var result = await t.RunAsync(await t.AddJobAsync("A"));

        result.Failed.Should().Be(fails);
        jobDir.Should().NotBeNull();
        string workerTemp = Path.GetDirectoryName(jobDir)!;
        if (removed)
        {
            Directory.Exists(workerTemp).Should().BeFalse();
            result.RetainedTempDirectory.Should().BeNull();
        }
        else
        {
            result.RetainedTempDirectory.Should().Be(workerTemp);
            File.Exists(Path.Combine(jobDir!, "scratch.txt")).Should().BeTrue();
            File.Exists(Path.Combine(workerTemp, "worker_log.txt")).Should().BeTrue();
        }
    }

    /// <summary>
    /// An in-process run makes its own directory, with its liveness lock, only when something needs it
    /// (docs/decisions.md#lazy-worker-directory): a job that never asks for local disk runs with no worker-* directory
    /// on disk, and one that asks finds its directory inside the run's, locked as a live run's.
    /// </summary>
    [Test]
    public async Task RunAsync_InProcess_TheRunsDirectoryIsMadeOnlyWhenAJobAsksForLocalDisk()
    {
        using var t = new WorkerTestContext();
        t.Options.CleanWorkDir = CleanWorkDirPolicy.Always;
        string[]? duringTrivialJob = null;
        string? jobDir = null;
        WorkerDirectories.Liveness? whileAsking = null;
        t.Invoker.On("Trivial", _ =>
        {
            duringTrivialJob = Directory.GetDirectories(t.WorkDir, "worker-*", SearchOption.AllDirectories);
            return ValueTask.CompletedTask;
        });
        t.Invoker.On("Disk", inv =>
        {
            jobDir = inv.FileStore.LocalTempDir;
            whileAsking = WorkerDirectories.ProbeLiveness(Path.GetDirectoryName(jobDir)!);
            return ValueTask.CompletedTask;
        });

        (await t.RunAsync(await t.AddJobAsync("Trivial"))).Failed.Should().BeFalse();
        (await t.RunAsync(await t.AddJobAsync("Disk"))).Failed.Should().BeFalse();

        duringTrivialJob.Should().BeEmpty("nothing needed the run's directory");
        Path.GetFileName(Path.GetDirectoryName(jobDir)).Should().StartWith("worker-");
        whileAsking.Should().Be(WorkerDirectories.Liveness.Alive);
        Directory.Exists(Path.GetDirectoryName(jobDir)).Should().BeFalse("the clean-up removed it");
        Directory.GetDirectories(t.WorkDir, "toilwf-*", SearchOption.AllDirectories).Should().BeEmpty("a finished in-process run leaves nothing behind");
    }

    /// <summary>A policy that keeps the directory keeps one even when nothing needed it: with the log, not locked.</summary>
    [TestCase(CleanWorkDirPolicy.Never, false)]
    [TestCase(CleanWorkDirPolicy.OnSuccess, true)]
    public async Task RunAsync_InProcessDirectoryNeverNeededButKept_IsMadeWithTheLogAndNoLiveness(CleanWorkDirPolicy policy, bool fails)
    {
        using var t = new WorkerTestContext();
        t.Options.CleanWorkDir = policy;
        t.Invoker.On("A", inv =>
        {
            inv.Logger.LogWarning("a line to keep");
            return fails ? throw new InvalidOperationException("fails") : ValueTask.CompletedTask;
        });

        var result = await t.RunAsync(await t.AddJobAsync("A"));

        result.Failed.Should().Be(fails);
        result.RetainedTempDirectory.Should().NotBeNull();
        Directory.EnumerateFileSystemEntries(result.RetainedTempDirectory!).Select(Path.GetFileName).Should().Equal(WorkerLogFile.FileName);
        File.ReadAllText(Path.Combine(result.RetainedTempDirectory!, WorkerLogFile.FileName)).Should().Contain("a line to keep");
        WorkerDirectories.ProbeLiveness(result.RetainedTempDirectory!).Should().Be(WorkerDirectories.Liveness.NotARun, "kept on purpose");
    }

    /// <summary>A log that outgrows its memory moves into its file, in a directory made for it then, locked as a live run's.</summary>
    [Test]
    public async Task RunAsync_InProcessLogOutgrowsMemory_MovesIntoTheRunsDirectoryMadeThen()
    {
        using var t = new WorkerTestContext();
        t.Options.CleanWorkDir = CleanWorkDirPolicy.Always;
        string[]? before = null;
        string[]? after = null;
        WorkerDirectories.Liveness? liveness = null;
        bool logFileMade = false;
        t.Invoker.On("Loud", inv =>
        {
            before = Directory.GetDirectories(t.WorkDir, "worker-*", SearchOption.AllDirectories);
            string line = new('x', 1000);
            for (int i = 0; i < (WorkerLogFile.MemoryLimit / 1000) + 100; i++)
            {
                inv.Logger.LogWarning("{Line}", line);
            }

            after = Directory.GetDirectories(t.WorkDir, "worker-*", SearchOption.AllDirectories);
            liveness = after.Length == 1 ? WorkerDirectories.ProbeLiveness(after[0]) : null;
            logFileMade = after.Length == 1 && File.Exists(Path.Combine(after[0], WorkerLogFile.FileName));
            return ValueTask.CompletedTask;
        });

        (await t.RunAsync(await t.AddJobAsync("Loud"))).Failed.Should().BeFalse();

        before.Should().BeEmpty();
        after.Should().ContainSingle();
        logFileMade.Should().BeTrue();
        liveness.Should().Be(WorkerDirectories.Liveness.Alive);
        Directory.GetDirectories(t.WorkDir, "toilwf-*", SearchOption.AllDirectories).Should().BeEmpty("the clean-up removed it");
    }

    [Test]
    public async Task RunAsync_CallerGivenTempDirectory_IsEmptiedNotRemoved()
    {
        using var t = new WorkerTestContext();
        t.Options.CleanWorkDir = CleanWorkDirPolicy.Always;
        t.Invoker.Succeeds("A");
        string temp = Path.Combine(t.WorkDir, "mine");
        Directory.CreateDirectory(temp);
        await t.CreateRunner().RunAsync(new WorkerRequest(t.Store, await t.AddJobAsync("A")) { TempDirectory = temp });
        Directory.Exists(temp).Should().BeTrue();
        Directory.EnumerateFileSystemEntries(temp).Should().BeEmpty();
    }

    [TestCase(LogLevel.Information, false, false, false)]
    [TestCase(LogLevel.Debug, false, false, true)]
    [TestCase(LogLevel.Information, true, false, true)]
    [TestCase(LogLevel.Information, true, true, false)]
    public async Task RunAsync_SuccessfulAttempt_SendsTheLogOnlyUnderDebugOrWriteLogsFromAllJobsForNonLocalJobs(LogLevel level, bool allJobs, bool local, bool expectLogs)
    {
        using var t = new WorkerTestContext();
        t.Options.LogLevel = level;
        t.Options.WriteLogsFromAllJobs = allJobs;
        t.Invoker.On("A", inv =>
        {
            inv.Logger.LogWarning("a line from the job");
            return ValueTask.CompletedTask;
        });

        await t.RunAsync(await t.AddJobAsync("A", local: local));

        var stats = (await t.ReadStatsAsync()).Should().ContainSingle().Subject;
        if (expectLogs)
        {
            stats.Logs!.Names.Should().Equal("A");
            stats.Logs.Messages.Should().Contain(m => m.Contains("a line from the job"));
        }
        else
        {
            stats.Logs.Should().BeNull();
        }
    }

    [Test]
    public async Task RunAsync_Stats_HaveToilsShape()
    {
        using var t = new WorkerTestContext();
        t.Invoker.On("A", inv =>
        {
            inv.FileStore.LogToLeader("hello leader", LogLevel.Warning);
            return ValueTask.CompletedTask;
        });
        await t.RunAsync(await t.AddJobAsync("A", new JobRequirements { Cores = 0.5 }));

        byte[]? raw = null;
        await t.Store.ReadLogsAsync(async (s, ct) =>
        {
            using var m = new MemoryStream();
            await s.CopyToAsync(m, ct);
            raw = m.ToArray();
        }, readAll: true);
        using var doc = JsonDocument.Parse(raw!);
        var root = doc.RootElement;
        var job = root.GetProperty("jobs")[0];
        foreach (var key in new[] { "start", "time", "clock", "class_name", "memory", "requested_cores", "disk", "succeeded" })
        {
            job.GetProperty(key).ValueKind.Should().Be(JsonValueKind.String, key);
        }

        job.GetProperty("requested_cores").GetString().Should().Be("0.5");
        var workers = root.GetProperty("workers");
        workers.GetProperty("requested_cores").GetDouble().Should().Be(0.5);
        workers.GetProperty("jobs_run").GetInt32().Should().Be(1);
        workers.GetProperty("time").ValueKind.Should().Be(JsonValueKind.String);
        var message = workers.GetProperty("logs_to_leader")[0];
        message.GetProperty("text").GetString().Should().Be("hello leader");
        message.GetProperty("level").GetInt32().Should().Be(30);
        root.TryGetProperty("logs", out _).Should().BeFalse();
    }

    [Test]
    public async Task RunAsync_DeferredFunctions_RunOnSuccessAndOnFailure()
    {
        using var t = new WorkerTestContext();
        t.Invoker.On("Ok", async inv => await inv.Deferred.DeferAsync("note", new WorkerNote("after ok")));
        t.Invoker.On("Bad", async inv =>
        {
            await inv.Deferred.DeferAsync("note", new WorkerNote("after bad"));
            throw new InvalidOperationException("bad");
        });
        await t.RunAsync(await t.AddJobAsync("Ok"));
        await t.RunAsync(await t.AddJobAsync("Bad"));
        t.Deferred.Should().Equal("after ok", "after bad");
    }

    [Test]
    public async Task RunAsync_LeaderEnvironment_ReachesTheJobFilteredAndTheProcessIsUntouchedInProcess()
    {
        using var t = new WorkerTestContext();
        string variable = "TOIL_TEST_" + Guid.NewGuid().ToString("N");
        var leaderEnv = new Dictionary<string, string> { [variable] = "from-leader", ["HOME"] = "/leader/home", ["PATH"] = "/leader/bin" };
        await t.Store.WriteSharedFileAsync(SharedFileNames.Environment, JsonSerializer.SerializeToUtf8Bytes(leaderEnv));
        IReadOnlyDictionary<string, string>? seen = null;
        t.Invoker.On("A", inv =>
        {
            seen = inv.Environment;
            return ValueTask.CompletedTask;
        });

        await t.RunAsync(await t.AddJobAsync("A"));

        seen![variable].Should().Be("from-leader");
        seen.Should().NotContainKey("HOME");
        string[] path = seen["PATH"].Split(Path.PathSeparator);
        path[0].Should().Be("/leader/bin");
        path.Should().Contain(Environment.GetEnvironmentVariable("PATH")!.Split(Path.PathSeparator)[0]);
        Environment.GetEnvironmentVariable(variable).Should().BeNull("in-process runs never change the process environment (docs/decisions.md#environment)");
    }

    [Test]
    public async Task RunAsync_CorruptLeaderEnvironment_FailsWithATypedError()
    {
        using var t = new WorkerTestContext();
        await t.Store.WriteSharedFileAsync(SharedFileNames.Environment, "[1,2"u8.ToArray());
        t.Invoker.Succeeds("A");
        string a = await t.AddJobAsync("A");
        var result = await t.RunAsync(a);
        result.Error.Should().BeOfType<CorruptJobRecordException>();
        (await t.Store.LoadJobAsync(a)).HasBody.Should().BeTrue();
    }

    /// <summary>
    /// The in-process chaos kill keeps the run's directory as a killed worker's: made then if nothing needed it before,
    /// with the log, and its liveness file unlocked (a batch system's clean-up takes it for a killed worker's).
    /// </summary>
    [Test]
    public async Task RunAsync_BadWorkerInProcessJobNeverUsedDisk_KeepsTheDirectoryAsAKilledWorkers()
    {
        // The kill's delay runs on a fake clock, moved on once the body has logged: on the system clock a delay drawn
        // shorter than the run's start killed it before the body ran, and the log had nothing of the body's.
        var time = new FakeTimeProvider();
        using var t = new WorkerTestContext { Time = time };
        t.Options.BadWorker = 1.0;
        t.Options.BadWorkerFailInterval = TimeSpan.FromMilliseconds(50);
        var logged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        t.Invoker.On("Slow", async (inv, ct) =>
        {
            inv.Logger.LogWarning("before the kill");
            logged.TrySetResult();
            await Task.Delay(TimeSpan.FromMinutes(2), ct);
            return new JobBodyOutcome();
        });

        var run = t.RunAsync(await t.AddJobAsync("Slow"));
        await logged.Task.WaitAsync(TimeSpan.FromMinutes(1));
        time.Advance(t.Options.BadWorkerFailInterval);
        var result = await run.WaitAsync(TimeSpan.FromMinutes(1));

        result.Crashed.Should().BeTrue();
        result.RetainedTempDirectory.Should().NotBeNull();
        File.ReadAllText(Path.Combine(result.RetainedTempDirectory!, WorkerLogFile.FileName)).Should().Contain("before the kill");
        WorkerDirectories.ProbeLiveness(result.RetainedTempDirectory!).Should().Be(WorkerDirectories.Liveness.Ended);
    }

    [Test]
    public async Task RunAsync_BadWorkerInProcess_AbortsAsACrashAndCommitsNothingAfterwards()
    {
        using var t = new WorkerTestContext();
        t.Options.BadWorker = 1.0;
        t.Options.BadWorkerFailInterval = TimeSpan.FromMilliseconds(50);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        t.Invoker.On("Slow", async (inv, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(TimeSpan.FromMinutes(2), ct);
            return new JobBodyOutcome();
        });
        string a = await t.AddJobAsync("Slow");
        var before = await t.Store.LoadJobAsync(a);

        var result = await t.RunAsync(a).WaitAsync(TimeSpan.FromMinutes(1));

        result.Crashed.Should().BeTrue();
        result.ExitCode.Should().Be(WorkerExitCodes.Killed);
        var after = await t.Store.LoadJobAsync(a);
        after.Version.Should().Be(before.Version, "nothing is written after the kill");
        after.HasBody.Should().BeTrue();
        after.LogJobStoreFileId.Should().BeNull();
        (await t.ReadStatsAsync()).Should().BeEmpty();
    }
}

/// <summary>A deferred-function manager that fails at close does not decide the attempt, and does not escape the run.</summary>
[TestFixture]
public sealed class WorkerRunnerDeferredCloseTests
{
    [TestCase(false)]
    [TestCase(true)]
    public async Task RunAsync_ManagerThrowsOnClose_TheJobsOutcomeStandsAndTheFailureIsLogged(bool jobFails)
    {
        using var t = new WorkerTestContext();
        t.Options.CleanWorkDir = CleanWorkDirPolicy.Always;
        t.Invoker.On("A", _ => jobFails ? throw new InvalidOperationException("the job's own failure") : ValueTask.CompletedTask);
        var host = new Microsoft.Extensions.Logging.Testing.FakeLogCollector();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(new Microsoft.Extensions.Logging.Testing.FakeLoggerProvider(host)).SetMinimumLevel(LogLevel.Trace));
        var runner = new WorkerRunner(
            t.Invoker,
            new ThrowingOnCloseFactory(new Toil.Runtime.Deferred.InMemoryDeferredFunctionManagerFactory(t.Registry)),
            Microsoft.Extensions.Options.Options.Create(t.Options),
            Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(new Microsoft.Extensions.DependencyInjection.ServiceCollection()),
            loggers);
        string id = await t.AddJobAsync("A");

        var result = await runner.RunAsync(new WorkerRequest(t.Store, id));

        result.Failed.Should().Be(jobFails);
        (await t.Store.JobExistsAsync(id)).Should().Be(jobFails, "a finished job's records go; a failed one stays for the leader");
        if (jobFails)
        {
            result.Error.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("the job's own failure");
        }

        host.GetSnapshot().Should().Contain(r => r.Level == LogLevel.Warning && r.Message.Contains("deferred-function manager failed to close", StringComparison.Ordinal) && r.Exception is IOException);
    }

    private sealed class ThrowingOnCloseFactory(Toil.Runtime.Deferred.IDeferredFunctionManagerFactory inner) : Toil.Runtime.Deferred.IDeferredFunctionManagerFactory
    {
        public async ValueTask<Toil.Runtime.Deferred.IDeferredFunctionManager> OpenAsync(string coordinationDirectory, CancellationToken cancellationToken = default) =>
            new ThrowingOnClose(await inner.OpenAsync(coordinationDirectory, cancellationToken));
    }

    private sealed class ThrowingOnClose(Toil.Runtime.Deferred.IDeferredFunctionManager inner) : Toil.Runtime.Deferred.IDeferredFunctionManager
    {
        public string WorkerId => inner.WorkerId;

        public ValueTask<Toil.Runtime.Deferred.IDeferredFunctionScope> BeginJobAsync(CancellationToken cancellationToken = default) => inner.BeginJobAsync(cancellationToken);

        public ValueTask<Toil.Runtime.Deferred.DeferredFunctionRunResult> RunOrphansAsync(CancellationToken cancellationToken = default) => inner.RunOrphansAsync(cancellationToken);

        public async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            throw new IOException("the coordination directory went away");
        }
    }
}
