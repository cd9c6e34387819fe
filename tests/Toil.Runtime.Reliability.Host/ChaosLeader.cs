using System.Collections;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Toil.Runtime.Jobs;
using Toil.Runtime.Leader.Workflows;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Reliability.Host;

/// <summary>
/// The <c>leader STORE WORKDIR OUTFILE N</c> command: runs (or restarts) the campaign's workflow on the local-process
/// batch system (4 slots, this program as the worker, a warm pool when <see cref="ChaosPoints.WarmWorkersVariable"/> says so), keeps the store on success (the campaign inspects it), and hands
/// every <c>TOIL_CHAOS_*</c> variable of its own environment to its workers.
/// </summary>
public static class ChaosLeader
{
    /// <summary>The exit code of a run that ended with failed jobs (the campaign restarts it).</summary>
    public const int FailedJobsExitCode = 3;

    /// <summary>The retries of each job: the doomed child needs them all before its checkpoint restarts.</summary>
    public const int RetryCount = 4;

    /// <summary>Runs the command.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        string locator = "file:" + args[0];
        string workDir = args[1];
        string outFile = args[2];
        int n = int.Parse(args[3], CultureInfo.InvariantCulture);
        // The leader's log goes to standard error, which the campaign keeps beside a workflow that broke a check.
        var services = new ServiceCollection().AddLogging(b => b
            .SetMinimumLevel(LogLevel.Information)
            .AddSimpleConsole(c => { c.SingleLine = true; c.TimestampFormat = "HH:mm:ss.fff "; })
            .AddFilter("Toil.Runtime.Worker", LogLevel.Warning));
        services.Configure<ConsoleLoggerOptions>(c => c.LogToStandardErrorThreshold = LogLevel.Trace);
        ChaosJobs.Register(services);
        await using var provider = services
            .AddToilLeader(o =>
            {
                o.JobStore = locator;
                o.Restart = true;
                o.Clean = CleanPolicy.Never;
                o.Config = new WorkflowConfig { RetryCount = RetryCount, RetryBackoffSeconds = 0 };
                o.StatsPollInterval = TimeSpan.FromMilliseconds(100);
                o.WorkerEnvironment["TOIL_WORKDIR"] = workDir;
                o.WorkerEnvironment["TOIL_COORDINATION_DIR"] = workDir;
                foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
                {
                    if (e.Key is string name && name.StartsWith("TOIL_CHAOS_", StringComparison.Ordinal))
                    {
                        o.WorkerEnvironment[name] = (string)e.Value!;
                    }
                }
            })
            .AddLocalProcessBatchSystem(o =>
            {
                o.WorkerCommand = [.. WorkerCommand()];
                o.Cores = 4;
                o.Memory = 16L << 30;
                o.Disk = 16L << 30;
                o.KillGracePeriod = TimeSpan.FromSeconds(5);
                o.WarmWorkers = int.TryParse(Environment.GetEnvironmentVariable(ChaosPoints.WarmWorkersVariable), CultureInfo.InvariantCulture, out int warm) ? warm : 0;
            })
            .Configure<WorkerOptions>(o => { o.WorkDir = workDir; o.CoordinationDir = workDir; })
            .BuildServiceProvider();
        try
        {
            var result = await provider.GetRequiredService<IWorkflowRunner>().RunWorkflowAsync<ChaosRootJob, ChaosInput>(new(n, outFile));
            Console.WriteLine(Summary(result));
            return result.Succeeded ? 0 : FailedJobsExitCode;
        }
        catch (FailedJobsException e)
        {
            // The campaign counts the checkpoint restarts of failed runs too (a restart reruns the checkpoint).
            Console.WriteLine(Summary(e.Result));
            Console.Error.WriteLine(e.Message);
            return FailedJobsExitCode;
        }
    }

    /// <summary>The line the campaign parses (<c>checkpointRestarts=</c>) from every run that ended.</summary>
    private static string Summary(WorkflowResult result) => string.Create(CultureInfo.InvariantCulture,
        $"succeeded={result.Succeeded} attempts={result.AttemptsIssued} failedAttempts={result.FailedAttempts} checkpointRestarts={result.CheckpointRestarts}");

    /// <summary>This program's worker command (<c>dotnet host.dll worker</c> or the apphost and <c>worker</c>).</summary>
    public static IEnumerable<string> WorkerCommand()
    {
        string program = Environment.ProcessPath!;
        yield return program;
        if (Path.GetFileNameWithoutExtension(program) == "dotnet")
        {
            yield return Assembly.GetEntryAssembly()!.Location;
        }

        yield return "worker";
    }
}
