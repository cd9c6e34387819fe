using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Jobs;
using Toil.Runtime.Leader.BatchSystems;
using Toil.Runtime.Leader.BatchSystems.LocalProcess;
using Toil.Runtime.Leader.ProcessTests.Host;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Leader.ProcessTests;

/// <summary>The local-process batch system with real worker processes: exit codes and reasons, kills, admission, environment, shutdown.</summary>
[CancelAfter(120_000)]
public sealed class LocalProcessBatchSystemTests
{
    [Test]
    public async Task IssueJobAsync_TrivialJobRunByToilWorker_FinishesWithExitCode0()
    {
        await using var context = await ProcessTestContext.CreateAsync(jobAssemblies: true);
        await using var batch = new LocalProcessBatchSystem(context.Options(ProcessTestContext.ToilCommand));
        string marker = context.PathOf("touched");
        var request = await context.RequestAsync<ProcessTestJobs.TouchJob, ProcessTestJobs.MarkerInput>(ProcessTestJobs.Touch, new(marker));

        long id = await batch.IssueJobAsync(request);
        var update = await batch.WaitForUpdateAsync().AsTask().WaitAsync(ProcessTestContext.Bound);

        update.Should().BeEquivalentTo(new { BatchJobId = id, ExitCode = 0, ExitReason = BatchJobExitReason.Finished, OutputFiles = Array.Empty<string>() });
        update.WallTime.Should().BePositive();
        (await File.ReadAllTextAsync(marker)).Should().Be("ran");
        (await context.Store.JobExistsAsync(request.JobStoreId)).Should().BeFalse("the worker deleted the finished job");
        batch.GetIssuedJobIds().Should().BeEmpty();
    }

    [Test]
    public async Task IssueJobAsync_JobAsksForExitCode7_ReportsFailedWithCode7()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        await using var batch = new LocalProcessBatchSystem(context.Options());
        var request = await context.RequestAsync<ProcessTestJobs.ExitJob, ProcessTestJobs.ExitInput>(ProcessTestJobs.Exit, new(7));

        long id = await batch.IssueJobAsync(request);
        var update = await batch.WaitForUpdateAsync().AsTask().WaitAsync(ProcessTestContext.Bound);

