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
/// Args: <c>[jobs] [--aot-host PATH] [--toil PATH] [--samples M] [--rounds R]</c>. <c>--aot-host</c> is a NativeAOT
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
        if (aotHost is null && toil is null)
        {
            Console.WriteLine("skipped: pass --aot-host PATH and/or --toil PATH (LocalProcess/measure-local-process.sh does)");
            return 0;
        }

        Console.WriteLine($"jobs={jobs} cores={Environment.ProcessorCount} samples={samples} rounds={rounds} load={LoadAverage()}");
        string root = Path.Combine(Path.GetTempPath(), "toil-bench-local-process-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            for (int round = 1; round <= rounds; round++)
            {
                if (aotHost is not null)
                {
                    await MeasureAsync($"AOT host (round {round})", [aotHost, "worker"], jobs, samples, Path.Combine(root, $"aot-{round}"), n => PrepareWithHostAsync(aotHost, n, Path.Combine(root, $"aot-{round}")));
                }

                if (toil is not null)
                {
                    await MeasureAsync($"JIT toil worker (round {round})", [Dotnet, toil, "worker"], jobs, samples, Path.Combine(root, $"jit-{round}"), n => PrepareInProcessAsync(n, Path.Combine(root, $"jit-{round}")));
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

    private static async Task MeasureAsync(string label, string[] command, int jobs, int samples, string dir, Func<int, Task<(FileJobStore Store, string JobName, List<string> Ids)>> prepare)
    {
        var (store, jobName, ids) = await prepare(jobs + samples + 2);
        await using var _ = store;
        string work = Path.Combine(dir, "work");
        Directory.CreateDirectory(work);

        // Floor: trivial workers of the same program started one at a time, without the batch system.
        var single = new List<double>();
        for (int i = 0; i < samples + 2; i++)
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
        double workerMs = single[single.Count / 2];

        // The fan-out through the batch system.
        var options = new LocalProcessBatchSystemOptions { WorkerCommand = command, WorkDirectory = work };
        await using var batch = new LocalProcessBatchSystem(options);
        var resources = new JobResources { Cores = 1, Memory = "64Mi", Disk = "64Mi" };
        var clock = Stopwatch.StartNew();
        foreach (string id in ids.Skip(samples + 2))
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
        double floor = Environment.ProcessorCount / (workerMs / 1000);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label,-28} fan-out {rate,8:F1} jobs/s ({seconds:F2} s) | one worker alone {workerMs,7:F1} ms (median of {single.Count}) | floor {floor,7:F1} jobs/s | ratio {rate / floor:F2}"));
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
