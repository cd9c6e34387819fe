using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;
using Toil.Runtime.Benchmarks.JobStores;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Benchmarks.Worker;

/// <summary>
/// What creating a fan-out costs the job that creates it: a <see cref="FanParentJob"/> adds N trivial children through
/// the authoring API (<c>context.AddChild</c>), and one worker run of it (its body, the save of the N new jobs and its
/// commit) is timed on a fresh file job store, against the fsync+rename floor measured in the same run.
/// Arguments: <c>[children=1000] [rounds=5]</c> (docs/performance.md, "Inline bodies").
/// </summary>
public sealed class AuthoringFanWorkload : IWorkload
{
    /// <inheritdoc />
    public string Name => "authoring-fan";

    /// <inheritdoc />
    public string Description => "a job that adds N children through the authoring API, on the file job store: children created per second vs the fsync+rename floor";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        int children = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        string root = WorkerBench.NewDirectory("authoring-fan");
        try
        {
            await using var services = WorkerBench.Services(root, configure: null, inMemoryDeferred: false, extra: s => s.AddToilJob<FanParentJob>());
            var runner = services.GetRequiredService<IWorkerRunner>();
            var registry = services.GetRequiredService<JobTypeRegistry>();
            await CreateFanAsync(runner, registry, root, 100); // warm-up: JIT the path once

            string floorDir = Directory.CreateDirectory(Path.Combine(root, "floor")).FullName;
            byte[] record = new byte[600];
            var rates = new List<double>();
            var floor = new List<double>();
            for (int r = 0; r < rounds; r++)
            {
                rates.Add(await CreateFanAsync(runner, registry, root, children));
                var (ops, elapsed) = FileJobStoreUpdateWorkload.Floor(Path.Combine(floorDir, "job"), record, 300);
                floor.Add(ops / elapsed.TotalSeconds);
            }

            double rate = WorkerBench.Median(rates);
            double floorRate = WorkerBench.Median(floor);
            Console.WriteLine(FormattableString.Invariant($"  children created : {rate,10:F0} jobs/s (median of {rounds} fan-outs of {children}; runs {string.Join(", ", rates.Select(x => x.ToString("F0", CultureInfo.InvariantCulture)))})"));
            Console.WriteLine(FormattableString.Invariant($"  fsync+rename     : {floorRate,10:F0} ops/s  (floor, same run)"));
            Console.WriteLine(FormattableString.Invariant($"  created / floor  : {rate / floorRate,10:F2}"));
            return 0;
        }
        finally
        {
            WorkerBench.TryDelete(root);
        }
    }

    private static async Task<double> CreateFanAsync(IWorkerRunner runner, JobTypeRegistry registry, string root, int children)
    {
        await using var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = Path.Combine(root, "store-" + Guid.NewGuid().ToString("N")) }, new WorkflowConfig { RetryCount = 0 });
        string parent = await store.CreateRootJobAsync<FanParentJob, int>(registry, children);
        long start = Stopwatch.GetTimestamp();
        var result = await runner.RunAsync(new WorkerRequest(store, parent));
        var elapsed = Stopwatch.GetElapsedTime(start);
        if (result.ExitCode != 0 || await store.ListJobsAsync().CountAsync() != children + 1)
        {
            throw new InvalidOperationException($"the fan-out was not created: exit code {result.ExitCode}, {result.Error}");
        }

        await store.DestroyAsync();
        return children / elapsed.TotalSeconds;
    }
}

/// <summary>Adds as many <see cref="TrivialJob"/> children as its input says.</summary>
public sealed class FanParentJob : IJob<int>, IToilJobType
{
    /// <summary>The registered name.</summary>
    public const string Name = "bench-fan-parent";

    /// <inheritdoc />
    public static JobTypeRegistration Registration { get; } = JobTypeRegistration.Create<FanParentJob, int>(FanParentJobJson.Default.Int32, Name);

    /// <inheritdoc />
    public ValueTask RunAsync(int input, JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        for (int i = 0; i < input; i++)
        {
            context.AddChild<TrivialJob, string>("x");
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>Source-generated JSON of the fan parent's input.</summary>
[JsonSerializable(typeof(int))]
internal sealed partial class FanParentJobJson : JsonSerializerContext
{
}
