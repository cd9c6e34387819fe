using Microsoft.Extensions.Options;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Leader.BatchSystems;

namespace Toil.Runtime.Slurm.Tests;

/// <summary>
/// The batch system against the real local cluster (<c>scripts/slurm-local.sh start</c>); skipped when it is not up.
/// The worker command is <c>/bin/sh -c SCRIPT</c>, so each test says what the "worker" does.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SlurmBatchSystemTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private string _directory = null!;
    private FileJobStore _store = null!;
    private SlurmBatchSystem? _timeLimited;
    private readonly TaskCompletionSource<BatchJobUpdate> _timeLimitedUpdate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [OneTimeSetUp]
    public async Task OneTimeSetUp()
    {
        SlurmCluster.Require();
        _directory = Directory.CreateTempSubdirectory("toil-slurm-test-").FullName;
        _store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = "file:" + Path.Combine(_directory, "store") });

        // Slurm's time limits are whole minutes and its controller checks them every 30 s, so the time-limit job takes
        // 60-90 s: it starts here and runs while the other tests do.
        _timeLimited = System("sleep 300");
        await _timeLimited.IssueJobAsync(Request("over-time", walltime: TimeSpan.FromSeconds(1)));
        _ = _timeLimited.WaitForUpdateAsync().AsTask().ContinueWith(t => _timeLimitedUpdate.TrySetFromTask(t), TaskScheduler.Default);
    }

    [OneTimeTearDown]
    public async Task OneTimeTearDown()
    {
        if (_timeLimited is not null)
        {
            await _timeLimited.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Test]
    public async Task IssueJobAsync_TrivialJob_ReportsFinishedAndRemovesItsFiles()
    {
        await using var slurm = System("echo hello");
        long id = await slurm.IssueJobAsync(Request("trivial"));

        var update = await slurm.WaitForUpdateAsync().AsTask().WaitAsync(Bound);

        update.Should().Match<BatchJobUpdate>(u => u.BatchJobId == id && u.ExitCode == 0 && u.ExitReason == BatchJobExitReason.Finished);
        slurm.GetIssuedJobIds().Should().BeEmpty();
        Directory.EnumerateFiles(Logs).Should().BeEmpty("a finished attempt's script, environment and output files are removed");
    }

    [Test]
    public async Task IssueJobAsync_FailingJob_ReportsFailedWithExitCodeAndKeepsItsOutput()
    {
        await using var slurm = System("echo oops-on-stderr >&2; exit 3");
        long id = await slurm.IssueJobAsync(Request("failing"));

        var update = await slurm.WaitForUpdateAsync().AsTask().WaitAsync(Bound);

        update.Should().Match<BatchJobUpdate>(u => u.BatchJobId == id && u.ExitCode == 3 && u.ExitReason == BatchJobExitReason.Failed);
        update.Detail.Should().Contain("FAILED");
        update.OutputFiles.Should().HaveCount(2);
        string.Concat(update.OutputFiles.Select(File.ReadAllText)).Should().Contain("oops-on-stderr");
    }

    [Test]
    public async Task IssueJobAsync_JobOverItsMemory_ReportsMemLimit()
    {
        // About 300 MB in a shell variable against a 64 MiB --mem; jobacct_gather samples every second.
        await using var slurm = System("x=$(head -c 300000000 /dev/zero | tr '\\000' a); sleep 30");
        await slurm.IssueJobAsync(Request("over-memory", memoryMiB: 64));

        var update = await slurm.WaitForUpdateAsync().AsTask().WaitAsync(Bound);

        update.ExitReason.Should().Be(BatchJobExitReason.MemLimit, update.Detail);
        update.ExitCode.Should().NotBe(0);
    }

    [Test]
    public async Task IssueJobAsync_JobOverItsTimeLimit_ReportsMaxJobDuration()
    {
        var update = await _timeLimitedUpdate.Task.WaitAsync(TimeSpan.FromSeconds(150));

        update.ExitReason.Should().Be(BatchJobExitReason.MaxJobDuration, update.Detail);
        update.Detail.Should().Contain("TIMEOUT");
    }

    [Test]
    public async Task IssueJobAsync_JobCancelledOutsideToil_ReportsKilled()
    {
        await using var slurm = System("sleep 300");
        string name = "cancel-me-" + Guid.NewGuid().ToString("N")[..8];
        long id = await slurm.IssueJobAsync(Request(name));
        await WaitUntilRunningAsync(slurm, id);

        await SlurmCluster.RunAsync("scancel", "--name=" + $"toil_{id}_{name}");
        var update = await slurm.WaitForUpdateAsync().AsTask().WaitAsync(Bound);

        update.Should().Match<BatchJobUpdate>(u => u.BatchJobId == id && u.ExitReason == BatchJobExitReason.Killed && u.ExitCode != 0);
    }

    [Test]
    public async Task KillJobsAsync_RunningJob_StopsItAndNeverReportsIt()
    {
        await using var slurm = System("sleep 300");
        string name = "kill-me-" + Guid.NewGuid().ToString("N")[..8];
        long id = await slurm.IssueJobAsync(Request(name));
        await WaitUntilRunningAsync(slurm, id);

        await slurm.KillJobsAsync([id]).AsTask().WaitAsync(Bound);

        slurm.GetIssuedJobIds().Should().BeEmpty();
        (await SlurmCluster.RunAsync("squeue", "-h", "-t", "PENDING,RUNNING", "--name=" + $"toil_{id}_{name}", "-o", "%i")).Trim().Should().BeEmpty();
        var wait = () => slurm.WaitForUpdateAsync(new CancellationTokenSource(TimeSpan.FromSeconds(3)).Token).AsTask();
        await wait.Should().ThrowAsync<OperationCanceledException>("a killed attempt is never reported");
    }

    [Test]
    public async Task IssueJobAsync_WorkerExits76_ReportsSharedFileSystemHint()
    {
        await using var slurm = System("exit 76");
        await slurm.IssueJobAsync(Request("no-store"));

        var update = await slurm.WaitForUpdateAsync().AsTask().WaitAsync(Bound);

        update.ExitCode.Should().Be(76);
        update.ExitReason.Should().Be(BatchJobExitReason.Failed);
        update.Detail.Should().Contain("every node mounts at the same path");
    }

    [Test]
    public async Task IssueJobAsync_EnvironmentWithSecret_ReachesWorkerThroughPrivateFile()
    {
        string output = Path.Combine(_directory, "env-out");
        await using var slurm = System($"printf '%s' \"$TOIL_TEST_SECRET\" > '{output}'");
        string secret = "s3cr'et \"value\" $HOME";
        await slurm.IssueJobAsync(Request("environment") with
        {
            Environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["TOIL_TEST_SECRET"] = secret },
        });

        var update = await slurm.WaitForUpdateAsync().AsTask().WaitAsync(Bound);

        update.ExitReason.Should().Be(BatchJobExitReason.Finished, update.Detail);
        (await File.ReadAllTextAsync(output)).Should().Be(secret);
    }

    [Test]
    public async Task IssueJobAsync_TwoBatchSystemsShareTheLogDirectory_EachJobGetsItsOwnEnvironment()
    {
        // Two workflows in one process (or a restarted leader and the one before it) use the same log directory and
        // both count their attempts from 1: their scripts and environment files must not be one another's.
        string outputs = Path.Combine(_directory, "shared-env-out");
        Directory.CreateDirectory(outputs);
        string script = $"printf '%s' \"$TOIL_TEST_SECRET\" > '{outputs}'/\"$3\"; sleep 3";
        await using var first = System(script);
        await using var second = System(script);
        await first.IssueJobAsync(Request("env-first") with { Environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["TOIL_TEST_SECRET"] = "first" } });
        await second.IssueJobAsync(Request("env-second") with { Environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["TOIL_TEST_SECRET"] = "second" } });

        Directory.EnumerateFiles(Logs, "*.env").Should().HaveCount(2, "each attempt keeps its own environment file until it ends");
        Directory.EnumerateFiles(Logs, "*.sh").Should().HaveCount(2);
        foreach (var slurm in new[] { first, second })
        {
            var update = await slurm.WaitForUpdateAsync().AsTask().WaitAsync(Bound);
            update.ExitReason.Should().Be(BatchJobExitReason.Finished, "the end of one attempt removes only its own files: {0}", update.Detail);
        }

        (await File.ReadAllTextAsync(Path.Combine(outputs, "job-env-first"))).Should().Be("first");
        (await File.ReadAllTextAsync(Path.Combine(outputs, "job-env-second"))).Should().Be("second");
    }

    [Test]
    public async Task IssueJobAsync_StoreInTempDirectoryWithRemoteNodes_RefusesWithSharedFileSystemHint()
    {
        await using var slurm = System("true", o => o.NodesAreRemote = true);

        var act = () => slurm.IssueJobAsync(Request("unreachable")).AsTask();

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("temporary directory").And.Contain("every node mounts");
        slurm.GetIssuedJobIds().Should().BeEmpty();
    }

    [Test]
    public async Task IssueJobAsync_MoreCpusThanAnyNode_ThrowsInsufficientResources()
    {
        await using var slurm = System("true");

        var act = () => slurm.IssueJobAsync(Request("too-big") with { Resources = new JobResources { Cores = 4096, Memory = DataSize.FromInt64(1 << 20) } }).AsTask();

        await act.Should().ThrowAsync<InsufficientResourcesException>();
    }

    [Test]
    public async Task IssueJobAsync_CoalescedJobs_RunInOneAllocationEachReportedOnItsOwn()
    {
        // The job store ID ($3 of the worker command) says what each "worker" does.
        await using var slurm = System("case \"$3\" in *fail*) exit 5;; esac; exit 0", o =>
        {
            o.CoalesceJobs = true;
            o.CoalesceMaxJobs = 4;
            o.CoalesceWindow = TimeSpan.FromMilliseconds(500);
        });
        var ids = new Dictionary<long, string>();
        foreach (string name in new[] { "a", "b-fail", "c", "d", "e-fail" })
        {
            ids[await slurm.IssueJobAsync(Request(name))] = name;
        }

        var updates = new List<BatchJobUpdate>();
        for (int i = 0; i < ids.Count; i++)
        {
            updates.Add(await slurm.WaitForUpdateAsync().AsTask().WaitAsync(Bound));
        }

        updates.Select(u => u.BatchJobId).Should().BeEquivalentTo(ids.Keys);
        foreach (var u in updates)
        {
            bool fails = ids[u.BatchJobId].EndsWith("fail", StringComparison.Ordinal);
            u.ExitCode.Should().Be(fails ? 5 : 0);
            u.ExitReason.Should().Be(fails ? BatchJobExitReason.Failed : BatchJobExitReason.Finished);
        }

        // Four filled one allocation at once; the fifth went alone after the window.
        updates.Select(u => u.Detail!.Split(' ').Last()).Distinct().Should().HaveCount(2, string.Join("; ", updates.Select(u => u.Detail)));
        slurm.GetIssuedJobIds().Should().BeEmpty();
    }

    [Test]
    public async Task StopEarlierWorkersAsync_JobOfAnEarlierLeaderRuns_CancelsItAndLeavesOtherWorkflowsAlone()
    {
        // The restart fence (docs/decisions.md#restart-fence): a killed leader's Slurm jobs run on; the next leader of
        // the same workflow cancels them before it cleans up. Stores of their own: _store's time-limit job must live.
        await using var earlierStore = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = "file:" + Path.Combine(_directory, "fence-earlier") });
        await using var otherStore = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = "file:" + Path.Combine(_directory, "fence-other") });
        string tag = Guid.NewGuid().ToString("N")[..8];
        await using var earlier = System("sleep 300");
        long orphan = await earlier.IssueJobAsync(Request("orphan-" + tag) with { JobStore = earlierStore });
        await WaitUntilRunningAsync(earlier, orphan);

        // Queued or running (the test cluster's two CPUs may be taken by the orphan and the time-limit job).
        await using var other = System("sleep 300");
        long unrelated = await other.IssueJobAsync(Request("other-" + tag) with { JobStore = otherStore });

        // The earlier leader is gone without cancelling anything; the next one's batch system fences.
        await using var next = System("sleep 300");
        IRestartFence fence = next;
        int stopped = await fence.StopEarlierWorkersAsync(earlierStore.Config.WorkflowId).AsTask().WaitAsync(Bound);

        stopped.Should().Be(1);
        (await SlurmCluster.RunAsync("squeue", "-h", "-t", "PENDING,RUNNING,COMPLETING", "--name=" + $"toil_{orphan}_orphan-{tag}", "-o", "%i")).Trim()
            .Should().BeEmpty("the fence returns once Slurm has ended the earlier leader's job");
        (await SlurmCluster.RunAsync("squeue", "-h", "-t", "PENDING,CONFIGURING,RUNNING", "--name=" + $"toil_{unrelated}_other-{tag}", "-o", "%i")).Trim()
            .Should().NotBeEmpty("another workflow's job is not the fence's");
        (await fence.StopEarlierWorkersAsync(earlierStore.Config.WorkflowId)).Should().Be(0);
    }

    private string Logs => Path.Combine(_directory, "logs-" + TestContext.CurrentContext.Test.MethodName);

    private static async Task WaitUntilRunningAsync(SlurmBatchSystem slurm, long id)
    {
        using var bound = new CancellationTokenSource(Bound);
        while (!slurm.GetRunningJobs().ContainsKey(id))
        {
            await Task.Delay(100, bound.Token);
        }
    }

    private SlurmBatchSystem System(string script, Action<SlurmBatchSystemOptions>? configure = null)
    {
        var options = new SlurmBatchSystemOptions
        {
            WorkerCommand = ["/bin/sh", "-c", script, "worker"],
            WorkerLogDirectory = Logs,
            PollInterval = TimeSpan.FromMilliseconds(250),
            KillTimeout = TimeSpan.FromSeconds(30),
        };
        configure?.Invoke(options);
        return new SlurmBatchSystem(Options.Create(options));
    }

    private BatchJobRequest Request(string name, int memoryMiB = 64, TimeSpan walltime = default) => new()
    {
        JobStoreId = "job-" + name,
        JobName = "test-job",
        DisplayName = name,
        Resources = new JobResources { Cores = 1, Memory = DataSize.FromInt64(memoryMiB * 1024L * 1024L), Walltime = walltime },
        JobStore = _store,
    };
}
