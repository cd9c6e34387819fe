using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace EmbeddedWorker;

/// <summary>
/// The sample's workflow: a file job store under <c>directory</c>, the job graph of <see cref="PlanJob"/>, and
/// <see cref="MiniScheduler"/> driving the in-process <see cref="IWorkerRunner"/> over it.
/// </summary>
public static class EmbeddedWorkflow
{
    /// <summary>The text whose words the workflow counts.</summary>
    public const string Text = "a job store is the only state that a leader and its workers share so everything a worker decides reaches the leader through it";

    /// <summary>Runs the workflow in <paramref name="directory"/> (which must exist and is left for the caller to delete).</summary>
    /// <param name="directory">Holds the job store, the workers' work directory and the outputs.</param>
    /// <param name="output">Receives the progress lines.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>What happened.</returns>
    public static async Task<EmbeddedWorkflowResult> RunAsync(string directory, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        string work = Directory.CreateDirectory(Path.Combine(directory, "work")).FullName;
        string results = Directory.CreateDirectory(Path.Combine(directory, "results")).FullName;

        await using var services = new ServiceCollection()
            .AddLogging()
            .AddToilRuntime(o => o.WorkDir = work)
            .AddToilJob(PlanJob.Type).AddToilJob(GreetJob.Type).AddToilJob(ShoutJob.Type).AddToilJob(SplitJob.Type)
            .AddToilJob(CountJob.Type).AddToilJob(SumJob.Type).AddToilJob(GuardedJob.Type).AddToilJob(FlakyJob.Type)
            .BuildServiceProvider();

        // One retry per job (Toil's default), with a short back-off so the sample runs in seconds.
        var config = new WorkflowConfig { RetryCount = 1, RetryBackoffSeconds = 0.2 };
        string locator = "file:" + Path.Combine(directory, "store");
        await using var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = locator }, config, cancellationToken: cancellationToken);
        string root = await store.CreateRootJobAsync(
            services.GetRequiredService<JobTypeRegistry>(), PlanJob.Type, new PlanInput("embedded worker", Text, Parts: 3, results), cancellationToken: cancellationToken);
        output.WriteLine($"job store {locator}, root job {root}");

        var scheduler = new MiniScheduler(store, services.GetRequiredService<IWorkerRunner>(), output);
        bool succeeded = await scheduler.RunAsync(root, cancellationToken);

        string totalFile = Path.Combine(results, "total.txt");
        int? total = File.Exists(totalFile) ? int.Parse(await File.ReadAllTextAsync(totalFile, cancellationToken), System.Globalization.CultureInfo.InvariantCulture) : null;
        int jobsLeft = 0;
        await foreach (var _ in store.ListJobsAsync(cancellationToken))
        {
            jobsLeft++;
        }

        return new EmbeddedWorkflowResult(succeeded, scheduler.Report, total, jobsLeft);
    }
}
