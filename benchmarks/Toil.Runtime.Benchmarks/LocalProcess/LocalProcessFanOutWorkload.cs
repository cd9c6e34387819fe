using System.Diagnostics;
using System.Globalization;
using Toil.Runtime.Authoring;
using Toil.Runtime.Benchmarks.Worker;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Leader.BatchSystems;

namespace Toil.Runtime.Benchmarks.LocalProcess;

/// <summary>
/// A fan-out of N trivial jobs issued straight to the <see cref="LocalProcessBatchSystem"/> (one worker process per job,
/// one core each, as many at once as the machine has cores), in jobs/s, beside the floor of the same run: the machine's
/// cores divided by the time one trivial worker of the same program takes when started alone (the median of M
/// sequential starts). Ratio = jobs/s ÷ (cores ÷ worker time); 1.0 means the batch system adds nothing to the workers.
/// </summary>
/// <remarks>
/// Args: <c>[jobs] [--aot-host PATH] [--toil PATH] [--samples M] [--rounds R] [--warm W]</c>. With <c>--warm W</c> each program
/// also runs the fan-out through a warm worker pool of W serving processes (<c>WarmWorkers</c>), compared with the AOT
/// host's spawn floor when it was measured. <c>--aot-host</c> is a NativeAOT
/// publish of <c>samples/AotWorkerHost</c> (its own worker program through <c>ToilWorkerEntryPoint</c>); <c>--toil</c>
/// is <c>toil.dll</c> of <c>src/Toil.Runtime.Cli</c> (JIT <c>toil worker</c>, with this assembly as the job assembly).
/// <c>LocalProcess/measure-local-process.sh</c> publishes and builds both and runs this.
/// </remarks>
public sealed class LocalProcessFanOutWorkload : IWorkload
{
    /// <inheritdoc />
    public string Name => "local-process-fanout";

    /// <inheritdoc />
    public string Description => "fan-out of N trivial jobs on the local-process batch system vs cores / (trivial worker start time)";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        int jobs = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
        string? aotHost = Option(args, "--aot-host");
        string? toil = Option(args, "--toil");
        int samples = int.Parse(Option(args, "--samples") ?? "20", CultureInfo.InvariantCulture);
        int rounds = int.Parse(Option(args, "--rounds") ?? "1", CultureInfo.InvariantCulture);
        int warm = int.Parse(Option(args, "--warm") ?? "0", CultureInfo.InvariantCulture);
        if (aotHost is null && toil is null)
        {
            Console.WriteLine("skipped: pass --aot-host PATH and/or --toil PATH (LocalProcess/measure-local-process.sh does)");
            return 0;
        }

