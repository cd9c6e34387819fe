using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Worker;

namespace Toil.Runtime.TestHost;

/// <summary>
/// A host that is its own worker program: <c>worker-entry WORKDIR JOBNAME JOBSTORELOCATOR JOBSTOREID</c> runs
/// <see cref="ToilWorkerEntryPoint"/> with the <see cref="WorkerTestJobs"/> registered and the worker's work directory
/// (and so its coordination directory) under <c>WORKDIR</c>.
/// </summary>
public sealed class WorkerEntryScenario : IHostScenario
{
    /// <summary>The scenario's name, shared with the tests.</summary>
    public const string ScenarioName = "worker-entry";

    /// <summary>Set to <c>0</c> to run the worker with <see cref="WorkerOptions.AsynchronousCommits"/> off.</summary>
    public const string AsynchronousCommitsVariable = "TOIL_TEST_ASYNCHRONOUS_COMMITS";

    /// <summary>Set to a number to run the worker with that <see cref="WorkerOptions.MaxUncommittedJobs"/> (group commits).</summary>
    public const string MaxUncommittedJobsVariable = "TOIL_TEST_MAX_UNCOMMITTED_JOBS";

    /// <inheritdoc />
    public string Name => ScenarioName;

    /// <inheritdoc />
    public Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: worker-entry WORKDIR JOBNAME JOBSTORELOCATOR JOBSTOREID");
            return Task.FromResult(2);
        }

        string workDir = args[0];
        return ToilWorkerEntryPoint.RunAsync(args[1..], services =>
        {
            services.Configure<WorkerOptions>(o =>
            {
                o.WorkDir = workDir;
                o.AsynchronousCommits = Environment.GetEnvironmentVariable(AsynchronousCommitsVariable) != "0";
                if (Environment.GetEnvironmentVariable(MaxUncommittedJobsVariable) is { Length: > 0 } max)
                {
                    o.MaxUncommittedJobs = int.Parse(max, System.Globalization.CultureInfo.InvariantCulture);
                }
            });
            new WorkerTestJobs().ConfigureServices(services);
        });
    }
}
