using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.JobStores;
using Toil.Runtime.Stats;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Benchmarks.Worker;

/// <summary>
/// Is the worker's memory flat along a long chain? One worker run chains through N jobs while the GC heap is
/// sampled (after a full collection) from inside the job at about ten points; prints the least-squares slope in bytes
/// per job, the first and last samples, the time, and what the end of the run (stats, deletes) allocated.
/// Arguments: <c>[jobs=100000] [growing|prepared] [memory|file]</c> (the job store: in memory, or a file job store in
/// the temp directory, whose stats message is streamed to disk instead of buffered).
/// <list type="bullet">
/// <item><c>growing</c> (default): each job adds the next as its child as it runs, so the store holds a couple of jobs
/// at any time and what grows is the worker's own.</item>
/// <item><c>prepared</c>: the whole chain is created in the store first; the store then shrinks as the chain runs,
/// which offsets (and hides) what the worker keeps.</item>
/// </list>
/// Target: slope &lt; 8 bytes per job from job N/10 on (under 1 MiB over 100,000 jobs).
/// </summary>
public sealed class WorkerChainMemoryWorkload : IWorkload
{
    private const double SlopeTarget = 8;

    /// <inheritdoc />
    public string Name => "worker-chain-memory";

    /// <inheritdoc />
    public string Description => "chain of N jobs in one worker run: GC heap along the run, least-squares bytes per job ([jobs] [growing|prepared] [memory|file])";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        int jobs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        bool prepared = args.Length > 1 && args[1] == "prepared";
        bool file = args.Length > 2 && args[2] == "file";
        if ((!prepared && args.Length > 1 && args[1] != "growing") || (!file && args.Length > 2 && args[2] != "memory"))
        {
            Console.Error.WriteLine($"unknown arguments '{string.Join(' ', args[1..])}' ([growing|prepared] [memory|file])");
            return 2;
        }

        int every = Math.Max(1, jobs / 10);
        string root = WorkerBench.NewDirectory("memory");
        try
        {
            await using var services = WorkerBench.Services(root);
            var runner = services.GetRequiredService<IWorkerRunner>();

            // Warm-up past the stats spool's in-memory count, so the measured run's first samples are not JIT and pools.
            _ = await RunAsync(runner, root, prepared, file, Math.Min(jobs, (2 * StatsSpool.DefaultInMemoryCount) + 500), null);

            var samples = new List<(long Job, long Heap)>(16);
            long allocatedAtLastJob = 0;
            long before = GC.GetTotalMemory(forceFullCollection: true);
            void Sample(long n)
            {
                if (n == 1 || n % every == 0)
                {
                    samples.Add((n, GC.GetTotalMemory(forceFullCollection: true)));
                }

                if (n == jobs)
                {
                    allocatedAtLastJob = GC.GetTotalAllocatedBytes(precise: true);
                }
            }

            var (elapsed, statsBytes, statsJobs, allocatedAtEnd) = await RunAsync(runner, root, prepared, file, jobs, Sample);
            long after = GC.GetTotalMemory(forceFullCollection: true);

            Console.WriteLine(FormattableString.Invariant($"  {(prepared ? "prepared" : "growing")} chain of {jobs} jobs in one worker run on the {(file ? "file" : "in-memory")} job store: {elapsed.TotalSeconds:F1} s ({jobs / elapsed.TotalSeconds:F0} jobs/s, heap sampled {samples.Count} times)"));
            Console.WriteLine(FormattableString.Invariant($"  heap before the run {Mib(before)} MiB, after it {Mib(after)} MiB; stats message {statsBytes / 1048576.0:F1} MiB listing {statsJobs} jobs"));
            Console.WriteLine(FormattableString.Invariant($"  allocated from the last job's body to the end of the run (stats, log, deletes): {Mib(allocatedAtEnd - allocatedAtLastJob)} MiB"));
            foreach (var (job, heap) in samples)
            {
                Console.WriteLine(FormattableString.Invariant($"  at job {job,7}: heap {Mib(heap),7} MiB"));
            }

            // Judged from job N/10 on: the sample at job 1 still holds what the warm-up left, and the first
            // StatsSpool.DefaultInMemoryCount jobs fill the run's bounded in-memory part (about 0.5 MiB) by design.
            double slope = Slope(samples);
            double steady = Slope([.. samples.Where(s => s.Job >= every)]);
            var (firstJob, firstHeap) = samples[0];
            var (lastJob, lastHeap) = samples[^1];
            Console.WriteLine(FormattableString.Invariant(
                $"  first {Mib(firstHeap)} MiB (job {firstJob}) -> last {Mib(lastHeap)} MiB (job {lastJob}); least-squares slope {steady:F2} bytes per job from job {every} on (target < {SlopeTarget:F0}) {Verdict(prepared, steady)}; {slope:F2} over all samples"));
            if (statsJobs != jobs)
            {
                Console.Error.WriteLine($"the stats message lists {statsJobs} jobs, not {jobs}");
                return 1;
            }

            return 0;
        }
        finally
        {
            GrowingChainJob.OnRun = null;
            TrivialJob.OnRun = null;
            WorkerBench.TryDelete(root);
        }
    }

    private static async Task<(TimeSpan Wall, long StatsBytes, int StatsJobs, long Allocated)> RunAsync(IWorkerRunner runner, string root, bool prepared, bool file, int jobs, Action<long>? onRun)
    {
        await using IJobStore store = file
            ? await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = Path.Combine(root, "store-" + Guid.NewGuid().ToString("N")) })
            : new InMemoryJobStore();
        string first = prepared ? await WorkerBench.CreateChainAsync(store, jobs) : await WorkerBench.CreateGrowingChainAsync(store, jobs);
        TrivialJob.ResetRuns();
        GrowingChainJob.ResetRuns();
        TrivialJob.OnRun = onRun;
        GrowingChainJob.OnRun = onRun;
        TimeSpan wall;
        long allocated;
        try
        {
            wall = (await WorkerBench.RunAsync(runner, store, first, jobs)).Wall;
            allocated = GC.GetTotalAllocatedBytes(precise: true);
        }
        finally
        {
            TrivialJob.OnRun = null;
            GrowingChainJob.OnRun = null;
        }

        long bytes = 0;
        int listed = 0;
        await store.ReadLogsAsync(async (s, ct) =>
        {
            using var buffer = new MemoryStream();
            await s.CopyToAsync(buffer, ct);
            bytes += buffer.Length;
            listed += StatsDocument.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)).Jobs.Count;
        });
        return (wall, bytes, listed, allocated);
    }

    // The prepared chain's store shrinks as the chain runs, which a growing worker could hide: no verdict there.
    private static string Verdict(bool prepared, double slope) =>
        prepared ? "(no verdict: the store's release dominates)" : slope < SlopeTarget ? "MET" : "MISSED";

    private static double Slope(List<(long Job, long Heap)> samples)
    {
        double meanX = samples.Average(s => (double)s.Job);
        double meanY = samples.Average(s => (double)s.Heap);
        double num = samples.Sum(s => (s.Job - meanX) * (s.Heap - meanY));
        double den = samples.Sum(s => (s.Job - meanX) * (s.Job - meanX));
        return den == 0 ? 0 : num / den;
    }

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("F2", CultureInfo.InvariantCulture);
}
