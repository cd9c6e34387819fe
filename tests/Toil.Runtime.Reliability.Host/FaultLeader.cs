using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Toil.Runtime.Jobs;
using Toil.Runtime.Leader.Workflows;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Reliability.Host;

/// <summary>
/// The <c>fault-leader STORE WORKDIR EFFECTS COUNT</c> command: runs (or restarts) <see cref="ManyChildrenJob"/> with
/// <c>COUNT</c> children, waiting on its first attempt for the <c>go</c> file, on the in-process batch system (the worker
/// runs in this process) with 30 retries 0.5 s apart. The permission test starts it as another user
/// (docs/reliability.md, "Faults of the machine"); its log, with every failed attempt's error, goes to standard error.
/// </summary>
public static class FaultLeader
{
    /// <summary>Runs the command; 0 when the workflow succeeded, 3 when it ended with failed jobs, 1 when the store refused a write of the leader's.</summary>
    public static async Task<int> RunAsync(string store, string work, string effects, int count)
    {
        var services = new ServiceCollection().AddLogging(b => b.SetMinimumLevel(LogLevel.Information).AddSimpleConsole(c => c.SingleLine = true));
        services.Configure<ConsoleLoggerOptions>(c => c.LogToStandardErrorThreshold = LogLevel.Trace);
        await using var provider = FaultJobs.Register(services)
            .AddToilLeader(o =>
            {
                o.JobStore = "file:" + store;
                o.Restart = true;
                o.Clean = CleanPolicy.Never;
                o.Config = new WorkflowConfig { RetryCount = 30, RetryBackoffSeconds = 0.5 };
                o.StatsPollInterval = TimeSpan.FromMilliseconds(100);
            })
            .ConfigureInProcessBatchSystem(o => { o.MaxCores = 2; o.MaxMemory = 8L << 30; o.MaxDisk = 8L << 30; })
            .Configure<WorkerOptions>(o => { o.WorkDir = work; o.CoordinationDir = work; })
            .BuildServiceProvider();
        WorkflowResult result;
        try
        {
            result = await provider.GetRequiredService<IWorkflowRunner>().RunWorkflowAsync<ManyChildrenJob, ManyChildrenInput>(new(count, 100, effects, "wait"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The store refused a write the leader itself had to make: the run ends with the error (exit 1).
            Console.Error.WriteLine($"leader run ended: {e.GetType().Name}: {e.Message}");
            return 1;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"succeeded={result.Succeeded} attempts={result.AttemptsIssued} failedAttempts={result.FailedAttempts}"));
        return result.Succeeded ? 0 : 3;
    }
}
