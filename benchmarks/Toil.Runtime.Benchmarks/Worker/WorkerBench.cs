using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;
using Toil.Runtime.Deferred;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Benchmarks.Worker;

/// <summary>What the worker workloads share: a runner with the trivial job registered, and job graphs built directly in a store.</summary>
internal static class WorkerBench
{
    /// <summary>A fresh directory under the temp directory; the caller deletes it.</summary>
    public static string NewDirectory(string name)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"toil-bench-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>
    /// A service provider holding the runtime, <see cref="TrivialJob"/> and <see cref="GrowingChainJob"/> (and what
    /// <paramref name="extra"/> adds); work directories under <paramref name="workDir"/>.
    /// </summary>
    public static ServiceProvider Services(string workDir, Action<WorkerOptions>? configure = null, bool inMemoryDeferred = false, Action<IServiceCollection>? extra = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        if (inMemoryDeferred)
        {
            services.AddSingleton<IDeferredFunctionManagerFactory>(sp => new InMemoryDeferredFunctionManagerFactory(sp.GetRequiredService<DeferredFunctionRegistry>()));
        }

        services.AddToilRuntime(o =>
        {
            o.WorkDir = workDir;
            // Attribution knobs (docs/performance.md, "Worker", "Group commits"): the delete batch, the commit mode, the group bound.
            if (Environment.GetEnvironmentVariable("TOIL_BENCH_DELETE_BATCH") is { } batch)
            {
                o.ChainedRecordDeleteBatch = int.Parse(batch, System.Globalization.CultureInfo.InvariantCulture);
            }

            if (Environment.GetEnvironmentVariable("TOIL_BENCH_ASYNCHRONOUS_COMMITS") is { } asynchronous)
            {
                o.AsynchronousCommits = asynchronous != "0";
            }

            if (Environment.GetEnvironmentVariable("TOIL_BENCH_MAX_UNCOMMITTED_JOBS") is { } uncommitted)
            {
                o.MaxUncommittedJobs = int.Parse(uncommitted, System.Globalization.CultureInfo.InvariantCulture);
            }

            configure?.Invoke(o);
        });
        services.AddToilJob<TrivialJob>();
        services.AddToilJob<GrowingChainJob>();
        extra?.Invoke(services);
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// Creates <paramref name="count"/> trivial jobs, each the only child of the one before, so that one worker run
    /// chains through all of them; returns the first job's ID. Built directly in the store (as the authoring layer
    /// saves a graph: IDs, each job's body inline in its record where the store keeps it there (else a body file), jobs created in batches), so only the worker run is measured.
    /// </summary>
    public static async Task<string> CreateChainAsync(IJobStore store, int count)
    {
        byte[] body = TrivialJob.BodyDocument();
        var jobs = new List<JobDescription>(count);
        for (int i = 0; i < count; i++)
        {
            var job = new JobDescription(TrivialJob.Name);
            await store.AssignJobIdAsync(job);
            await JobBodies.AttachAsync(store, job, TrivialJob.Name, body, CancellationToken.None);
            if (i > 0)
            {
                job.PredecessorNumber = 1;
                jobs[i - 1].AddChild(job.JobStoreId);
            }

            jobs.Add(job);
        }

        foreach (var batch in jobs.Chunk(1024))
        {
            await store.CreateJobsAsync(batch);
        }

        await store.SetRootJobIdAsync(jobs[0].JobStoreId);
        return jobs[0].JobStoreId;
    }

    /// <summary>
    /// Creates one <see cref="GrowingChainJob"/> that grows a chain of <paramref name="count"/> jobs as it runs (each
    /// adds the next as its child), so that the store never holds the chain; returns its ID.
    /// </summary>
    public static async Task<string> CreateGrowingChainAsync(IJobStore store, int count)
    {
        var job = new JobDescription(GrowingChainJob.Name);
        await store.AssignJobIdAsync(job);
        await JobBodies.AttachAsync(store, job, GrowingChainJob.Name, GrowingChainJob.BodyDocument(count), CancellationToken.None);
        await store.CreateJobsAsync([job]);
        await store.SetRootJobIdAsync(job.JobStoreId);
        return job.JobStoreId;
    }

    /// <summary>
    /// Runs the worker on <paramref name="jobId"/> and checks that it ran <paramref name="expectedJobs"/> jobs and deleted
    /// them; returns the wall time and the process's CPU time (all threads) the run took. On a shared, oversubscribed
    /// machine the CPU time is the steadier measure of the work done.
    /// </summary>
    public static async Task<(TimeSpan Wall, TimeSpan Cpu)> RunAsync(IWorkerRunner runner, IJobStore store, string jobId, int expectedJobs)
    {
        TimeSpan cpu = Environment.CpuUsage.TotalTime;
        long start = Stopwatch.GetTimestamp();
        var result = await runner.RunAsync(new WorkerRequest(store, jobId));
        var elapsed = Stopwatch.GetElapsedTime(start);
        cpu = Environment.CpuUsage.TotalTime - cpu;
        if (result.Failed || result.JobsRunCount != expectedJobs || !result.SubtreeDeleted)
        {
            throw new InvalidOperationException(
                $"the worker ran {result.JobsRunCount}/{expectedJobs} jobs, failed={result.Failed}, deleted={result.SubtreeDeleted}: {result.Error}");
        }

        return (elapsed, cpu);
    }

    /// <summary>Whether warm-ups print what the JIT compiled in each window (<c>TOIL_BENCH_JIT_TRACE</c> set).</summary>
    public static bool JitTrace => Environment.GetEnvironmentVariable("TOIL_BENCH_JIT_TRACE") is { Length: > 0 };

    /// <summary>The median of <paramref name="values"/>.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Best-effort recursive delete.</summary>
    public static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
