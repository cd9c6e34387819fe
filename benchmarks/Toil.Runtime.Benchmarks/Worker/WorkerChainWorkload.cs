using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Benchmarks.JobStores;
using Toil.Runtime.JobStores;
using Toil.Runtime.Serialization;

namespace Toil.Runtime.Benchmarks.Worker;

/// <summary>
/// A chain of N trivial jobs run by one worker invocation (the worker chains through all of them): jobs/s on the
/// in-memory store, and on the file job store against the fsync+rename floor measured in the same run.
/// Arguments: <c>[jobs=1000] [rounds=5] [memory-only | memory-profile | file-profile]</c> (the profile modes: docs/performance.md, "CPU per chained job"). Targets: in-memory ≥ 20,000 jobs/s; file store ≥ 0.4 × floor.
/// Beside the in-memory row under the runtime's defaults, a second row runs the same chains in a child process with the
/// runtime settings the <c>toil</c> tool ships (tiered PGO off, from its runtimeconfig: docs/decisions.md#worker-runtime-settings).
/// </summary>
public sealed class WorkerChainWorkload : IWorkload
{
    // The targets of the performance work (docs/performance.md, "Targets"); the earlier ones were 20,000 and 0.4.
    private const double InMemoryTarget = 50_000;
    private const double FileRatioTarget = 0.8;

    /// <inheritdoc />
    public string Name => "worker-chain";

