using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Testing.Processes;
using Toil.Runtime.TestHost;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

/// <summary>
/// The chaining commit protocol under SIGKILL (docs/worker-algorithm.md, "Chaining commits"): a worker process chains
/// through a file job store and is killed at a random point; a leader-like loop then runs what is left. Every job runs,
/// in chain order, and only the job the kill interrupted runs twice (with asynchronous commits, also the one before it,
/// whose commit was still in flight); nothing is left in the store afterwards.
/// </summary>
[CancelAfter(600_000)]
public sealed class WorkerChainCrashTests
{
    private const int ChainLength = 30;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "toil-chain-crash-" + Guid.NewGuid().ToString("N"))).FullName;

    [TearDown]
    public void TearDown()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task WorkerProcess_KilledAtRandomPointsOfAChain_RecoveryRunsEveryJobInOrderAndOnlyTheInterruptedOnesTwice(bool asynchronousCommits)
    {
        var random = new Random(asynchronousCommits ? 20261126 : 20261125);
        int killedMidChain = 0;
        for (int round = 0; round < 12; round++)
        {
            string storeDir = Path.Combine(_root, $"store-{round}");
            string ran = Path.Combine(_root, $"ran-{round}.txt");
            string workDir = Directory.CreateDirectory(Path.Combine(_root, $"work-{round}")).FullName;
            string root = await CreateChainAsync(storeDir, ran);

            // Kill once the chain has run a random number of jobs, plus a random few milliseconds, so kills land in
            // bodies, in commits and in batched deletes alike.
            int killAfter = random.Next(1, ChainLength);
            int extraMs = random.Next(0, 15);
            var startInfo = TestHostProcess.StartInfo(WorkerEntryScenario.ScenarioName, workDir, WorkerTestJobs.Append, "file:" + storeDir, root);
            startInfo.Environment[WorkerEntryScenario.AsynchronousCommitsVariable] = asynchronousCommits ? "1" : "0";

            // Every commit written: group commits have their own test below, whose bound on reruns is wider.
            startInfo.Environment[WorkerEntryScenario.MaxUncommittedJobsVariable] = "0";
            using (var worker = Process.Start(startInfo)!)
            {
                var stdout = worker.StandardOutput.ReadToEndAsync();
                var stderr = worker.StandardError.ReadToEndAsync();
                var watch = Stopwatch.StartNew();
                while (!worker.HasExited && CountLines(ran) < killAfter && watch.Elapsed < Bound)
                {
                    await Task.Delay(1);
                }

                await Task.Delay(extraMs);
                bool killed = !worker.HasExited;
                worker.Kill();   // SIGKILL
                await worker.WaitForExitAsync().WaitAsync(Bound);
                await Task.WhenAll(stdout, stderr);
                if (killed && CountLines(ran) < ChainLength)
                {
                    killedMidChain++;
                }
            }

            await RecoverAsync(storeDir, root, workDir, asynchronousCommits);

            var runs = File.ReadAllLines(ran).Select(int.Parse).ToList();
            var firsts = Enumerable.Range(0, ChainLength).Select(i => runs.IndexOf(i)).ToList();
            firsts.Should().NotContain(-1, $"round {round}: every job of the chain runs (runs: {string.Join(",", runs)})");
            firsts.Should().BeInAscendingOrder($"round {round}: a job never runs before its predecessor");
            var rerun = runs.GroupBy(i => i).Where(g => g.Count() > 1).Select(g => g.Key).Order().ToList();
            rerun.Should().HaveCountLessThanOrEqualTo(
                asynchronousCommits ? 2 : 1,
                $"round {round}: only the job the kill interrupted (and, with asynchronous commits, the one whose commit was in flight) reruns; every earlier completion was durable (runs: {string.Join(",", runs)})");
            if (rerun.Count == 2)
            {
                rerun[1].Should().Be(rerun[0] + 1, $"round {round}: the rerun jobs are the last two the killed worker started");
            }

            runs.GroupBy(i => i).Should().OnlyContain(g => g.Count() <= 2, $"round {round}");

            await using var store = await FileJobStore.OpenAsync(storeDir);
            await foreach (var left in store.ListJobsAsync())
            {
                Assert.Fail($"round {round}: job {left} ({left.JobName}) was left in the store");
            }

            Directory.EnumerateFileSystemEntries(Path.Combine(storeDir, "job-files"), "instance-*", SearchOption.AllDirectories)
                .Should().BeEmpty($"round {round}: every body file, and its job's files directory, goes with its job's record");
        }

        killedMidChain.Should().BeGreaterThan(6, "most kills must land inside the chain for the test to mean anything");
    }

    /// <summary>
    /// Group commits (docs/decisions.md#group-commits) under SIGKILL: the worker's job updates are slowed so that chained
    /// jobs run while a write is in flight and their commits coalesce, then it is killed. The record the kill leaves names
    /// the last job a durable write chained in; recovery reruns exactly the jobs from that one to the last that ran (at
    /// most the bound plus the two an asynchronous commit allows), every job runs at least once and in order, and the
    /// store is empty afterwards (no record or body file leaked by a superseded commit).
    /// </summary>
    [Test]
    public async Task WorkerProcess_KilledInsideACoalescedGroup_RecoveryRerunsExactlyTheJobsSinceTheLastDurableWrite()
    {
        const int maxUncommitted = 6;
        var random = new Random(20261204);
        int killedInsideAGroup = 0;
        var kills = new List<string>();
        for (int round = 0; round < 10; round++)
        {
            string storeDir = Path.Combine(_root, $"group-store-{round}");
            string ran = Path.Combine(_root, $"group-ran-{round}.txt");
            string workDir = Directory.CreateDirectory(Path.Combine(_root, $"group-work-{round}")).FullName;
            var order = new List<string>();
            string root = await CreateChainAsync(storeDir, ran, order);

            int killAfter = random.Next(3, ChainLength / 2);
            int extraMs = random.Next(0, 15);
            var startInfo = TestHostProcess.StartInfo(WorkerSlowCommitsScenario.ScenarioName, workDir, storeDir, root, "20", maxUncommitted.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using (var worker = Process.Start(startInfo)!)
            {
                var stdout = worker.StandardOutput.ReadToEndAsync();
                var stderr = worker.StandardError.ReadToEndAsync();
                var watch = Stopwatch.StartNew();
                while (!worker.HasExited && CountLines(ran) < killAfter && watch.Elapsed < Bound)
                {
                    await Task.Delay(1);
                }

                await Task.Delay(extraMs);
                bool running = !worker.HasExited;
                worker.Kill();   // SIGKILL
                await worker.WaitForExitAsync().WaitAsync(Bound);
                await Task.WhenAll(stdout, stderr);
                running.Should().BeTrue($"round {round}: the slowed chain must still run when it is killed ({stderr.Result})");
            }

            // What the kill left: the jobs that ran, and the job the last durable write chained in (its body still attached).
            int ranBefore = CountLines(ran);
            int durable;
            await using (var store = await FileJobStore.OpenAsync(storeDir))
            {
                var record = await store.JobExistsAsync(root) ? await store.LoadJobAsync(root) : null;
                if (record is not { HasBody: true })
                {
                    // Killed after the last job's commit was durable (during the finished chain's deletion): nothing reruns.
                    ranBefore.Should().Be(ChainLength, $"round {round}: a record without a job to run means the whole chain ran");
                    durable = ChainLength;
                }
                else
                {
                    durable = order.IndexOf(record.GetChain()[^1].JobStoreId);
                    durable.Should().BeGreaterThanOrEqualTo(0, $"round {round}: the record's last chained name is a job of the chain");
                }
            }

            if (ranBefore - durable > 2)
            {
                killedInsideAGroup++;
            }

            kills.Add($"{ranBefore}/{durable}");

            await RecoverAsync(storeDir, root, workDir, asynchronousCommits: true);

            var runs = File.ReadAllLines(ran).Select(int.Parse).ToList();
            var firsts = Enumerable.Range(0, ChainLength).Select(i => runs.IndexOf(i)).ToList();
            firsts.Should().NotContain(-1, $"round {round}: every job of the chain runs at least once (runs: {string.Join(",", runs)})");
            firsts.Should().BeInAscendingOrder($"round {round}: a job never runs before its predecessor");
            var rerun = runs.GroupBy(i => i).Where(g => g.Count() > 1).Select(g => g.Key).Order().ToList();
            rerun.Should().Equal(
                Enumerable.Range(durable, ranBefore - durable),
                $"round {round}: exactly the jobs since the last durable write rerun (durable: {durable}, ran before the kill: {ranBefore}, runs: {string.Join(",", runs)})");
            rerun.Should().HaveCountLessThanOrEqualTo(maxUncommitted + 2, $"round {round}: the bound on uncommitted jobs holds");
            runs.GroupBy(i => i).Should().OnlyContain(g => g.Count() <= 2, $"round {round}");

            await using (var store = await FileJobStore.OpenAsync(storeDir))
            {
                await foreach (var left in store.ListJobsAsync())
                {
                    Assert.Fail($"round {round}: job {left} ({left.JobName}) was left in the store");
                }
            }

            Directory.EnumerateFileSystemEntries(Path.Combine(storeDir, "job-files"), "instance-*", SearchOption.AllDirectories)
                .Should().BeEmpty($"round {round}: every body file goes with its job's record");
        }

        killedInsideAGroup.Should().BeGreaterThanOrEqualTo(5, $"with slowed writes most kills must land inside a coalesced group (more than two jobs past the durable record) for the test to mean anything (jobs run / durable job per round: {string.Join(", ", kills)})");
    }

    private static int CountLines(string path)
    {
        try
        {
            return File.ReadAllBytes(path).Count(b => b == (byte)'\n');
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    private static async Task<string> CreateChainAsync(string storeDir, string ran, List<string>? order = null)
    {
        await using var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = "file:" + storeDir });
        var jobs = new List<JobDescription>();
        for (int i = 0; i < ChainLength; i++)
        {
            var job = new JobDescription(WorkerTestJobs.Append);
            await store.AssignJobIdAsync(job);
            var input = new WorkerTestJobs.AppendInput(ran, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            byte[] body = JobBodyDocument.Write(new PromiseWriter([]), WorkerTestJobs.Append, json => JsonSerializer.Serialize(json, input, WorkerTestJobs.Json.Default.AppendInput), []);
            string bodyId = await store.WriteFileAsync(body, job.JobStoreId, cleanup: true, baseName: "body");
            job.AttachBody(new JobBody(WorkerTestJobs.Append, bodyId));
            if (i > 0)
            {
                job.PredecessorNumber = 1;
                jobs[i - 1].AddChild(job.JobStoreId);
            }

            jobs.Add(job);
            order?.Add(job.JobStoreId);
        }

        await store.CreateJobsAsync(jobs);
        await store.SetRootJobIdAsync(jobs[0].JobStoreId);
        return jobs[0].JobStoreId;
    }

    /// <summary>
    /// What a leader does for a chain after a worker died: rerun a record that still has a body; run a finished record's
    /// successor, then drop it from the record; delete a record whose subtree is done, with every ID of its chain.
    /// </summary>
    private static async Task RecoverAsync(string storeDir, string id, string workDir, bool asynchronousCommits)
    {
        var services = new ServiceCollection()
            .AddToilRuntime(o =>
            {
                o.WorkDir = workDir;
                o.CoordinationDir = Path.Combine(workDir, "coord");
                o.AsynchronousCommits = asynchronousCommits;
            });
        new WorkerTestJobs().ConfigureServices(services);
        await using var provider = services.BuildServiceProvider();
        var runner = provider.GetRequiredService<IWorkerRunner>();
        await using var store = await FileJobStore.OpenAsync(storeDir);
        await ProcessAsync(store, runner, id, depth: 0);
    }

    private static async Task ProcessAsync(IJobStore store, IWorkerRunner runner, string id, int depth)
    {
        depth.Should().BeLessThan(ChainLength + 2, "recovery must terminate");
        for (int attempt = 0; attempt < 2 * ChainLength; attempt++)
        {
            if (!await store.JobExistsAsync(id))
            {
                return;
            }

            var job = await store.LoadJobAsync(id);
            if (job.HasBody)
            {
                var result = await runner.RunAsync(new WorkerRequest(store, id));
                result.Failed.Should().BeFalse($"the rerun of {id} must succeed: {result.Error}");
                continue;
            }

            if (job.NextSuccessors() is { Count: > 0 } phase)
            {
                foreach (string successor in phase.ToList())
                {
                    await ProcessAsync(store, runner, successor, depth + 1);
                }

                job = await store.LoadJobAsync(id);
                job.FilterSuccessors(s => !phase.Contains(s));
                await store.UpdateJobAsync(job);
                continue;
            }

            await store.DeleteJobsAsync([.. job.GetChain().Select(n => n.JobStoreId)]);
            return;
        }

        Assert.Fail($"recovery of {id} did not finish");
    }
}
