using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Benchmarks.Worker;

/// <summary>
/// The in-process cost of one worker invocation around an empty job (load, log file, work and job directories,
/// deferred-function manager, commit, stats, clean-up, delete), on the in-memory store so storage does not count.
/// Arguments: <c>[runs=2000]</c>. Target: median ≤ 1 ms.
/// </summary>
public sealed class WorkerOverheadWorkload : IWorkload
{
    private const double TargetMs = 1.0;

    /// <inheritdoc />
    public string Name => "worker-overhead";

    /// <inheritdoc />
    public string Description => "in-process worker invocation around an empty job, in-memory store: median and p90";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        int runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        string root = WorkerBench.NewDirectory("overhead");
        try
        {
            // The default first (the target), then with the parts that touch the disk switched off one by one, to
            // show where the time goes.
            (string Name, Action<WorkerOptions>? Configure, bool InMemoryDeferred)[] variants =
            [
                ("default options", null, false),
                ("no worker log capture", o => o.DisableWorkerOutputCapture = true, false),
                ("in-memory deferred manager", null, true),
                ("both", o => o.DisableWorkerOutputCapture = true, true),
            ];
            foreach (var (name, configure, inMemoryDeferred) in variants)
            {
                await using var services = WorkerBench.Services(root, configure, inMemoryDeferred);
                var runner = services.GetRequiredService<IWorkerRunner>();
                await MeasureAsync(runner, Math.Max(20, runs / 10));
                var measured = await MeasureAsync(runner, runs);
                var sorted = measured.Select(m => m.Wall).Order().ToArray();
                double median = WorkerBench.Median(sorted);
                double cpuMedian = WorkerBench.Median([.. measured.Select(m => m.Cpu)]);
                double p90 = sorted[(int)(sorted.Length * 0.9)];
                string verdict = configure is null && !inMemoryDeferred ? (median <= TargetMs ? $" (target <= {TargetMs:F1} ms) MET" : $" (target <= {TargetMs:F1} ms) MISSED") : string.Empty;
                Console.WriteLine(FormattableString.Invariant(
                    $"  {name,-28}: median {median,7:F3} ms, p90 {p90,7:F3} ms, min {sorted[0],7:F3} ms, CPU median {cpuMedian,7:F3} ms over {runs} runs{verdict}"));
            }

            return 0;
        }
        finally
        {
            WorkerBench.TryDelete(root);
        }
    }

    private static async Task<List<(double Wall, double Cpu)>> MeasureAsync(IWorkerRunner runner, int runs)
    {
        await using var store = new InMemoryJobStore();
        var ids = new List<string>(runs);
        for (int i = 0; i < runs; i++)
        {
            ids.Add(await WorkerBench.CreateChainAsync(store, 1));
        }

        var times = new List<(double Wall, double Cpu)>(runs);
        foreach (string id in ids)
        {
            var (wall, cpu) = await WorkerBench.RunAsync(runner, store, id, 1);
            times.Add((wall.TotalMilliseconds, cpu.TotalMilliseconds));
        }

        return times;
    }
}
