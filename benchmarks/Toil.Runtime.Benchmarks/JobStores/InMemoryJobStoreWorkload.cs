using System.Diagnostics;
using System.Globalization;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Serialization;

namespace Toil.Runtime.Benchmarks.JobStores;

/// <summary>
/// <see cref="InMemoryJobStore"/> load + update on one thread, reported per wall-clock second and per second of this
/// thread's CPU time: on a shared, loaded machine the CPU-time rate is what an idle core would do (target ≥ 200,000/s).
/// Also splits out the JSON serialize/deserialize cost. Argument: <c>[seconds]</c>.
/// </summary>
public sealed class InMemoryJobStoreWorkload : IWorkload
{
    private const int SplitIterations = 200_000;

    /// <inheritdoc />
    public string Name => "job-store-memory";

    /// <inheritdoc />
    public string Description => "InMemoryJobStore load+update on one thread, per wall and per CPU second (target >= 200,000/s)";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        await using var store = new InMemoryJobStore();
        var job = new JobDescription("bench", new JobRequirements { Memory = "2Gi", Cores = 1 }, unitName: "unit");
        job.AttachBody(new JobBody("bench.body", "files-flat/file-0/body"));
        job.AddChild("kind-child/instance-00000001");
        string id = await store.CreateJobAsync(job);

        // Long enough for tiered compilation to reach tier 1 even when the machine is busy (its background JIT starves).
        Run(store, id, TimeSpan.FromSeconds(3));

        var loaded = await store.LoadJobAsync(id);
        byte[] record = JobDescriptionSerializer.Serialize(loaded);

        // The store keeps a copy of such a job instead of its JSON, so the loop above no longer warms these up.
        for (int i = 0; i < SplitIterations; i++)
        {
            _ = JobDescriptionSerializer.Deserialize(JobDescriptionSerializer.Serialize(loaded), id);
        }

        TimeSpan c0 = CurrentThreadCpu();
        for (int i = 0; i < SplitIterations; i++)
        {
            _ = JobDescriptionSerializer.Serialize(loaded);
        }

        TimeSpan c1 = CurrentThreadCpu();
        for (int i = 0; i < SplitIterations; i++)
        {
            _ = JobDescriptionSerializer.Deserialize(record, id);
        }

        TimeSpan c2 = CurrentThreadCpu();
        var (ops, wall, cpu) = Run(store, id, TimeSpan.FromSeconds(seconds));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"record {record.Length} bytes: serialize {(c1 - c0).TotalMilliseconds * 1000 / SplitIterations:F2} us CPU, deserialize {(c2 - c1).TotalMilliseconds * 1000 / SplitIterations:F2} us CPU"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load+update  {ops / wall.TotalSeconds,10:F0} /s wall   {ops / cpu.TotalSeconds,10:F0} /s CPU   {cpu.TotalMilliseconds * 1000 / ops:F2} us CPU/op"));
        Console.WriteLine(ops / cpu.TotalSeconds >= 200_000 ? "target met (>= 200,000/s per CPU second)" : "TARGET MISSED (< 200,000/s per CPU second)");
        return 0;
    }

    private static (long Ops, TimeSpan Wall, TimeSpan Cpu) Run(InMemoryJobStore store, string id, TimeSpan duration)
    {
        TimeSpan cpuStart = CurrentThreadCpu();
        var clock = Stopwatch.StartNew();
        long ops = 0;
        while (clock.Elapsed < duration)
        {
            for (int i = 0; i < 256; i++)
            {
                // Both complete synchronously: the in-memory store never yields.
                var loaded = store.LoadJobAsync(id).GetAwaiter().GetResult();
                store.UpdateJobAsync(loaded).GetAwaiter().GetResult();
            }

            ops += 256;
        }

        return (ops, clock.Elapsed, CurrentThreadCpu() - cpuStart);
    }

    // This thread's user + system time from /proc (clock ticks of 10 ms): immune to other processes' load.
    internal static TimeSpan CurrentThreadCpu()
    {
        string stat = File.ReadAllText("/proc/thread-self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }
}
