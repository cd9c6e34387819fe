using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

// A host that is its own worker program, with its jobs registered generically so it can be published with NativeAOT.
//   AotWorkerHost worker JOBNAME JOBSTORELOCATOR JOBSTOREID   the worker process a batch system starts (exit code = the worker's)
//   AotWorkerHost prepare STOREDIR COUNT                      creates a file job store holding COUNT trivial jobs; prints their IDs
//   AotWorkerHost check STOREDIR                              fails unless every job was run and deleted
//   AotWorkerHost floor                                       exits at once (the cost of starting this process)
static void Register(IServiceCollection services) => services.AddToilJob(NoopJob.Type);

switch (args)
{
    case ["worker", .. var workerArgs]:
        return await ToilWorkerEntryPoint.RunAsync(workerArgs, Register);

    case ["prepare", var storeDir, var countText]:
    {
        var services = new ServiceCollection();
        Register(services);
        var registry = services.AddToilRuntime().BuildServiceProvider().GetRequiredService<JobTypeRegistry>();
        await using var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = storeDir });
        for (int i = int.Parse(countText, CultureInfo.InvariantCulture); i > 0; i--)
        {
            Console.WriteLine(await store.CreateRootJobAsync(registry, NoopJob.Type, "noop"));
        }

        return 0;
    }

    case ["check", var storeDir]:
    {
        await using var store = await FileJobStore.OpenAsync(storeDir);
        int left = 0;
        await foreach (var job in store.ListJobsAsync())
        {
            left++;
        }

        Console.Error.WriteLine(left == 0 ? "every job ran and was deleted" : $"{left} jobs were not run");
        return left == 0 ? 0 : 1;
    }

    case ["floor"]:
        return 0;

    default:
        Console.Error.WriteLine("usage: AotWorkerHost worker JOBNAME JOBSTORELOCATOR JOBSTOREID | prepare STOREDIR COUNT | check STOREDIR | floor");
        return 2;
}

/// <summary>The trivial job whose worker start-up is measured.</summary>
internal sealed class NoopJob : IJob<string>
{
    public static JobType<NoopJob, string> Type { get; } = JobType.Create<NoopJob, string>(HostJson.Default.String, "noop");

    public ValueTask RunAsync(string input, JobContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>Source-generated JSON of the job's input.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class HostJson : JsonSerializerContext
{
}