    /// <summary>
    /// A fixed warm-up for the in-memory chain's judged rows, in jobs (<c>TOIL_BENCH_WARMUP_JOBS</c>), or
    /// <see langword="null"/> (the default) to warm up until the worker's code has settled: until a window of
    /// <see cref="SettledWindowJobs"/> jobs makes the JIT compile no method, at most <see cref="MaxWarmupJobs"/>. The target
    /// is about the CPU a chained job costs a worker in its steady state; with the runtime's default settings the tiered JIT
    /// (with PGO's instrumented tier) keeps compiling hundreds of methods per 10,000 chained jobs until some 120,000 have
    /// run (docs/performance.md, "In-memory chain: settled is when the JIT stops"). The row printed before it is a worker
    /// early in its life (<see cref="EarlyWarmupJobs"/>), as this benchmark measured it at first.
    /// </summary>
    private static int? FixedWarmupJobs => int.TryParse(Environment.GetEnvironmentVariable("TOIL_BENCH_WARMUP_JOBS"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : null;

    /// <summary>The window whose chains must make the JIT compile nothing for the worker to count as settled.</summary>
    private const int SettledWindowJobs = 10_000;

    /// <summary>The bound of the adaptive warm-up (a runtime whose JIT never stops still gets measured).</summary>
    private const int MaxWarmupJobs = 400_000;

    /// <summary>The warm-up before the early row (what the benchmark's only warm-up was until the fourth pass).</summary>
    private const int EarlyWarmupJobs = 100;

    /// <inheritdoc />
    public string Description => "chain of N trivial jobs in one worker run: in-memory jobs/s; file store vs fsync+rename floor";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        int jobs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        bool memoryOnly = args.Length > 2 && args[2] == "memory-only";
        bool profileFile = args.Length > 2 && args[2] == "file-profile";
        bool profileMemory = args.Length > 2 && args[2] == "memory-profile";
        bool asTool = args.Length > 2 && args[2] == AsToolMode;
        string root = WorkerBench.NewDirectory("chain");
        if (profileFile)
        {
            return await ProfileFileAsync(root, jobs, rounds);
        }

        if (profileMemory)
        {
            return await ProfileMemoryAsync(root, jobs, rounds);
        }

        if (asTool)
        {
            return await InMemoryAsToolAsync(root, jobs, rounds);
        }

        try
        {
            await using var services = WorkerBench.Services(root);
            var runner = services.GetRequiredService<Toil.Runtime.Worker.IWorkerRunner>();

            // Warm-up: JIT the whole path once on each store; the early row; then the warm-up to the settled, judged row.
            var (early, memory, warmedUp, jitted) = await RunInMemoryRowsAsync(runner, jobs, rounds, () => RunFileAsync(runner, root, 1000));
            PrintEarly("in-memory store", early, jobs);
            double memoryRate = WorkerBench.Median([.. memory.Select(r => r.Wall)]);
            double memoryCpuRate = WorkerBench.Median([.. memory.Select(r => r.Cpu)]);
            Console.WriteLine(FormattableString.Invariant($"  in-memory store : {memoryRate,10:F0} jobs/s wall, {memoryCpuRate,10:F0} jobs per CPU-second (median of {rounds} runs of {jobs} after {warmedUp} warm-up jobs, {jitted} methods JIT-compiled during them, the runtime's default settings; target >= {InMemoryTarget:F0}) {Verdict(memoryRate >= InMemoryTarget)}; {WorkerBench.Median([.. memory.Select(r => r.AllocatedPerJob)]):F0} bytes allocated per job"));
            await RunAsToolProcessAsync(jobs, rounds);

            // Attribution: the same chain with the deferred-function manager in memory and without the worker log.
            {
                await using var lean = WorkerBench.Services(root, o => o.DisableWorkerOutputCapture = true, inMemoryDeferred: true);
                var leanRunner = lean.GetRequiredService<Toil.Runtime.Worker.IWorkerRunner>();
                var (leanEarly, leanRates, leanWarmedUp, leanJitted) = await RunInMemoryRowsAsync(leanRunner, jobs, rounds);
                PrintEarly("in-memory store, in-memory deferred manager, no worker log", leanEarly, jobs);
                Console.WriteLine(FormattableString.Invariant($"  in-memory store, in-memory deferred manager, no worker log: {WorkerBench.Median([.. leanRates.Select(r => r.Wall)]),10:F0} jobs/s wall, {WorkerBench.Median([.. leanRates.Select(r => r.Cpu)]),10:F0} jobs per CPU-second (after {leanWarmedUp} warm-up jobs; {leanJitted} methods JIT-compiled during the rounds)"));
            }

            if (memoryOnly)
            {
                return 0;
            }

            // The floor (job-store-file's durable-replace loop) writes a record of a chain job's size in the same
            // directory; rounds alternate so drift in the machine's load hits both alike.
            string floorDir = Directory.CreateDirectory(Path.Combine(root, "floor")).FullName;
            byte[] record = await ChainRecordAsync();
            var file = new List<Rate>();
            var floor = new List<double>();
            for (int r = 0; r < rounds; r++)
            {
                file.Add(await RunFileAsync(runner, root, jobs));
                var (ops, elapsed) = FileJobStoreUpdateWorkload.Floor(Path.Combine(floorDir, "job"), record, 150);
                floor.Add(ops / elapsed.TotalSeconds);
            }

            double fileRate = WorkerBench.Median([.. file.Select(r => r.Wall)]);
            double fileCpuRate = WorkerBench.Median([.. file.Select(r => r.Cpu)]);
            double floorRate = WorkerBench.Median(floor);
            double ratio = fileRate / floorRate;
            Console.WriteLine(FormattableString.Invariant($"  file job store  : {fileRate,10:F0} jobs/s wall, {fileCpuRate,10:F0} jobs per CPU-second (median of {rounds} runs of {jobs})"));
            Console.WriteLine(FormattableString.Invariant($"  fsync+rename    : {floorRate,10:F0} ops/s   (floor, same directory, same run)"));
            Console.WriteLine(FormattableString.Invariant($"  file / floor    : {ratio,10:F2}          (target >= {FileRatioTarget:F1}) {Verdict(ratio >= FileRatioTarget)}"));
            return 0;
        }
        finally
        {
            WorkerBench.TryDelete(root);
        }
    }

    private readonly record struct Rate(double Wall, double Cpu, double AllocatedPerJob = 0);

    private const string AsToolMode = "memory-as-tool";

    /// <summary>
    /// Runs the in-memory rows again in a child process whose runtimeconfig carries the property the <c>toil</c> tool
    /// ships with (<c>System.Runtime.TieredPGO: false</c>) and prints its row. The child is started by the <c>dotnet</c>
    /// host that runs this process, else the one <c>dotnet run</c> names (<c>DOTNET_HOST_PATH</c>), else <c>dotnet</c> on the path.
    /// </summary>
    private static async Task RunAsToolProcessAsync(int jobs, int rounds)
    {
        string assembly = typeof(WorkerChainWorkload).Assembly.Location;
        string runtimeConfig = Path.ChangeExtension(assembly, ".runtimeconfig.json");
        if (!File.Exists(runtimeConfig))
        {
            Console.WriteLine("  (as the toil tool ships: skipped, no runtimeconfig beside the benchmark)");
            return;
        }

        string host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.Ordinal)
            ? path
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } named ? named : "dotnet";

