using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.TestHost;

/// <summary>
/// <c>worker-slow-commits WORKDIR STOREDIR JOBSTOREID DELAYMS MAXUNCOMMITTED</c>: one worker run of the job on the file
/// job store at <c>STOREDIR</c>, whose job updates each wait <c>DELAYMS</c> first (<see cref="SlowUpdateJobStore"/>), with
/// <see cref="WorkerOptions.MaxUncommittedJobs"/> = <c>MAXUNCOMMITTED</c>: chained jobs run while a write is in flight,
/// so their commits coalesce (docs/decisions.md#group-commits) and a kill lands inside a group. Exits with the run's code.
/// </summary>
public sealed class WorkerSlowCommitsScenario : IHostScenario
{
    /// <summary>The scenario's name, shared with the tests.</summary>
    public const string ScenarioName = "worker-slow-commits";

    /// <inheritdoc />
    public string Name => ScenarioName;

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 5)
        {
            await Console.Error.WriteLineAsync("usage: worker-slow-commits WORKDIR STOREDIR JOBSTOREID DELAYMS MAXUNCOMMITTED");
            return 2;
        }

        string workDir = args[0];
        var services = new ServiceCollection().AddToilRuntime(o =>
        {
            o.WorkDir = workDir;
            o.CoordinationDir = Path.Combine(workDir, "coord");
            o.MaxUncommittedJobs = int.Parse(args[4], CultureInfo.InvariantCulture);
            o.MaxUncommittedTime = TimeSpan.FromMinutes(1);
        });
        new WorkerTestJobs().ConfigureServices(services);
        await using var provider = services.BuildServiceProvider();
        var runner = provider.GetRequiredService<IWorkerRunner>();
        await using var store = new SlowUpdateJobStore(await FileJobStore.OpenAsync(args[1]), TimeSpan.FromMilliseconds(int.Parse(args[3], CultureInfo.InvariantCulture)));
        var result = await runner.RunAsync(new WorkerRequest(store, args[2]));
        Console.WriteLine($"coalesced-run exit={result.ExitCode} jobs={result.JobsRunCount}");
        return result.ExitCode;
    }
}
