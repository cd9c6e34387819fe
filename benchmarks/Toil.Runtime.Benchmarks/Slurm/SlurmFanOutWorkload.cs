using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Leader.BatchSystems;
using Toil.Runtime.Slurm;

namespace Toil.Runtime.Benchmarks.Slurm;

/// <summary>
/// N trivial jobs (worker command <c>/bin/true</c>) issued at once to the <see cref="SlurmBatchSystem"/> on the local
/// cluster (<c>scripts/slurm-local.sh start</c>), in jobs/s, beside the floor of the same run: the same N processes
/// started directly on this machine, as many at once as it has cores (what a local-process batch system could do at
/// best), and through the <see cref="LocalProcessBatchSystem"/> with the same command. Ratio = Slurm jobs/s ÷ local jobs/s: what submitting through Slurm costs per job. Slurm runs twice: one
/// job per attempt, and with <see cref="SlurmBatchSystemOptions.CoalesceJobs"/> (20 attempts per allocation).
/// </summary>
/// <remarks>Args: <c>[jobs] [--poll-ms P]</c>; defaults 200 and 250.</remarks>
public sealed class SlurmFanOutWorkload : IWorkload
{
    /// <inheritdoc />
    public string Name => "slurm-fanout";

    /// <inheritdoc />
    public string Description => "N trivial jobs on the local Slurm cluster, with and without coalescing, vs the same processes started locally";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        int jobs = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        int pollMs = args.SkipWhile(a => a != "--poll-ms").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(250);
        string root = Directory.CreateTempSubdirectory("toil-bench-slurm-").FullName;
        try
        {
            double local = await LocalAsync(jobs);
            Console.WriteLine($"local processes: {jobs} in {local:0.00} s = {jobs / local:0.0} jobs/s ({Environment.ProcessorCount} at once)");
            double batch = await LocalBatchSystemAsync(jobs, Path.Combine(root, "local-batch"));
            Console.WriteLine($"local-process batch system: {jobs} in {batch:0.00} s = {jobs / batch:0.0} jobs/s");
            double slurm;
            try
            {
                slurm = await SlurmAsync(jobs, pollMs, Path.Combine(root, "plain"), coalesce: false);
                Console.WriteLine($"slurm (poll {pollMs} ms): {jobs} in {slurm:0.00} s = {jobs / slurm:0.0} jobs/s");
                double coalesced = await SlurmAsync(jobs, pollMs, Path.Combine(root, "coalesced"), coalesce: true);
                Console.WriteLine($"slurm coalesced (20 per allocation): {jobs} in {coalesced:0.00} s = {jobs / coalesced:0.0} jobs/s");
                Console.WriteLine($"ratio slurm coalesced/local throughput: {local / coalesced:0.000}");
            }
            catch (SlurmCommandException e)
            {
                Console.WriteLine($"skipped Slurm: {e.Message} (start it with `bash scripts/slurm-local.sh start`)");
                return 0;
            }

            Console.WriteLine($"ratio slurm/local throughput: {local / slurm:0.000}");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<double> LocalAsync(int jobs)
    {
        var watch = Stopwatch.StartNew();
        using var slots = new SemaphoreSlim(Environment.ProcessorCount);
        await Task.WhenAll(Enumerable.Range(0, jobs).Select(async _ =>
        {
            await slots.WaitAsync().ConfigureAwait(false);
            try
            {
                using var process = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }
        })).ConfigureAwait(false);
        return watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> LocalBatchSystemAsync(int jobs, string root)
    {
        await using var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = "file:" + Path.Combine(root, "store") }).ConfigureAwait(false);
        await using var batch = new LocalProcessBatchSystem(new LocalProcessBatchSystemOptions
        {
            WorkerCommand = ["/bin/true"],
            WorkDirectory = Path.Combine(root, "work"),
        });
        return await IssueAndWaitAsync(batch, store, jobs, "local-process batch system").ConfigureAwait(false);
    }

    private static async Task<double> IssueAndWaitAsync(IBatchSystem batch, IJobStore store, int jobs, string label)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < jobs; i++)
        {
            await batch.IssueJobAsync(new BatchJobRequest
            {
                JobStoreId = "bench-" + i.ToString(CultureInfo.InvariantCulture),
                JobName = "trivial",
                Resources = new JobResources { Cores = 1, Memory = DataSize.FromInt64(16L << 20) },
                JobStore = store,
            }).ConfigureAwait(false);
        }

        double issued = watch.Elapsed.TotalSeconds;
        int failed = 0;
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        for (int i = 0; i < jobs; i++)
        {
            var update = await batch.WaitForUpdateAsync(bound.Token).ConfigureAwait(false);
            failed += update.ExitReason == BatchJobExitReason.Finished ? 0 : 1;
        }

        Console.WriteLine($"{label}: issuing {jobs} took {issued:0.00} s ({issued / jobs * 1000:0} ms each); {failed} not finished");
        return watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> SlurmAsync(int jobs, int pollMs, string root, bool coalesce)
    {
        await using var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = "file:" + Path.Combine(root, "store") }).ConfigureAwait(false);
        await using var slurm = new SlurmBatchSystem(Options.Create(new SlurmBatchSystemOptions
        {
            WorkerCommand = ["/bin/true"],
            WorkerLogDirectory = Path.Combine(root, "logs"),
            PollInterval = TimeSpan.FromMilliseconds(pollMs),
            CoalesceJobs = coalesce,
            CoalesceMaxJobs = 20,
        }));
        return await IssueAndWaitAsync(slurm, store, jobs, coalesce ? "slurm coalesced" : "slurm").ConfigureAwait(false);
    }
}