        var config = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(runtimeConfig))!;
        var options = config["runtimeOptions"]!.AsObject();
        if (options["configProperties"] is not System.Text.Json.Nodes.JsonObject properties)
        {
            properties = [];
            options["configProperties"] = properties;
        }

        properties["System.Runtime.TieredPGO"] = false;
        string toolConfig = Path.Combine(Path.GetTempPath(), $"toil-bench-{Environment.ProcessId}.runtimeconfig.json");
        await File.WriteAllTextAsync(toolConfig, config.ToJsonString());
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string arg in (string[])["exec", "--runtimeconfig", toolConfig, assembly, "workload", "worker-chain", jobs.ToString(CultureInfo.InvariantCulture), rounds.ToString(CultureInfo.InvariantCulture), AsToolMode])
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment.Remove("DOTNET_TieredPGO");
            using var child = System.Diagnostics.Process.Start(start)!;
            string output = await child.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await child.WaitForExitAsync(timeout.Token);
            foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.StartsWith("  ", StringComparison.Ordinal))
                {
                    Console.WriteLine(line);
                }
            }
        }
        finally
        {
            File.Delete(toolConfig);
        }
    }

    /// <summary>The child of <see cref="RunAsToolProcessAsync"/>: the same warm-up and in-memory chains, one row.</summary>
    private static async Task<int> InMemoryAsToolAsync(string root, int jobs, int rounds)
    {
        try
        {
            await using var services = WorkerBench.Services(root);
            var runner = services.GetRequiredService<Toil.Runtime.Worker.IWorkerRunner>();
            var (early, memory, warmedUp, jitted) = await RunInMemoryRowsAsync(runner, jobs, rounds, () => RunFileAsync(runner, root, 1000));
            bool pgo = AppContext.TryGetSwitch("System.Runtime.TieredPGO", out bool on) ? on : true;
            PrintEarly($"in-memory store, as the toil tool ships (TieredPGO {(pgo ? "on" : "off")})", early, jobs);
            Console.WriteLine(FormattableString.Invariant($"  in-memory store, as the toil tool ships (TieredPGO {(pgo ? "on" : "off")}): {WorkerBench.Median([.. memory.Select(r => r.Wall)]),10:F0} jobs/s wall, {WorkerBench.Median([.. memory.Select(r => r.Cpu)]),10:F0} jobs per CPU-second (after {warmedUp} warm-up jobs; {jitted} methods JIT-compiled during the rounds); {WorkerBench.Median([.. memory.Select(r => r.AllocatedPerJob)]):F0} bytes allocated per job"));
            return 0;
        }
        finally
        {
            WorkerBench.TryDelete(root);
        }
    }

    /// <summary>
    /// A profiling aid (<c>worker-chain N R file-profile</c>): warms up, prepares a file store chain of N jobs, prints
    /// "ready" and waits 2 s so a profiler can attach (<c>perf record -p PID</c>), then runs it R times.
    /// </summary>
    private static async Task<int> ProfileFileAsync(string root, int jobs, int rounds)
    {
        try
        {
            await using var services = WorkerBench.Services(root);
            var runner = services.GetRequiredService<Toil.Runtime.Worker.IWorkerRunner>();
            await RunFileAsync(runner, root, 200);
            var stores = new List<(FileJobStore Store, string First, string Dir)>();
            for (int r = 0; r < rounds; r++)
            {
                string dir = Path.Combine(root, "store-" + Guid.NewGuid().ToString("N"));
                var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = dir });
                stores.Add((store, await WorkerBench.CreateChainAsync(store, jobs), dir));
            }

            Console.WriteLine(FormattableString.Invariant($"ready {Environment.ProcessId}"));
            await Task.Delay(TimeSpan.FromSeconds(2));
            foreach (var (store, first, _) in stores)
            {
                var (wall, cpu) = await WorkerBench.RunAsync(runner, store, first, jobs);
                Console.WriteLine(FormattableString.Invariant($"  file job store: {jobs / wall.TotalSeconds:F0} jobs/s wall, {jobs / cpu.TotalSeconds:F0} jobs per CPU-second"));
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
    /// A profiling aid (<c>worker-chain N R memory-profile</c>): warms up on the in-memory store only (5 chains of N
    /// jobs, or <c>TOIL_BENCH_WARMUP_JOBS</c> jobs when that is set), prints "ready PID" and waits 2 s so a profiler can attach, then runs R chains of N
    /// jobs with default options and prints jobs per CPU-second and bytes allocated per job over all of them.
    /// </summary>
    private static async Task<int> ProfileMemoryAsync(string root, int jobs, int rounds)
    {
        try
        {
            await using var services = WorkerBench.Services(root);
            var runner = services.GetRequiredService<Toil.Runtime.Worker.IWorkerRunner>();
            // 5 chains of N, or TOIL_BENCH_WARMUP_JOBS jobs in chains of at most N when that is set (100: a worker early in
            // its life; a settled one takes 100,000-170,000 with the runtime's defaults, see RunInMemoryRowsAsync).
            int warmup = FixedWarmupJobs ?? 5 * jobs;
            for (int done = 0; done < warmup; done += jobs)
            {
                await RunInMemoryAsync(runner, Math.Min(jobs, warmup - done));
            }

            Console.WriteLine(FormattableString.Invariant($"ready {Environment.ProcessId}"));
            await Task.Delay(TimeSpan.FromSeconds(2));

            // TOIL_BENCH_ALLOCATION_TYPES=1: also sample which types the chains allocate (runtime allocation ticks).
            using var sampler = Environment.GetEnvironmentVariable("TOIL_BENCH_ALLOCATION_TYPES") == "1" ? new AllocationSampler() : null;
            sampler?.Start();
            var rates = new List<Rate>();
            for (int r = 0; r < rounds; r++)
            {
                rates.Add(await RunInMemoryAsync(runner, jobs, sampler));
            }

            if (sampler is not null)
            {
                var types = sampler.Stop(25);
                foreach (var (type, bytes) in types)
                {
                    Console.WriteLine(FormattableString.Invariant($"  {bytes / (double)(rounds * jobs),8:F0} B/job sampled  {type}"));
                }
            }

            Console.WriteLine(FormattableString.Invariant($"  in-memory store: {WorkerBench.Median([.. rates.Select(r => r.Wall)]):F0} jobs/s wall, {WorkerBench.Median([.. rates.Select(r => r.Cpu)]):F0} jobs per CPU-second, {WorkerBench.Median([.. rates.Select(r => r.AllocatedPerJob)]):F0} bytes allocated per job (medians of {rounds} chains of {jobs})"));
            Console.WriteLine("done");
            return 0;
        }
        finally
        {
            WorkerBench.TryDelete(root);
        }
    }

    private static async Task<byte[]> ChainRecordAsync()
    {
        await using var store = new InMemoryJobStore();
        string first = await WorkerBench.CreateChainAsync(store, 2);
        return JobDescriptionSerializer.Serialize(await store.LoadJobAsync(first));
    }

    private static string Verdict(bool met) => met ? "MET" : "MISSED";

    /// <summary>
    /// The in-memory rows of one runner: <paramref name="rounds"/> chains after <see cref="EarlyWarmupJobs"/> warm-up jobs
    /// (and <paramref name="afterEarlyWarmup"/>), then more chains until the JIT has settled (or <see cref="FixedWarmupJobs"/> jobs have run in all),
    /// then <paramref name="rounds"/> chains again; with the jobs run before those and the methods the JIT compiled during them.
    /// </summary>
    private static async Task<(List<Rate> Early, List<Rate> Settled, int WarmupJobs, long JudgedJitMethods)> RunInMemoryRowsAsync(Toil.Runtime.Worker.IWorkerRunner runner, int jobs, int rounds, Func<Task>? afterEarlyWarmup = null)
    {
        await RunInMemoryAsync(runner, EarlyWarmupJobs);
        if (afterEarlyWarmup is not null)
        {
            await afterEarlyWarmup();
        }

        var early = new List<Rate>();
        for (int r = 0; r < rounds; r++)
        {
            early.Add(await RunInMemoryAsync(runner, jobs));
        }

        int? fixedWarmup = FixedWarmupJobs;
        int done = EarlyWarmupJobs + (rounds * jobs);
        long windowMethods = System.Runtime.JitInfo.GetCompiledMethodCount();
        long windowStart = Stopwatch.GetTimestamp();
        int windowJobs = 0;
        while (done < (fixedWarmup ?? MaxWarmupJobs))
        {
            int n = fixedWarmup is { } limit ? Math.Min(jobs, limit - done) : jobs;
            await RunInMemoryAsync(runner, n);
            done += n;
            windowJobs += n;
            if (windowJobs >= SettledWindowJobs)
            {
                long methods = System.Runtime.JitInfo.GetCompiledMethodCount();
                if (WorkerBench.JitTrace)
                {
                    Console.WriteLine(FormattableString.Invariant($"    warm-up to {done} jobs: {methods - windowMethods} methods JIT-compiled in the last {windowJobs}, {windowJobs / Stopwatch.GetElapsedTime(windowStart).TotalSeconds:F0} jobs/s"));
                }

                if (fixedWarmup is null && methods == windowMethods)
                {
                    break;
                }

                windowMethods = methods;
                windowStart = Stopwatch.GetTimestamp();
                windowJobs = 0;
            }
        }

        var settled = new List<Rate>();
        long jitBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
        for (int r = 0; r < rounds; r++)
        {
            settled.Add(await RunInMemoryAsync(runner, jobs));
        }

        return (early, settled, done, System.Runtime.JitInfo.GetCompiledMethodCount() - jitBefore);
    }

    private static void PrintEarly(string row, List<Rate> early, int jobs) =>
        Console.WriteLine(FormattableString.Invariant($"  {row}, early (after {EarlyWarmupJobs} warm-up jobs, not judged): {WorkerBench.Median([.. early.Select(r => r.Wall)]),10:F0} jobs/s wall, {WorkerBench.Median([.. early.Select(r => r.Cpu)]),10:F0} jobs per CPU-second (median of {early.Count} runs of {jobs})"));

    private static async Task<Rate> RunInMemoryAsync(Toil.Runtime.Worker.IWorkerRunner runner, int jobs, AllocationSampler? sampler = null)
    {
        await using var store = new InMemoryJobStore();
        string first = await WorkerBench.CreateChainAsync(store, jobs);
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        sampler?.Record(true);
        var (wall, cpu) = await WorkerBench.RunAsync(runner, store, first, jobs);
        sampler?.Record(false);
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        return new Rate(jobs / wall.TotalSeconds, jobs / cpu.TotalSeconds, allocated / (double)jobs);
    }

    private static async Task<Rate> RunFileAsync(Toil.Runtime.Worker.IWorkerRunner runner, string root, int jobs)
    {
        string dir = Path.Combine(root, "store-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = dir });
            string first = await WorkerBench.CreateChainAsync(store, jobs);
            var (wall, cpu) = await WorkerBench.RunAsync(runner, store, first, jobs);
            return new Rate(jobs / wall.TotalSeconds, jobs / cpu.TotalSeconds);
        }
        finally
        {
            WorkerBench.TryDelete(dir);
        }
    }
}
