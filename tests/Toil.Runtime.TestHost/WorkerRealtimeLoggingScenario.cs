using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Authoring;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.TestHost;

/// <summary>
/// A worker process set up as a <c>toil worker</c> host is: <c>AddLogging().AddToilRuntime(...)</c> and a job type,
/// nothing about real-time logging (the leader's <c>TOIL_RT_LOGGING_*</c> variables are in the environment the test
/// gives it). It runs one job in process mode; the job logs "rt info from the worker" at info, "rt debug from the worker"
/// at debug and "rt job done" at critical through <see cref="JobContext.RealtimeLogger"/>. Afterwards the scenario
/// prints the worker log between <c>LOG-BEGIN</c> and <c>LOG-END</c> and exits with the runner's code.
/// Arguments: <c>workDir</c>.
/// </summary>
public sealed partial class WorkerRealtimeLoggingScenario : IHostScenario
{
    /// <inheritdoc />
    public string Name => "worker-rt-logging";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddToilRuntime(o =>
            {
                o.WorkDir = args[0];
                o.CleanWorkDir = CleanWorkDirPolicy.Never;
            })
            .AddToilJob<RealtimeLoggingJob, RealtimeJobInput>(RealtimeJobJsonContext.Default.RealtimeJobInput)
            .BuildServiceProvider();
        var store = new InMemoryJobStore();
        string root = await store.CreateRootJobAsync<RealtimeLoggingJob, RealtimeJobInput>(services.GetRequiredService<JobTypeRegistry>(), new RealtimeJobInput("from the worker"));

        var result = await services.GetRequiredService<IWorkerRunner>().RunAsync(new WorkerRequest(store, root) { Mode = WorkerMode.Process });

        Console.WriteLine("LOG-BEGIN");
        Console.WriteLine(await File.ReadAllTextAsync(Path.Combine(result.RetainedTempDirectory!, "worker_log.txt")));
        Console.WriteLine("LOG-END");
        Console.Out.Flush();
        return result.ExitCode;
    }

    /// <summary>The job's input.</summary>
    /// <param name="Text">Appended to each message.</param>
    public sealed record RealtimeJobInput(string Text);

    /// <summary>The job: logs at info, debug and critical through the real-time logger.</summary>
    [ToilJob("test-host-rt-logging")]
    public sealed class RealtimeLoggingJob : IJob<RealtimeJobInput>
    {
        /// <inheritdoc />
        public ValueTask RunAsync(RealtimeJobInput input, JobContext context, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(context);
            context.RealtimeLogger.LogInformation("rt info {Text}", input.Text);
            context.RealtimeLogger.LogDebug("rt debug {Text}", input.Text);
            context.RealtimeLogger.LogCritical("rt job done");
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Source-generated JSON for <see cref="RealtimeJobInput"/>.</summary>
    [JsonSerializable(typeof(RealtimeJobInput))]
    public sealed partial class RealtimeJobJsonContext : JsonSerializerContext
    {
    }
}