        Console.WriteLine($"jobs={jobs} cores={Environment.ProcessorCount} samples={samples} rounds={rounds} warm={warm} load={LoadAverage()}");
        string root = Path.Combine(Path.GetTempPath(), "toil-bench-local-process-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            for (int round = 1; round <= rounds; round++)
            {
                // The spawn floor is the AOT host's (cores / its one-worker time); the warm pools are compared with it too.
                double? aotFloor = null;
                if (aotHost is not null)
                {
                    string dir = Path.Combine(root, $"aot-{round}");
                    aotFloor = await MeasureAsync($"AOT host (round {round})", [aotHost, "worker"], jobs, samples, dir, n => PrepareWithHostAsync(aotHost, n, dir), warm: 0, floor: null);
                    if (warm > 0)
                    {
                        string warmDir = Path.Combine(root, $"aot-warm-{round}");
                        await MeasureAsync($"AOT host, {warm} warm (round {round})", [aotHost, "worker"], jobs, samples, warmDir, n => PrepareWithHostAsync(aotHost, n, warmDir), warm, aotFloor);
                    }
                }

                if (toil is not null)
                {
                    string dir = Path.Combine(root, $"jit-{round}");
                    double jitFloor = await MeasureAsync($"JIT toil worker (round {round})", [Dotnet, toil, "worker"], jobs, samples, dir, n => PrepareInProcessAsync(n, dir), warm: 0, floor: null);
                    if (warm > 0)
                    {
                        string warmDir = Path.Combine(root, $"jit-warm-{round}");
                        await MeasureAsync($"JIT toil, {warm} warm (round {round})", [Dotnet, toil, "worker"], jobs, samples, warmDir, n => PrepareInProcessAsync(n, warmDir), warm, aotFloor ?? jitFloor);
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        return 0;
    }

    private static string Dotnet => Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";

    /// <summary>Runs the fan-out; with <paramref name="floor"/> given (a warm pool) the one-worker samples are skipped and it is compared with that floor.</summary>
    /// <returns>The floor in jobs/s (cores / one worker's time).</returns>
    private static async Task<double> MeasureAsync(
        string label, string[] command, int jobs, int samples, string dir, Func<int, Task<(FileJobStore Store, string JobName, List<string> Ids)>> prepare, int warm, double? floor)
    {
        int singles = floor is null ? samples + 2 : 0;
        var (store, jobName, ids) = await prepare(jobs + singles);
        await using var _ = store;
        string work = Path.Combine(dir, "work");
        Directory.CreateDirectory(work);

        // Floor: trivial workers of the same program started one at a time, without the batch system.
        var single = new List<double>();
        for (int i = 0; i < singles; i++)
        {
            var psi = new ProcessStartInfo(command[0]) { UseShellExecute = false };
            foreach (string a in command.Skip(1).Concat([jobName, store.Locator, ids[i]]))
            {
                psi.ArgumentList.Add(a);
            }

            psi.Environment["TOIL_WORKDIR"] = work;
            var watch = Stopwatch.StartNew();
            using var process = Process.Start(psi)!;
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{label}: a single worker exited with {process.ExitCode}");
            }

            if (i >= 2)
            {
                single.Add(watch.Elapsed.TotalMilliseconds);   // the first two warm the page cache
            }
        }

        single.Sort();
        double workerMs = single.Count > 0 ? single[single.Count / 2] : double.NaN;
        double floorRate = floor ?? Environment.ProcessorCount / (workerMs / 1000);

        // The fan-out through the batch system; CPU counts the leader and its reaped worker processes (after shutdown).
        var cpuBefore = CpuWithChildren();
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var options = new LocalProcessBatchSystemOptions { WorkerCommand = command, WorkDirectory = work, WarmWorkers = warm };
        var batch = new LocalProcessBatchSystem(options);
        var resources = new JobResources { Cores = 1, Memory = "64Mi", Disk = "64Mi" };
        var clock = Stopwatch.StartNew();
        foreach (string id in ids.Skip(singles))
        {
            await batch.IssueJobAsync(new BatchJobRequest { JobStoreId = id, JobName = jobName, JobStore = store, Resources = resources });
        }

        for (int i = 0; i < jobs; i++)
        {
            var update = await batch.WaitForUpdateAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(5));
            if (update.ExitReason != BatchJobExitReason.Finished)
            {
                throw new InvalidOperationException($"{label}: attempt {update.BatchJobId} ended {update.ExitReason} ({update.Detail})");
            }
        }

        double seconds = clock.Elapsed.TotalSeconds;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        await batch.DisposeAsync();
        var cpu = CpuWithChildren() - cpuBefore;
        int left = 0;
        await foreach (var job in store.ListJobsAsync())
        {
            left++;
        }

        if (left != 0)
        {
            throw new InvalidOperationException($"{label}: {left} jobs were not run and deleted");
        }

        double rate = jobs / seconds;
        string alone = floor is null ? $"one worker alone {workerMs,7:F1} ms (median of {single.Count})" : "floor of the spawn row above      ";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label,-30} fan-out {rate,8:F1} jobs/s ({seconds:F2} s) | {alone} | floor {floorRate,7:F1} jobs/s | ratio {rate / floorRate:F2} | CPU {cpu.TotalMilliseconds / jobs,6:F1} ms/job | leader {allocated / jobs,8:N0} B/job"));
        return floorRate;
    }

    /// <summary>This process's CPU time plus that of its reaped children (fields 14-17 of <c>/proc/self/stat</c>, in clock ticks of 10 ms).</summary>
    private static TimeSpan CpuWithChildren()
    {
        try
        {
            string stat = File.ReadAllText("/proc/self/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

            // fields[0] is field 3; utime, stime, cutime, cstime are fields 14..17.
            long ticks = Enumerable.Range(11, 4).Sum(i => long.Parse(fields[i], CultureInfo.InvariantCulture));
            return TimeSpan.FromMilliseconds(ticks * 10);
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }
    }

    /// <summary>The AOT host's own <c>prepare</c> command makes the jobs (its job type is the host's).</summary>
    private static async Task<(FileJobStore, string, List<string>)> PrepareWithHostAsync(string host, int count, string dir)
    {
        Directory.CreateDirectory(dir);
        string storeDir = Path.Combine(dir, "store");
        var psi = new ProcessStartInfo(host) { UseShellExecute = false, RedirectStandardOutput = true, ArgumentList = { "prepare", storeDir, count.ToString(CultureInfo.InvariantCulture) } };
        using var process = Process.Start(psi)!;
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        var ids = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (process.ExitCode != 0 || ids.Count != count)
        {
            throw new InvalidOperationException($"'{host} prepare' exited {process.ExitCode} with {ids.Count} of {count} jobs");
        }

        return (await FileJobStore.OpenAsync(storeDir), "noop", ids);
    }

    /// <summary>Jobs of <see cref="TrivialJob"/> in a store whose workflow names this assembly as its job assembly.</summary>
    private static async Task<(FileJobStore, string, List<string>)> PrepareInProcessAsync(int count, string dir)
    {
        Directory.CreateDirectory(dir);
        var store = await FileJobStore.CreateAsync(
            new FileJobStoreOptions { Locator = "file:" + Path.Combine(dir, "store") },
            new WorkflowConfig { JobAssemblies = [typeof(TrivialJob).Assembly.Location] });
        var registry = new JobTypeRegistry(TrivialJob.Registration);
        var ids = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            ids.Add(await store.CreateRootJobAsync<TrivialJob, string>(registry, "x"));
        }

        return (store, TrivialJob.Name, ids);
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
