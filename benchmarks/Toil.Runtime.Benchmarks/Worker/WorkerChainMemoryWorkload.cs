using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Benchmarks.Worker;

/// <summary>
/// A chain of N trivial jobs in one in-memory worker run, sampling the GC heap (after a full collection) every N/10 jobs
/// from inside the job: is the worker's memory flat along a long chain? Arguments: <c>[jobs=100000]</c>.
/// </summary>
public sealed class WorkerChainMemoryWorkload : IWorkload
{
    /// <inheritdoc />
    public string Name => "worker-chain-memory";

    /// <inheritdoc />
    public string Description => "chain of N trivial jobs in memory: GC heap sampled along the run, first vs last";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        int jobs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        int every = Math.Max(1, jobs / 10);
        string root = WorkerBench.NewDirectory("memory");
        try
        {
            await using var services = WorkerBench.Services(root);
            var runner = services.GetRequiredService<IWorkerRunner>();
            await using var store = new InMemoryJobStore();
            string first = await WorkerBench.CreateChainAsync(store, jobs);
            var samples = new List<(long Job, long Heap)>();
            long before = GC.GetTotalMemory(forceFullCollection: true);
            TrivialJob.ResetRuns();
            TrivialJob.OnRun = n =>
            {
                if (n % every == 0 || n == 1)
                {
                    samples.Add((n, GC.GetTotalMemory(forceFullCollection: true)));
                }
            };
            TimeSpan elapsed;
            try
            {
                elapsed = (await WorkerBench.RunAsync(runner, store, first, jobs)).Wall;
            }
            finally
            {
                TrivialJob.OnRun = null;
            }

            long after = GC.GetTotalMemory(forceFullCollection: true);
            Console.WriteLine(FormattableString.Invariant($"  {jobs} jobs chained in {elapsed.TotalSeconds:F1} s; heap before the run {before / 1048576.0:F1} MiB, after {after / 1048576.0:F1} MiB"));
            foreach (var (job, heap) in samples)
            {
                Console.WriteLine(FormattableString.Invariant($"  at job {job,7}: heap {heap / 1048576.0,7:F1} MiB"));
            }

            var (firstJob, firstHeap) = samples[0];
            var (lastJob, lastHeap) = samples[^1];
            double perJob = (lastHeap - firstHeap) / (double)Math.Max(1, lastJob - firstJob);
            Console.WriteLine(FormattableString.Invariant($"  first vs last sample: {firstHeap / 1048576.0:F1} MiB -> {lastHeap / 1048576.0:F1} MiB ({perJob:F0} bytes per chained job)"));
            return 0;
        }
        finally
        {
            WorkerBench.TryDelete(root);
        }
    }
}
