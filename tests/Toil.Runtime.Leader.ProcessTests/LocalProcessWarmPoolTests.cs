using System.Diagnostics;
using System.Globalization;
using Toil.Runtime.Jobs;
using Toil.Runtime.Leader.BatchSystems;
using Toil.Runtime.Leader.BatchSystems.LocalProcess;
using Toil.Runtime.Leader.ProcessTests.Host;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Leader.ProcessTests;

/// <summary>The warm worker pool of the local-process batch system (<c>WarmWorkers</c>) and the serving worker behind it (<c>worker --serve</c>).</summary>
[CancelAfter(120_000)]
public sealed class LocalProcessWarmPoolTests
{
    [TestCase(false)]
    [TestCase(true)]
    public async Task IssueJobAsync_FanOutThroughTwoWarmWorkers_RunsEveryJobOnceInAtMostTwoProcessesEachInItsOwnTempDirectory(bool toilTool)
    {
        await using var context = await ProcessTestContext.CreateAsync(jobAssemblies: toilTool);
        await using var batch = new LocalProcessBatchSystem(PoolOptions(context, 2, toilTool ? ProcessTestContext.ToilCommand : null));
        var issued = new Dictionary<long, string>();
        for (int i = 0; i < 8; i++)
        {
            string path = context.PathOf($"where-{i}");
            issued.Add(await batch.IssueJobAsync(await context.RequestAsync<ProcessTestJobs.WhereJob, ProcessTestJobs.WhereInput>(ProcessTestJobs.Where, new(path, 0))), path);
        }

        var updates = new List<BatchJobUpdate>();
        for (int i = 0; i < issued.Count; i++)
        {
            updates.Add(await batch.WaitForUpdateAsync().AsTask().WaitAsync(ProcessTestContext.Bound));
        }

        updates.Should().OnlyContain(u => u.ExitCode == 0 && u.ExitReason == BatchJobExitReason.Finished);
        updates.Select(u => u.BatchJobId).Should().BeEquivalentTo(issued.Keys, "every attempt is reported once");
        var runs = issued.Values.Select(p => File.ReadAllLines(p)).ToList();
        runs.Select(r => r[0]).Distinct().Should().HaveCountLessThanOrEqualTo(2, "two warm workers ran all eight jobs");
        runs.Select(r => r[0]).Should().NotContain(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        runs.Select(r => r[1]).Should().OnlyHaveUniqueItems("each job gets a temporary directory of its own");
        runs.Should().OnlyContain(r => !Directory.Exists(r[1]), "each job's directories are removed when it ends, as a one-job worker's are");
        await foreach (var job in context.Store.ListJobsAsync())
        {
            Assert.Fail($"job {job.JobStoreId} was not run and deleted");
        }
    }

    [Test]
    public async Task IssueJobAsync_JobWritesResultLinesToItsOutputAndReadsItsInput_LeaderGetsItsRealExitCode()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        await using var batch = new LocalProcessBatchSystem(PoolOptions(context, 1));

        var failed = await RunAsync(batch, await context.RequestAsync<ProcessTestJobs.WhereJob, ProcessTestJobs.WhereInput>(ProcessTestJobs.Where, new(context.PathOf("a"), 5)));
        var next = await RunAsync(batch, await context.RequestAsync<ProcessTestJobs.WhereJob, ProcessTestJobs.WhereInput>(ProcessTestJobs.Where, new(context.PathOf("b"), 0)));

        failed.ExitCode.Should().Be(5, "the job's own output cannot forge the protocol's result");
        failed.ExitReason.Should().Be(BatchJobExitReason.Failed);
        next.ExitCode.Should().Be(0);
        File.ReadAllLines(context.PathOf("b"))[0].Should().Be(File.ReadAllLines(context.PathOf("a"))[0], "a job's failure does not cost the worker its process");
    }

    [Test]
    public async Task IssueJobAsync_RequestEnvironmentOfOneJob_ReachesItAndNotTheNextJobOfTheSameWorker()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        await using var batch = new LocalProcessBatchSystem(PoolOptions(context, 1));
        string[] names = ["TOIL_RT_POOL_TEST", "TOIL_WORKDIR"];