        update.BatchJobId.Should().Be(id);
        update.ExitCode.Should().Be(7);
        update.ExitReason.Should().Be(BatchJobExitReason.Failed);
    }

    [Test]
    public async Task IssueJobAsync_WorkerCannotOpenTheStore_KeepsItsStandardErrorForTheLeader()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        await using var batch = new LocalProcessBatchSystem(context.Options());
        var request = await context.RequestAsync<ProcessTestJobs.TouchJob, ProcessTestJobs.MarkerInput>(ProcessTestJobs.Touch, new(context.PathOf("x")));
        Directory.Move(Path.Combine(context.Root, "store"), Path.Combine(context.Root, "moved"));

        await batch.IssueJobAsync(request);
        var update = await batch.WaitForUpdateAsync().AsTask().WaitAsync(ProcessTestContext.Bound);

        update.ExitCode.Should().Be(76);
        update.ExitReason.Should().Be(BatchJobExitReason.Failed);
        update.OutputFiles.Should().ContainSingle(f => f.EndsWith(".stderr", StringComparison.Ordinal));
        (await File.ReadAllTextAsync(update.OutputFiles[0])).Should().Contain("Could not access the job store");
    }

    [Test]
    public async Task IssueJobAsync_WorkerCannotOpenTheStore_PutsTheTailOfItsOutputInDetail()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        await using var batch = new LocalProcessBatchSystem(context.Options());
        var request = await context.RequestAsync<ProcessTestJobs.TouchJob, ProcessTestJobs.MarkerInput>(ProcessTestJobs.Touch, new(context.PathOf("x")));
        Directory.Move(Path.Combine(context.Root, "store"), Path.Combine(context.Root, "moved"));

        await batch.IssueJobAsync(request);
        var update = await batch.WaitForUpdateAsync().AsTask().WaitAsync(ProcessTestContext.Bound);

        update.Detail.Should().Contain("exited with code 76").And.Contain(".stderr").And.Contain("Could not access the job store");
    }

    [Test]
    public async Task IssueJobAsync_OutputTailBytesZero_DetailOnlySaysHowTheWorkerEnded()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        var options = context.Options();
        options.OutputTailBytes = 0;
        await using var batch = new LocalProcessBatchSystem(options);
        var request = await context.RequestAsync<ProcessTestJobs.TouchJob, ProcessTestJobs.MarkerInput>(ProcessTestJobs.Touch, new(context.PathOf("x")));
        Directory.Move(Path.Combine(context.Root, "store"), Path.Combine(context.Root, "moved"));

        await batch.IssueJobAsync(request);
        var update = await batch.WaitForUpdateAsync().AsTask().WaitAsync(ProcessTestContext.Bound);

        update.Detail.Should().Be("the worker process exited with code 76");
        update.OutputFiles.Should().ContainSingle();
    }

    [Test]
    public async Task IssueJobAsync_WorkerProgramMissing_ReportsError()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        await using var batch = new LocalProcessBatchSystem(context.Options([context.PathOf("no-such-program")]));
        var request = await context.RequestAsync<ProcessTestJobs.TouchJob, ProcessTestJobs.MarkerInput>(ProcessTestJobs.Touch, new(context.PathOf("x")));

        await batch.IssueJobAsync(request);
        var update = await batch.WaitForUpdateAsync().AsTask().WaitAsync(ProcessTestContext.Bound);

        update.ExitReason.Should().Be(BatchJobExitReason.Error);
        update.Detail.Should().Contain("no-such-program");
    }

    [Test]
    public async Task KillJobsAsync_WorkerHonoursSigterm_EndsBeforeTheGracePeriodAndIsNotReported()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        var options = context.Options();
        options.KillGracePeriod = TimeSpan.FromSeconds(40);
        await using var batch = new LocalProcessBatchSystem(options);
        string ready = context.PathOf("ready");
        string term = context.PathOf("term");
        var hang = await context.RequestAsync<ProcessTestJobs.HangJob, ProcessTestJobs.HangInput>(ProcessTestJobs.Hang, new(ready, term, IgnoreTerm: false));
        long id = await batch.IssueJobAsync(hang);
        await ProcessTestContext.WaitForFileAsync(ready);
        int pid = int.Parse(await File.ReadAllTextAsync(ready), CultureInfo.InvariantCulture);
        batch.GetRunningJobs().Should().ContainKey(id);

        var clock = Stopwatch.StartNew();
        await batch.KillJobsAsync([id]).AsTask().WaitAsync(ProcessTestContext.Bound);

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "the worker ends on SIGTERM, long before SIGKILL would come");
        (await File.ReadAllTextAsync(term)).Should().Be("term", "the worker got SIGTERM");
        ProcessTestContext.ProcessIsGone(pid).Should().BeTrue();
        batch.GetIssuedJobIds().Should().BeEmpty();
        batch.GetRunningJobs().Should().BeEmpty();
        await ExpectOnlyTheNextJobReportedAsync(context, batch);
    }

    [Test]
    public async Task KillJobsAsync_WorkerIgnoresSigterm_GetsSigkillAfterTheGracePeriod()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        var options = context.Options();
        options.KillGracePeriod = TimeSpan.FromSeconds(2);
        await using var batch = new LocalProcessBatchSystem(options);
        string ready = context.PathOf("ready");
        string term = context.PathOf("term");
        var hang = await context.RequestAsync<ProcessTestJobs.HangJob, ProcessTestJobs.HangInput>(ProcessTestJobs.Hang, new(ready, term, IgnoreTerm: true));
        long id = await batch.IssueJobAsync(hang);
        await ProcessTestContext.WaitForFileAsync(ready);
        int pid = int.Parse(await File.ReadAllTextAsync(ready), CultureInfo.InvariantCulture);

        var clock = Stopwatch.StartNew();
        await batch.KillJobsAsync([id]).AsTask().WaitAsync(ProcessTestContext.Bound);

        clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1.9), "SIGKILL waits out the grace period");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30));
        (await File.ReadAllTextAsync(term)).Should().Be("term", "the worker got SIGTERM first and ignored it");
        ProcessTestContext.ProcessIsGone(pid).Should().BeTrue();
        batch.GetIssuedJobIds().Should().BeEmpty();
        await ExpectOnlyTheNextJobReportedAsync(context, batch);
    }

    [TestCase(9)]
    [TestCase(15)]
    public async Task IssueJobAsync_WorkerSignalledFromOutside_ReportsKilledWith128PlusTheSignal(int signal)
    {
        await using var context = await ProcessTestContext.CreateAsync();
        await using var batch = new LocalProcessBatchSystem(context.Options());
        string ready = context.PathOf("ready");
        var hang = await context.RequestAsync<ProcessTestJobs.HangJob, ProcessTestJobs.HangInput>(ProcessTestJobs.Hang, new(ready, context.PathOf("term"), IgnoreTerm: false));
        long id = await batch.IssueJobAsync(hang);
        await ProcessTestContext.WaitForFileAsync(ready);
        int pid = int.Parse(await File.ReadAllTextAsync(ready), CultureInfo.InvariantCulture);

        ProcessSignals.Send(pid, signal).Should().BeTrue();
        var update = await batch.WaitForUpdateAsync().AsTask().WaitAsync(ProcessTestContext.Bound);

        update.BatchJobId.Should().Be(id);
        update.ExitCode.Should().Be(128 + signal);
        update.ExitReason.Should().Be(BatchJobExitReason.Killed);
        update.Detail.Should().Contain($"signal {signal}");
    }

    [Test]
    public async Task IssueJobAsync_JobOutlivesItsWalltime_IsStoppedAndReportedMaxJobDuration()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        var options = context.Options();
        options.KillGracePeriod = TimeSpan.FromSeconds(30);
        await using var batch = new LocalProcessBatchSystem(options);
        string term = context.PathOf("term");
        var hang = await context.RequestAsync<ProcessTestJobs.HangJob, ProcessTestJobs.HangInput>(
            ProcessTestJobs.Hang, new(context.PathOf("ready"), term, IgnoreTerm: false), new JobResources { Cores = 1, Walltime = TimeSpan.FromSeconds(10) }); // long enough for a worker to start (and install its SIGTERM handler) on a loaded machine

        long id = await batch.IssueJobAsync(hang);
        var update = await batch.WaitForUpdateAsync().AsTask().WaitAsync(ProcessTestContext.Bound);

        update.BatchJobId.Should().Be(id);
        update.ExitReason.Should().Be(BatchJobExitReason.MaxJobDuration);
        update.ExitCode.Should().Be(128 + 15, "the worker was stopped with SIGTERM");
        update.WallTime.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(10)).And.BeLessThan(TimeSpan.FromSeconds(30));
        update.Detail.Should().Contain("walltime");
        (await File.ReadAllTextAsync(term)).Should().Be("term");
    }

    [Test]
    public async Task KillJobsAsync_QueuedAttempt_LeavesTheQueueWithoutAProcess()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        var options = context.Options();
        options.Cores = 1;
        options.KillGracePeriod = TimeSpan.Zero;
        await using var batch = new LocalProcessBatchSystem(options);
        string ready = context.PathOf("ready");
        long running = await batch.IssueJobAsync(await context.RequestAsync<ProcessTestJobs.HangJob, ProcessTestJobs.HangInput>(ProcessTestJobs.Hang, new(ready, context.PathOf("term"), false)));
        string queuedMarker = context.PathOf("queued-ran");
        long queued = await batch.IssueJobAsync(await context.RequestAsync<ProcessTestJobs.TouchJob, ProcessTestJobs.MarkerInput>(ProcessTestJobs.Touch, new(queuedMarker)));
        await ProcessTestContext.WaitForFileAsync(ready);
        batch.GetRunningJobs().Keys.Should().Equal(running);

        await batch.KillJobsAsync([queued, running]).AsTask().WaitAsync(ProcessTestContext.Bound);

        batch.GetIssuedJobIds().Should().BeEmpty();
        File.Exists(queuedMarker).Should().BeFalse("a queued attempt that was killed never starts");
        batch.FreeCores.Should().Be(1);
    }

    [Test]
    public async Task IssueJobAsync_TwoCoresAndOneCoreJobs_NeverRunsMoreThanTwoAtOnce()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        await using var batch = new LocalProcessBatchSystem(context.Options());
        const int jobs = 6;
        var spans = Enumerable.Range(0, jobs).Select(i => context.PathOf($"span-{i}")).ToArray();
        foreach (string span in spans)
        {
            await batch.IssueJobAsync(await context.RequestAsync<ProcessTestJobs.SpanJob, ProcessTestJobs.SpanInput>(ProcessTestJobs.Span, new(span, 700)));
        }

        var maxRunning = 0;
        for (int i = 0; i < jobs; i++)
        {
            var update = await batch.WaitForUpdateAsync().AsTask().WaitAsync(ProcessTestContext.Bound);
            update.ExitReason.Should().Be(BatchJobExitReason.Finished, update.Detail);
            maxRunning = Math.Max(maxRunning, batch.GetRunningJobs().Count);
        }

        var intervals = spans.Select(s => File.ReadAllText(s).Split(' ').Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        int overlap = intervals.Max(a => intervals.Count(b => b[0] <= a[0] && a[0] < b[1]));
        overlap.Should().BeLessThanOrEqualTo(2, "a job of one core starts only when one of the two cores is free");
        maxRunning.Should().BeLessThanOrEqualTo(2);
    }

    [Test]
    public async Task IssueJobAsync_MemoryForOneJobOnly_RunsThemOneAfterAnother()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        var options = context.Options();
        options.Memory = "1Gi";
        await using var batch = new LocalProcessBatchSystem(options);
        var spans = new[] { context.PathOf("span-a"), context.PathOf("span-b") };
        foreach (string span in spans)
        {
            await batch.IssueJobAsync(await context.RequestAsync<ProcessTestJobs.SpanJob, ProcessTestJobs.SpanInput>(
                ProcessTestJobs.Span, new(span, 300), new JobResources { Cores = 0.5, Memory = "600Mi", Disk = "1Mi" }));
        }

        for (int i = 0; i < spans.Length; i++)
        {
            (await batch.WaitForUpdateAsync().AsTask().WaitAsync(ProcessTestContext.Bound)).ExitReason.Should().Be(BatchJobExitReason.Finished);
        }

        var a = File.ReadAllText(spans[0]).Split(' ').Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        var b = File.ReadAllText(spans[1]).Split(' ').Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        (a[1] <= b[0] || b[1] <= a[0]).Should().BeTrue("two jobs of 600 MiB never share 1 GiB");
    }

    [Test]
    public async Task IssueJobAsync_MoreCoresThanTheMachine_ThrowsInsufficientResources()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        await using var batch = new LocalProcessBatchSystem(context.Options());
        var request = await context.RequestAsync<ProcessTestJobs.TouchJob, ProcessTestJobs.MarkerInput>(
            ProcessTestJobs.Touch, new(context.PathOf("x")), new JobResources { Cores = 3, Memory = "1Mi", Disk = "1Mi" });

        batch.Invoking(b => b.CheckResourceRequest(request.Resources)).Should().Throw<InsufficientResourcesException>().WithMessage("*3 cores*");
        await batch.Awaiting(b => b.IssueJobAsync(request).AsTask()).Should().ThrowAsync<InsufficientResourcesException>();
        batch.GetIssuedJobIds().Should().BeEmpty();
    }

    [Test]
    public async Task IssueJobAsync_RequestEnvironment_ReachesTheWorker()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        await using var batch = new LocalProcessBatchSystem(context.Options());
        string output = context.PathOf("env");
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["TOIL_TEST_LEADER_VALUE"] = "from the leader",
            ["TOIL_RT_LOGGING_ADDRESS"] = "127.0.0.1:54321",
        };
        var request = await context.RequestAsync<ProcessTestJobs.EnvJob, ProcessTestJobs.EnvInput>(
            ProcessTestJobs.Env, new(["TOIL_TEST_LEADER_VALUE", "TOIL_RT_LOGGING_ADDRESS", "TOIL_WORKDIR"], output), environment: environment);

        await batch.IssueJobAsync(request);
        var update = await batch.WaitForUpdateAsync().AsTask().WaitAsync(ProcessTestContext.Bound);

        update.ExitReason.Should().Be(BatchJobExitReason.Finished, update.Detail);
        (await File.ReadAllLinesAsync(output)).Should().Equal(
            "TOIL_TEST_LEADER_VALUE=from the leader", "TOIL_RT_LOGGING_ADDRESS=127.0.0.1:54321", "TOIL_WORKDIR=" + context.WorkDirectory);
    }

    [Test]
    public async Task ShutdownAsync_WorkerSigkilledFromOutside_RemovesItsTempDirectory()
    {
        // Found by the chaos campaign (docs/reliability.md): a SIGKILLed worker's worker-<guid> directory stayed forever.
        await using var context = await ProcessTestContext.CreateAsync();
        var batch = new LocalProcessBatchSystem(context.Options());
        string ready = context.PathOf("ready");
        long id = await batch.IssueJobAsync(await context.RequestAsync<ProcessTestJobs.HangJob, ProcessTestJobs.HangInput>(
            ProcessTestJobs.Hang, new(ready, context.PathOf("term"), IgnoreTerm: false)));
        await ProcessTestContext.WaitForFileAsync(ready);
        int pid = int.Parse(await File.ReadAllTextAsync(ready), CultureInfo.InvariantCulture);
        var workerDirectories = Directory.EnumerateDirectories(context.WorkDirectory, "worker-*", SearchOption.AllDirectories).ToList();
        workerDirectories.Should().ContainSingle("the hanging worker made its temporary directory");
        string kept = Path.Combine(Path.GetDirectoryName(workerDirectories[0])!, "worker-kept-on-purpose");
        Directory.CreateDirectory(kept);
        await File.WriteAllTextAsync(Path.Combine(kept, "worker_log.txt"), "kept for inspection");
        // A worker killed between making its directory and its liveness file leaves it empty (docs/reliability.md).
        string empty = Path.Combine(Path.GetDirectoryName(workerDirectories[0])!, "worker-killed-before-its-liveness-file");
        Directory.CreateDirectory(empty);

        ProcessSignals.Send(pid, 9).Should().BeTrue();
        (await batch.WaitForUpdateAsync().AsTask().WaitAsync(ProcessTestContext.Bound)).BatchJobId.Should().Be(id);
        Directory.Exists(workerDirectories[0]).Should().BeTrue("nobody removes it while the batch system runs");
        await batch.ShutdownAsync().AsTask().WaitAsync(ProcessTestContext.Bound);

        Directory.Exists(workerDirectories[0]).Should().BeFalse("shutdown removes a killed worker's directory (its liveness file is unlocked)");
        Directory.Exists(kept).Should().BeTrue("a directory without a liveness file but with contents was kept on purpose and stays");
        Directory.Exists(empty).Should().BeFalse("an empty worker directory holds nothing to keep");
    }

    [Test]
    public async Task ShutdownAsync_WorkerKilledWithDeferredFunctions_RunsThem()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        var options = context.Options();
        options.KillGracePeriod = TimeSpan.Zero;
        options.DeferredFunctions = ProcessTestJobs.CreateDeferredFunctions();
        var batch = new LocalProcessBatchSystem(options);
        string marker = context.PathOf("deferred");
        string ready = context.PathOf("ready");
        await batch.IssueJobAsync(await context.RequestAsync<ProcessTestJobs.DeferAndHangJob, ProcessTestJobs.DeferInput>(ProcessTestJobs.DeferAndHang, new(marker, ready)));
        await ProcessTestContext.WaitForFileAsync(ready);
        File.Exists(marker).Should().BeFalse();

        await batch.ShutdownAsync().AsTask().WaitAsync(ProcessTestContext.Bound);

        (await File.ReadAllTextAsync(marker)).Should().Be("deferred", "shutdown runs what the killed worker deferred");
        batch.GetIssuedJobIds().Should().BeEmpty();
        var late = await context.RequestAsync<ProcessTestJobs.TouchJob, ProcessTestJobs.MarkerInput>(ProcessTestJobs.Touch, new(context.PathOf("x")));
        await batch.Awaiting(b => b.IssueJobAsync(late).AsTask()).Should().ThrowAsync<ObjectDisposedException>();
        await batch.ShutdownAsync();   // idempotent
    }

    [Test]
    public async Task AddLocalProcessBatchSystem_RegistryAndDirectoriesFromTheContainer_ShutdownRunsKilledWorkersDeferredFunctions()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        string coordination = context.PathOf("coordination");
        var services = new ServiceCollection()
            .AddSingleton(ProcessTestJobs.CreateDeferredFunctions())
            .Configure<WorkerOptions>(o => { o.WorkDir = context.WorkDirectory; o.CoordinationDir = coordination; })
            .AddLocalProcessBatchSystem(o =>
            {
                o.WorkerCommand = ProcessTestContext.HostCommand;
                o.Cores = 2;
                o.Memory = "4Gi";
                o.Disk = "4Gi";
                o.KillGracePeriod = TimeSpan.Zero;
            });
        await using var provider = services.BuildServiceProvider();
        var batch = provider.GetRequiredService<IBatchSystem>();
        batch.Should().BeOfType<LocalProcessBatchSystem>();
        string marker = context.PathOf("deferred");
        string ready = context.PathOf("ready");
        await batch.IssueJobAsync(await context.RequestAsync<ProcessTestJobs.DeferAndHangJob, ProcessTestJobs.DeferInput>(ProcessTestJobs.DeferAndHang, new(marker, ready)));
        await ProcessTestContext.WaitForFileAsync(ready);
        Directory.Exists(coordination).Should().BeTrue("the workers' coordination state goes under WorkerOptions.CoordinationDir");

        await batch.ShutdownAsync().AsTask().WaitAsync(ProcessTestContext.Bound);

        (await File.ReadAllTextAsync(marker)).Should().Be("deferred", "the container's registry runs what the killed worker deferred");
    }

    [Test]
    public async Task StopEarlierWorkersAsync_WorkerOfAnEarlierLeaderStillRuns_KillsItBeforeAnythingIsIssued()
    {
        // The restart fence (docs/decisions.md#restart-fence): an orphan of a killed leader that commits during the
        // restarted leader's clean-up made it delete a job it had just created (the CI chaos campaign lost a workflow).
        await using var context = await ProcessTestContext.CreateAsync();
        var earlier = new LocalProcessBatchSystem(context.Options());
        string ready = context.PathOf("ready");
        await earlier.IssueJobAsync(await context.RequestAsync<ProcessTestJobs.HangJob, ProcessTestJobs.HangInput>(
            ProcessTestJobs.Hang, new(ready, context.PathOf("term"), IgnoreTerm: true)));
        await ProcessTestContext.WaitForFileAsync(ready);
        int pid = int.Parse(await File.ReadAllTextAsync(ready), CultureInfo.InvariantCulture);
        string workerDirectory = Directory.EnumerateDirectories(context.WorkDirectory, "worker-*", SearchOption.AllDirectories).Single();
        (await File.ReadAllTextAsync(Path.Combine(workerDirectory, "worker.pid"))).Should().Be(pid.ToString(CultureInfo.InvariantCulture));
        string keptOnPurpose = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(workerDirectory)!, "worker-kept-on-purpose")).FullName;

        // The earlier leader is gone without shutting its batch system down; the next one's batch system fences.
        var next = new LocalProcessBatchSystem(context.Options());
        IRestartFence fence = next;
        int stopped = await fence.StopEarlierWorkersAsync(context.Store.Config.WorkflowId, CancellationToken.None).AsTask().WaitAsync(ProcessTestContext.Bound);

        stopped.Should().Be(1);
        ProcessTestContext.ProcessIsGone(pid).Should().BeTrue("the fence returns only once the orphan has ended");
        File.Exists(context.PathOf("term")).Should().BeFalse("the orphan is SIGKILLed, not asked to stop (it may ignore SIGTERM)");
        (await fence.StopEarlierWorkersAsync(context.Store.Config.WorkflowId, CancellationToken.None)).Should().Be(0, "nothing of an earlier leader lives any more");
        Directory.Exists(keptOnPurpose).Should().BeTrue("a directory without a liveness file is not a live worker's");

        await next.ShutdownAsync().AsTask().WaitAsync(ProcessTestContext.Bound);
        await earlier.ShutdownAsync().AsTask().WaitAsync(ProcessTestContext.Bound);
        Directory.Exists(workerDirectory).Should().BeFalse("the killed orphan's directory is cleaned like any killed worker's");
    }

    [Test]
    public async Task StopEarlierWorkersAsync_NoWorkerEverRan_FindsNothing()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        await using var batch = new LocalProcessBatchSystem(context.Options());

        (await ((IRestartFence)batch).StopEarlierWorkersAsync(context.Store.Config.WorkflowId, CancellationToken.None)).Should().Be(0);
    }

    private static async Task ExpectOnlyTheNextJobReportedAsync(ProcessTestContext context, LocalProcessBatchSystem batch)
    {
        long next = await batch.IssueJobAsync(await context.RequestAsync<ProcessTestJobs.TouchJob, ProcessTestJobs.MarkerInput>(ProcessTestJobs.Touch, new(context.PathOf("next"))));
        var update = await batch.WaitForUpdateAsync().AsTask().WaitAsync(ProcessTestContext.Bound);
        update.BatchJobId.Should().Be(next, "a killed attempt is not reported");
    }
}
