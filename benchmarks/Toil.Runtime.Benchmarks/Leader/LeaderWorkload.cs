using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Toil.Runtime.Authoring;
using Toil.Runtime.Benchmarks.JobStores;
using Toil.Runtime.Benchmarks.Worker;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Leader.BatchSystems;
using Toil.Runtime.Leader.Scheduling;
using Toil.Runtime.Leader.Workflows;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Benchmarks.Leader;

/// <summary>
/// The leader on the file job store, each beside what it stands on measured in the same run: a fan-out of N trivial
/// jobs on the in-process batch system vs the fsync+rename floor (target ≥ 1.0 ×; was 0.3); a chain of N through the leader vs
/// the same chain run by the worker alone (target ≥ 0.9 ×); the leader's memory with 100,000 pending jobs (target
/// &lt; 200 MiB). Arguments: <c>[jobs=1000] [rounds=3] [pending=100000]</c> (pending 0 skips the memory measurement).
/// </summary>
public sealed class LeaderWorkload : IWorkload
{
    /// <summary>
    /// A fixed warm-up of the leader before the judged fan-outs, in fanned-out jobs (<c>TOIL_BENCH_FANOUT_WARMUP_JOBS</c>),
    /// or <see langword="null"/> (the default) to warm up in fan-outs of N until one makes the JIT compile almost nothing, at
    /// most <see cref="MaxFanOutWarmupJobs"/>: a leader's fan-out gets faster for its first several thousand jobs while the
    /// tiered JIT compiles, and the target is about what a fanned-out job costs a leader in its steady state
    /// (docs/performance.md, "Fan-out through the leader: the fourth pass").
    /// </summary>
    private static int? FixedFanOutWarmupJobs => int.TryParse(Environment.GetEnvironmentVariable("TOIL_BENCH_FANOUT_WARMUP_JOBS"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : null;

    /// <summary>
    /// A fan-out of N that makes the JIT compile fewer methods than this counts as settled: the first compiles about
    /// 3,000, the fifth or sixth about 20–90, and from then on a few, now and then a burst, per fan-out (never none).
    /// </summary>
    private const int SettledFanOutJitMethods = 50;

    /// <summary>The bound of the chain rows' warm-up, in pairs of chains of N (one through the leader, one by the worker alone).</summary>
    private const int MaxChainWarmupPairs = 20;

    /// <summary>The bound of the adaptive fan-out warm-up.</summary>
    private const int MaxFanOutWarmupJobs = 40_000;

    /// <summary>How many fsync+rename operations measure the floor each round (was 150: a tenth of a second, whose rate moved 1,261–2,282 ops/s between rounds of one sitting).</summary>
    private const int FloorOps = 1_000;

    /// <inheritdoc />
    public string Name => "leader";

    /// <inheritdoc />
    public string Description => "leader: fan-out of N vs fsync+rename floor; chain of N via leader vs worker alone; memory with 100,000 pending jobs";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        int jobs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        int pending = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 100_000;
        string root = WorkerBench.NewDirectory("leader");
        if (args.Length > 3 && args[3] == "fanout-profile")
        {
            return await ProfileFanOutAsync(root, jobs, rounds, inMemory: args.Length > 4 && args[4] == "memory");
        }

        if (args.Length > 3 && args[3] == "chain-profile")
        {
            return await ProfileChainAsync(root, jobs, rounds, args.Length > 4 ? args[4] : "leader");
        }

        try
        {
            await using var services = LeaderServices(root);
            var runner = services.GetRequiredService<IWorkflowRunner>();
            var worker = services.GetRequiredService<IWorkerRunner>();
            string floorDir = Directory.CreateDirectory(Path.Combine(root, "floor")).FullName;
            byte[] record = new byte[600];

            // Warm-up of both paths. The fan-out's is long (WarmUpFanOutAsync): its first fan-outs run while the tiered JIT
            // still compiles the leader's, worker's and store's code (13 % of a 2-fan-out profile's samples were the
            // tiering thread's), and the target is about what a fanned-out job costs a leader in its steady state. The
            // first fan-out, JIT cold, is printed as the early row, not judged.
            var earlyFloor = FileJobStoreUpdateWorkload.Floor(Path.Combine(floorDir, "job"), record, FloorOps);
            double early = (await FanOutAsync(runner, root, jobs)).Wall;
            int warmed = await WarmUpFanOutAsync(runner, root, jobs, jobs);

            int chainPairs = await WarmUpChainsAsync(runner, worker, root, jobs);

            var fan = new List<double>();
            var floor = new List<double>();
            var leaderChain = new List<double>();
            var workerChain = new List<double>();
            var fanCpu = new List<double>();
            long jitBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
            long jitDuring = 0;
            for (int r = 0; r < rounds; r++)
            {
                long jitFan = System.Runtime.JitInfo.GetCompiledMethodCount();
                var (fanWall, fanCpuRate) = await FanOutAsync(runner, root, jobs);
                jitDuring += System.Runtime.JitInfo.GetCompiledMethodCount() - jitFan;
                fan.Add(fanWall);
                fanCpu.Add(fanCpuRate);
                var (ops, elapsed) = FileJobStoreUpdateWorkload.Floor(Path.Combine(floorDir, "job"), record, FloorOps);
                floor.Add(ops / elapsed.TotalSeconds);
                leaderChain.Add(await ChainViaLeaderAsync(runner, root, jobs));
                workerChain.Add(await ChainWorkerOnlyAsync(worker, root, jobs));
            }

            double fanRate = WorkerBench.Median(fan);
            double floorRate = WorkerBench.Median(floor);
            double leaderRate = WorkerBench.Median(leaderChain);
            double workerRate = WorkerBench.Median(workerChain);
            double earlyFloorRate = earlyFloor.Ops / earlyFloor.Elapsed.TotalSeconds;
            Console.WriteLine(FormattableString.Invariant($"  early, not judged: first fan-out of {jobs} after start : {early,8:F0} jobs/s; floor {earlyFloorRate:F0} ops/s; ratio {early / earlyFloorRate:F2}"));
            Console.WriteLine(FormattableString.Invariant($"  fan-out of {jobs}, in-process, file store : {fanRate,8:F0} jobs/s (median of {rounds} after {warmed} warm-up jobs, {jitDuring} methods JIT-compiled during them; runs {string.Join(", ", fan.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))}); {WorkerBench.Median(fanCpu):F0} jobs per CPU-second"));
            Console.WriteLine(FormattableString.Invariant($"  fsync+rename floor                    : {floorRate,8:F0} ops/s  (same directory, same run; {FloorOps} ops per round)"));
            Console.WriteLine(FormattableString.Invariant($"  fan-out / floor                       : {fanRate / floorRate,8:F2}       (target >= 1.0; was 0.3) {Verdict(fanRate / floorRate >= 1.0)}"));
            Console.WriteLine(FormattableString.Invariant($"  chain of {jobs} through the leader        : {leaderRate,8:F0} jobs/s (median of {rounds} after {chainPairs} warm-up pairs of chains)"));
            Console.WriteLine(FormattableString.Invariant($"  chain of {jobs}, worker only             : {workerRate,8:F0} jobs/s (median of {rounds})"));
            Console.WriteLine(FormattableString.Invariant($"  leader / worker-only                  : {leaderRate / workerRate,8:F2}       (target >= 0.9) {Verdict(leaderRate / workerRate >= 0.9)}"));

            if (pending <= 0)
            {
                // pending=0 skips the memory measurement (a root with no children issues nothing to hold).
                return 0;
            }

            double mib = await PendingMemoryAsync(root, pending);
            Console.WriteLine(FormattableString.Invariant($"  leader + queue with {pending} pending jobs : {mib,8:F1} MiB managed heap growth (target < 200) {Verdict(mib < 200)}; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB"));
            return 0;
        }
        finally
        {
            WorkerBench.TryDelete(root);
        }
    }

    /// <summary>
    /// A profiling aid (<c>leader N R 0 fanout-profile [memory]</c>; <c>memory</c>: in-memory stores, to tell the store's
    /// share from the leader's): warms up with a fan-out of 50 (and until the JIT settles, as the judged rows, when
    /// <c>TOIL_BENCH_FANOUT_SETTLED</c> is set), creates R fan-out stores of N
    /// children, prints "ready PID" and waits 2 s so a profiler can attach (<c>strace -c -f -p PID</c>), then runs them and
    /// prints "done" (docs/performance.md, "Group commits").
    /// </summary>
    private static async Task<int> ProfileFanOutAsync(string root, int jobs, int rounds, bool inMemory)
    {
        try
        {
            await using var services = LeaderServices(root);
            var runner = services.GetRequiredService<IWorkflowRunner>();
            await FanOutAsync(runner, root, 50);
            if (Environment.GetEnvironmentVariable("TOIL_BENCH_FANOUT_SETTLED") is { Length: > 0 })
            {
                // Settled, as the judged rows are (set the variable to profile a leader in its steady state).
                Console.WriteLine(FormattableString.Invariant($"  settled after {await WarmUpFanOutAsync(runner, root, jobs, 0)} warm-up jobs"));
            }

            var stores = new List<IJobStore>();
            for (int r = 0; r < rounds; r++)
            {
                IJobStore store = inMemory
                    ? new InMemoryJobStore(new WorkflowConfig { RetryCount = 0 })
                    : await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = Path.Combine(root, "fan-" + Guid.NewGuid().ToString("N")) }, new WorkflowConfig { RetryCount = 0 });
                await CreateFanAsync(store, jobs, new JobRequirements { Cores = 0.1, Memory = "16Mi", Disk = "1Mi" });
                stores.Add(store);
            }

            Console.WriteLine(FormattableString.Invariant($"ready {Environment.ProcessId}"));
            await Task.Delay(TimeSpan.FromSeconds(2));
            foreach (var store in stores)
            {
                long start = Stopwatch.GetTimestamp();
                var result = await runner.RunStoreAsync(store);
                var elapsed = Stopwatch.GetElapsedTime(start);
                Check(result, jobs + 1);
                Console.WriteLine(FormattableString.Invariant($"  fan-out of {jobs}: {(jobs + 1) / elapsed.TotalSeconds:F0} jobs/s; {(store as FileJobStore)?.MessageWrites} stats message files for {result.JobBodiesRun} bodies (docs/decisions.md#message-batches)"));
                await store.DisposeAsync();
            }

            Console.WriteLine("done");
            return 0;
        }
        finally
        {
            WorkerBench.TryDelete(root);
        }
    }

    /// <summary>
    /// A profiling aid for the chain rows (<c>leader N R 0 chain-profile leader|worker|both</c>): warms up both rows
    /// with chains of 100, creates R stores (R of each row for <c>both</c>) with a chain of N, prints "ready PID" and
    /// waits 2 s so a profiler can attach (<c>strace -c -f -p PID</c>, <c>perf record -g -p PID</c>), then runs them
    /// through the leader, by the worker alone, or both alternately, each with its wall and CPU rate and bytes allocated
    /// per job, and prints "done" (docs/performance.md, "Chain through the leader: the per-job cost").
    /// </summary>
    private static async Task<int> ProfileChainAsync(string root, int jobs, int rounds, string mode)
    {
        try
        {
            await using var services = LeaderServices(root);
            var runner = services.GetRequiredService<IWorkflowRunner>();
            var worker = services.GetRequiredService<IWorkerRunner>();
            await ChainViaLeaderAsync(runner, root, 100);
            await ChainWorkerOnlyAsync(worker, root, 100);
            bool[] rows = mode switch
            {
                "worker" => [false],
                "both" => [true, false],
                _ => [true],
            };
            var runs = new List<(bool ViaLeader, FileJobStore Store, string First)>();
            for (int r = 0; r < rounds; r++)
            {
                foreach (bool viaLeader in rows)
                {
                    var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = Path.Combine(root, "pchain-" + Guid.NewGuid().ToString("N")) });
                    runs.Add((viaLeader, store, await WorkerBench.CreateChainAsync(store, jobs)));
                }
            }

            Console.WriteLine(FormattableString.Invariant($"ready {Environment.ProcessId}"));
            await Task.Delay(TimeSpan.FromSeconds(2));
            var rates = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
            foreach (var (viaLeader, store, first) in runs)
            {
                TimeSpan cpu = Environment.CpuUsage.TotalTime;
                long allocated = GC.GetTotalAllocatedBytes(precise: true);
                long start = Stopwatch.GetTimestamp();
                if (viaLeader)
                {
                    Check(await runner.RunStoreAsync(store), 1);
                }
                else
                {
                    await WorkerBench.RunAsync(worker, store, first, jobs);
                }

                var elapsed = Stopwatch.GetElapsedTime(start);
                cpu = Environment.CpuUsage.TotalTime - cpu;
                allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
                rates[viaLeader].Add(jobs / elapsed.TotalSeconds);
                Console.WriteLine(FormattableString.Invariant($"  chain of {jobs} {(viaLeader ? "through the leader" : "worker only       ")}: {jobs / elapsed.TotalSeconds,6:F0} jobs/s, {jobs / cpu.TotalSeconds,6:F0} jobs per CPU-second, {allocated / jobs,6} bytes allocated per job"));
                await store.DisposeAsync();
            }

            if (mode == "both")
            {
                Console.WriteLine(FormattableString.Invariant($"  leader / worker-only (medians of {rounds}): {WorkerBench.Median(rates[true]) / WorkerBench.Median(rates[false]):F2}"));
            }

            Console.WriteLine("done");
            return 0;
        }
        finally
        {
            WorkerBench.TryDelete(root);
        }
    }

    private static ServiceProvider LeaderServices(string root)
    {
        var services = new ServiceCollection();
        services.AddLogging(b =>
        {
            // TOIL_BENCH_LOG=1 prints the leader's and workers' warnings (why a benchmark run failed).
            if (Environment.GetEnvironmentVariable("TOIL_BENCH_LOG") == "1")
            {
                b.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
            }
        });
        services.AddToilLeader(o =>
        {
            o.Clean = CleanPolicy.Never;
            o.Config = new WorkflowConfig { RetryCount = 0 };
        });
        services.Configure<WorkerOptions>(o => o.WorkDir = root);
        services.ConfigureInProcessBatchSystem(o =>
        {
            o.MaxMemory = 64L << 30;
            o.MaxDisk = 64L << 30;
        });
        services.AddToilJob<TrivialJob>();
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// The chain rows' warm-up: pairs of chains of <paramref name="jobs"/> (one through the leader, one by the worker
    /// alone) until a pair makes the JIT compile fewer than <see cref="SettledFanOutJitMethods"/> methods, at most
    /// <see cref="MaxChainWarmupPairs"/>; returns the pairs run.
    /// </summary>
    private static async Task<int> WarmUpChainsAsync(IWorkflowRunner runner, IWorkerRunner worker, string root, int jobs)
    {
        int pairs = 0;
        while (pairs < MaxChainWarmupPairs)
        {
            long before = System.Runtime.JitInfo.GetCompiledMethodCount();
            await ChainViaLeaderAsync(runner, root, jobs);
            await ChainWorkerOnlyAsync(worker, root, jobs);
            pairs++;
            if (System.Runtime.JitInfo.GetCompiledMethodCount() - before < SettledFanOutJitMethods)
            {
                break;
            }
        }

        return pairs;
    }

    /// <summary>
    /// Fan-outs of <paramref name="jobs"/> until one makes the JIT compile fewer than <see cref="SettledFanOutJitMethods"/> methods (or <see cref="FixedFanOutWarmupJobs"/>
    /// jobs, counting <paramref name="already"/>, have run); returns the jobs run in all.
    /// </summary>
    private static async Task<int> WarmUpFanOutAsync(IWorkflowRunner runner, string root, int jobs, int already)
    {
        int? fixedWarmup = FixedFanOutWarmupJobs;
        int warmed = already;
        while (warmed < (fixedWarmup ?? MaxFanOutWarmupJobs))
        {
            long before = System.Runtime.JitInfo.GetCompiledMethodCount();
            var (wall, _) = await FanOutAsync(runner, root, jobs);
            long compiled = System.Runtime.JitInfo.GetCompiledMethodCount() - before;
            warmed += jobs;
            if (WorkerBench.JitTrace)
            {
                Console.WriteLine(FormattableString.Invariant($"    warm-up to {warmed} jobs: {compiled} methods JIT-compiled in the last fan-out, {wall:F0} jobs/s"));
            }

            if (fixedWarmup is null && compiled < SettledFanOutJitMethods)
            {
                break;
            }
        }

        return warmed;
    }

    /// <summary>
    /// A root trivial job with <paramref name="count"/> trivial children (0.1 core each), all created up front: jobs per
    /// second of the whole run's wall time and of the process's CPU time.
    /// </summary>
    private static async Task<(double Wall, double Cpu)> FanOutAsync(IWorkflowRunner runner, string root, int count)
    {
        string dir = Path.Combine(root, "fan-" + Guid.NewGuid().ToString("N"));
        await using var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = dir }, new WorkflowConfig { RetryCount = 0 });
        await CreateFanAsync(store, count, new JobRequirements { Cores = 0.1, Memory = "16Mi", Disk = "1Mi" });
        TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        long start = Stopwatch.GetTimestamp();
        var result = await runner.RunStoreAsync(store);
        var elapsed = Stopwatch.GetElapsedTime(start);
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuStart;
        Check(result, count + 1);
        await store.DestroyAsync();
        return ((count + 1) / elapsed.TotalSeconds, (count + 1) / Math.Max(cpu.TotalSeconds, 1e-6));
    }

    private static async Task<double> ChainViaLeaderAsync(IWorkflowRunner runner, string root, int count)
    {
        string dir = Path.Combine(root, "chain-" + Guid.NewGuid().ToString("N"));
        await using var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = dir });
        await WorkerBench.CreateChainAsync(store, count);
        long start = Stopwatch.GetTimestamp();
        var result = await runner.RunStoreAsync(store);
        var elapsed = Stopwatch.GetElapsedTime(start);
        Check(result, 1);
        await store.DestroyAsync();
        return count / elapsed.TotalSeconds;
    }

    private static async Task<double> ChainWorkerOnlyAsync(IWorkerRunner worker, string root, int count)
    {
        string dir = Path.Combine(root, "wchain-" + Guid.NewGuid().ToString("N"));
        await using var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = dir });
        string first = await WorkerBench.CreateChainAsync(store, count);
        var (wall, _) = await WorkerBench.RunAsync(worker, store, first, count);
        await store.DestroyAsync();
        return count / wall.TotalSeconds;
    }

    /// <summary>
    /// Managed heap growth while the leader holds <paramref name="count"/> issued, pending jobs (a root with that many
    /// children, not run, in an in-memory store built before the baseline; a batch system that queues and runs nothing): the
    /// leader's state plus the queued requests.
    /// </summary>
    private static async Task<double> PendingMemoryAsync(string root, int count)
    {
        // The in-memory store (a file store takes a directory fsync per job to create 100,000 of them): it is built before
        // the baseline is taken, so the growth measured is the leader's state and the queued requests only.
        await using var store = new InMemoryJobStore();
        string bodyId = await store.WriteFileAsync(TrivialJob.BodyDocument(), baseName: "body");
        var parent = new JobDescription(TrivialJob.Name);
        await store.AssignJobIdAsync(parent);
        var children = new List<JobDescription>(4096);
        for (int i = 0; i < count; i++)
        {
            var child = new JobDescription(TrivialJob.Name) { PredecessorNumber = 1 };
            await store.AssignJobIdAsync(child);
            child.AttachBody(new JobBody(TrivialJob.Name, bodyId));
            parent.AddChild(child.JobStoreId);
            children.Add(child);
            if (children.Count == 4096)
            {
                await store.CreateJobsAsync(children);
                children.Clear();
            }
        }

        await store.CreateJobsAsync(children);
        children.Clear();
        await store.CreateJobsAsync([parent]);
        await store.SetRootJobIdAsync(parent.JobStoreId);
        parent = null;

        var batch = new HoldingBatchSystem(count);
        var leader = new WorkflowLeader(store, batch, new LeaderOptions(), NullLogger.Instance, TimeProvider.System, new Dictionary<string, string>());
        long before = GC.GetTotalMemory(forceFullCollection: true);
        using var stop = new CancellationTokenSource();
        var run = leader.RunAsync(stop.Token);
        await batch.Full.WaitAsync(TimeSpan.FromMinutes(10));
        long after = GC.GetTotalMemory(forceFullCollection: true);
        await stop.CancelAsync();
        try
        {
            await run;
        }
        catch (OperationCanceledException)
        {
            // Expected: the run is stopped once the memory is measured.
        }

        GC.KeepAlive(batch);
        return (after - before) / 1048576.0;
    }

    private static void Check(WorkflowResult result, int completed)
    {
        if (!result.Succeeded || result.JobsCompleted != completed)
        {
            throw new InvalidOperationException($"the workflow did not finish as expected: succeeded={result.Succeeded}, completed={result.JobsCompleted}/{completed}");
        }
    }

    private static async Task CreateFanAsync(IJobStore store, int count, JobRequirements requirements)
    {
        byte[] body = TrivialJob.BodyDocument();
        var parent = new JobDescription(TrivialJob.Name, requirements);
        await store.AssignJobIdAsync(parent);
        await JobBodies.AttachAsync(store, parent, TrivialJob.Name, body, CancellationToken.None);
        var jobs = new List<JobDescription>(count + 1);
        for (int i = 0; i < count; i++)
        {
            var child = new JobDescription(TrivialJob.Name, requirements) { PredecessorNumber = 1 };
            await store.AssignJobIdAsync(child);
            await JobBodies.AttachAsync(store, child, TrivialJob.Name, body, CancellationToken.None);
            parent.AddChild(child.JobStoreId);
            jobs.Add(child);
        }

        jobs.Add(parent);
        foreach (var chunk in jobs.Chunk(1024))
        {
            await store.CreateJobsAsync(chunk);
        }

        await store.SetRootJobIdAsync(parent.JobStoreId);
    }

    private static string Verdict(bool met) => met ? "MET" : "MISSED";
}