        await RunAsync(batch, await context.RequestAsync<ProcessTestJobs.EnvJob, ProcessTestJobs.EnvInput>(
            ProcessTestJobs.Env, new(names, context.PathOf("first")), environment: new Dictionary<string, string> { ["TOIL_RT_POOL_TEST"] = "one" }));
        await RunAsync(batch, await context.RequestAsync<ProcessTestJobs.EnvJob, ProcessTestJobs.EnvInput>(ProcessTestJobs.Env, new(names, context.PathOf("second"))));

        File.ReadAllLines(context.PathOf("first")).Should().Equal("TOIL_RT_POOL_TEST=one", "TOIL_WORKDIR=" + context.WorkDirectory);
        File.ReadAllLines(context.PathOf("second")).Should().Equal("TOIL_RT_POOL_TEST=<unset>", "TOIL_WORKDIR=" + context.WorkDirectory);
    }

    [Test]
    public async Task IssueJobAsync_PooledWorkerSigkilledMidJob_ReportsTheAttemptKilledAndAReplacementRunsTheNextJob()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        await using var batch = new LocalProcessBatchSystem(PoolOptions(context, 1));
        string ready = context.PathOf("ready");
        long id = await batch.IssueJobAsync(await context.RequestAsync<ProcessTestJobs.HangJob, ProcessTestJobs.HangInput>(ProcessTestJobs.Hang, new(ready, context.PathOf("term"), IgnoreTerm: false)));
        await ProcessTestContext.WaitForFileAsync(ready);
        int pid = int.Parse(await File.ReadAllTextAsync(ready), CultureInfo.InvariantCulture);

        ProcessSignals.Send(pid, 9).Should().BeTrue();
        var killed = await batch.WaitForUpdateAsync().AsTask().WaitAsync(ProcessTestContext.Bound);
        var next = await RunAsync(batch, await context.RequestAsync<ProcessTestJobs.WhereJob, ProcessTestJobs.WhereInput>(ProcessTestJobs.Where, new(context.PathOf("next"), 0)));

        killed.BatchJobId.Should().Be(id);
        killed.ExitCode.Should().Be(137);
        killed.ExitReason.Should().Be(BatchJobExitReason.Killed);
        killed.Detail.Should().Contain("pooled worker process").And.Contain("signal 9");
        next.ExitCode.Should().Be(0);
        File.ReadAllLines(context.PathOf("next"))[0].Should().NotBe(pid.ToString(CultureInfo.InvariantCulture), "a new process replaced the killed one");
    }

    [Test]
    public async Task KillJobsAsync_PooledAttempt_EndsItsProcessWithinTheBoundAndIsNotReported()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        var options = PoolOptions(context, 1);
        options.KillGracePeriod = TimeSpan.FromSeconds(40);
        await using var batch = new LocalProcessBatchSystem(options);
        string ready = context.PathOf("ready");
        long id = await batch.IssueJobAsync(await context.RequestAsync<ProcessTestJobs.HangJob, ProcessTestJobs.HangInput>(ProcessTestJobs.Hang, new(ready, context.PathOf("term"), IgnoreTerm: false)));
        await ProcessTestContext.WaitForFileAsync(ready);
        int pid = int.Parse(await File.ReadAllTextAsync(ready), CultureInfo.InvariantCulture);

        var clock = Stopwatch.StartNew();
        await batch.KillJobsAsync([id]).AsTask().WaitAsync(ProcessTestContext.Bound);

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "the serving worker ends on SIGTERM, long before SIGKILL would come");
        ProcessTestContext.ProcessIsGone(pid).Should().BeTrue("the process that ran the killed attempt is gone when the kill returns");
        batch.GetIssuedJobIds().Should().BeEmpty();
        var next = await RunAsync(batch, await context.RequestAsync<ProcessTestJobs.TouchJob, ProcessTestJobs.MarkerInput>(ProcessTestJobs.Touch, new(context.PathOf("next"))));
        next.ExitCode.Should().Be(0, "the killed attempt is not reported, the next one is");
    }

    [Test]
    public async Task ShutdownAsync_IdleAndBusyWarmWorkers_StopsThemAllWithinTheBound()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        var options = PoolOptions(context, 2);
        options.KillGracePeriod = TimeSpan.Zero;
        var batch = new LocalProcessBatchSystem(options);
        await RunAsync(batch, await context.RequestAsync<ProcessTestJobs.WhereJob, ProcessTestJobs.WhereInput>(ProcessTestJobs.Where, new(context.PathOf("idle"), 0)));
        int idle = int.Parse(File.ReadAllLines(context.PathOf("idle"))[0], CultureInfo.InvariantCulture);
        string ready = context.PathOf("ready");
        await batch.IssueJobAsync(await context.RequestAsync<ProcessTestJobs.HangJob, ProcessTestJobs.HangInput>(ProcessTestJobs.Hang, new(ready, context.PathOf("term"), IgnoreTerm: true)));
        await ProcessTestContext.WaitForFileAsync(ready);
        int busy = int.Parse(await File.ReadAllTextAsync(ready), CultureInfo.InvariantCulture);

        var clock = Stopwatch.StartNew();
        await batch.ShutdownAsync().AsTask().WaitAsync(ProcessTestContext.Bound);

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30));
        busy.Should().Be(idle, "one warm worker took both jobs one after another");
        ProcessTestContext.ProcessIsGone(idle).Should().BeTrue();
        Directory.GetFiles(batch.OutputDirectory.Length > 0 && Directory.Exists(batch.OutputDirectory) ? batch.OutputDirectory : context.Root, "pooled-worker-*").Should().BeEmpty("a stopped worker's standard error is deleted");
    }

    [Test]
    public async Task StopEarlierWorkersAsync_PooledWorkerOfAnEarlierLeaderRunsAJob_KillsIt()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        var earlier = new LocalProcessBatchSystem(PoolOptions(context, 1));
        await RunAsync(earlier, await context.RequestAsync<ProcessTestJobs.WhereJob, ProcessTestJobs.WhereInput>(ProcessTestJobs.Where, new(context.PathOf("first"), 0)));
        string ready = context.PathOf("ready");
        await earlier.IssueJobAsync(await context.RequestAsync<ProcessTestJobs.HangJob, ProcessTestJobs.HangInput>(
            ProcessTestJobs.Hang, new(ready, context.PathOf("term"), IgnoreTerm: true)));
        await ProcessTestContext.WaitForFileAsync(ready);
        int pid = int.Parse(await File.ReadAllTextAsync(ready), CultureInfo.InvariantCulture);
        string workerDirectory = Directory.EnumerateDirectories(context.WorkDirectory, "worker-*", SearchOption.AllDirectories).Single();

        var next = new LocalProcessBatchSystem(PoolOptions(context, 1));
        IRestartFence fence = next;
        int stopped = await fence.StopEarlierWorkersAsync(context.Store.Config.WorkflowId, CancellationToken.None).AsTask().WaitAsync(ProcessTestContext.Bound);

        pid.ToString(CultureInfo.InvariantCulture).Should().Be(File.ReadAllLines(context.PathOf("first"))[0], "the hanging job ran in the warm worker that ran the first");
        stopped.Should().Be(1, "only the running job holds a liveness lock; the first job's directory is gone");
        ProcessTestContext.ProcessIsGone(pid).Should().BeTrue("the fence SIGKILLs the pooled process that runs the orphaned job");
        await next.ShutdownAsync().AsTask().WaitAsync(ProcessTestContext.Bound);
        await earlier.ShutdownAsync().AsTask().WaitAsync(ProcessTestContext.Bound);
        Directory.Exists(workerDirectory).Should().BeFalse();
    }

    [Test]
    public void Constructor_NegativeWarmWorkers_IsRefusedNamingTheOption()
    {
        var options = new LocalProcessBatchSystemOptions { WarmWorkers = -1 };

        var construct = () => new LocalProcessBatchSystem(options);

        construct.Should().Throw<ArgumentException>().WithMessage("*WarmWorkers*");
    }

    [Test]
    public async Task Serve_MalformedRequestLine_AnswersWithATypedErrorAndServesTheNextRequest()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        var request = await context.RequestAsync<ProcessTestJobs.TouchJob, ProcessTestJobs.MarkerInput>(ProcessTestJobs.Touch, new(context.PathOf("touched")));
        var psi = new ProcessStartInfo(ProcessTestContext.HostCommand[0]) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in ProcessTestContext.HostCommand.Skip(1).Append(ToilWorkerEntryPoint.ServeOption))
        {
            psi.ArgumentList.Add(argument);
        }

        psi.Environment["TOIL_WORKDIR"] = context.WorkDirectory;
        using var server = Process.Start(psi)!;
        var errors = server.StandardError.ReadToEndAsync();

        await server.StandardInput.WriteLineAsync("this is not JSON");
        await server.StandardInput.WriteLineAsync("""{"id":4,"jobName":"x","jobStoreLocator":"file:/s"}""");
        await server.StandardInput.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["id"] = 5,
            ["jobName"] = request.JobName,
            ["jobStoreLocator"] = request.JobStore.Locator,
            ["jobStoreId"] = request.JobStoreId,
            ["environment"] = new Dictionary<string, string>(),
        }));
        await server.StandardInput.FlushAsync();
        var lines = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            lines.Add((await server.StandardOutput.ReadLineAsync().WaitAsync(ProcessTestContext.Bound))!);
        }

        server.StandardInput.Close();
        await server.WaitForExitAsync().WaitAsync(ProcessTestContext.Bound);

        var results = lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        results.Select(r => (r.GetProperty("id").GetInt64(), r.GetProperty("exitCode").GetInt32())).Should().Equal((0L, 2), (4L, 2), (5L, 0));
        results[0].GetProperty("error").GetString().Should().Contain("not a JSON request");
        results[1].GetProperty("error").GetString().Should().Be("jobStoreId must not be empty");
        results[2].TryGetProperty("error", out _).Should().BeFalse("a job that ran has no protocol error");
        (await File.ReadAllTextAsync(context.PathOf("touched"))).Should().Be("ran");
        server.ExitCode.Should().Be(0, "a serving worker exits 0 when its input ends");
        (await errors).Should().Contain("malformed request line");
    }

    [Test]
    public async Task Serve_LaunchingLeaderGone_AnswersTheJobWith69AndExits()
    {
        await using var context = await ProcessTestContext.CreateAsync();
        var request = await context.RequestAsync<ProcessTestJobs.TouchJob, ProcessTestJobs.MarkerInput>(ProcessTestJobs.Touch, new(context.PathOf("touched")));
        var psi = new ProcessStartInfo(ProcessTestContext.HostCommand[0]) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true };
        foreach (string argument in ProcessTestContext.HostCommand.Skip(1).Append(ToilWorkerEntryPoint.ServeOption))
        {
            psi.ArgumentList.Add(argument);
        }

        // This process, with a start time it never had: the leader the variable names is gone.
        string ns = new FileInfo("/proc/self/ns/pid").LinkTarget!.Replace(":", string.Empty, StringComparison.Ordinal);
        psi.Environment["TOIL_RT_LEADER_PROCESS"] = string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}:1:{ns}");
        psi.Environment["TOIL_WORKDIR"] = context.WorkDirectory;
        using var server = Process.Start(psi)!;

        await server.StandardInput.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["id"] = 1,
            ["jobName"] = request.JobName,
            ["jobStoreLocator"] = request.JobStore.Locator,
            ["jobStoreId"] = request.JobStoreId,
        }));
        await server.StandardInput.FlushAsync();
        string? line = await server.StandardOutput.ReadLineAsync().WaitAsync(ProcessTestContext.Bound);
        await server.WaitForExitAsync().WaitAsync(ProcessTestContext.Bound);

        System.Text.Json.JsonDocument.Parse(line!).RootElement.GetProperty("exitCode").GetInt32().Should().Be(69);
        server.ExitCode.Should().Be(69, "a serving worker whose leader is gone serves no further job, though its input is still open");
        File.Exists(context.PathOf("touched")).Should().BeFalse("the job did not run");
        (await context.Store.JobExistsAsync(request.JobStoreId)).Should().BeTrue();
    }

    private static LocalProcessBatchSystemOptions PoolOptions(ProcessTestContext context, int warmWorkers, IList<string>? command = null)
    {
        var options = context.Options(command);
        options.WarmWorkers = warmWorkers;
        return options;
    }

    private static async Task<BatchJobUpdate> RunAsync(LocalProcessBatchSystem batch, BatchJobRequest request)
    {
        long id = await batch.IssueJobAsync(request);
        var update = await batch.WaitForUpdateAsync().AsTask().WaitAsync(ProcessTestContext.Bound);
        update.BatchJobId.Should().Be(id);
        return update;
    }
}
