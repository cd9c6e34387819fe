using HostedWorkflow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Toil.Runtime.Hosting.Workflows;
using Toil.Runtime.Leader.Telemetry;
using Toil.Runtime.Telemetry;

// The host handles SIGTERM and Ctrl+C: the run is cancelled, running jobs are killed, their deferred functions run, and
// the store stays; "Restart": true in appsettings.json makes the next start continue it (docs/hosting.md).
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddToilLeader(builder.Configuration.GetSection("Toil"));
builder.Services.AddToilJob<GreetAllJob>().AddToilJob<GreetJob>();
// Whom to greet: the "Names" section (appsettings.json, or --Names:0=Ada --Names:1=Grace on the command line).
string[] names = [.. builder.Configuration.GetSection("Names").GetChildren().Select(n => n.Value).OfType<string>()];
builder.Services.AddToilWorkflow<GreetAllJob, string[]>(_ => names.Length > 0 ? names : ["Ada", "Grace", "Barbara", "Frances"]);

if (args.Contains("--telemetry"))
{
    // Spans and metrics of the leader and the in-process workers, printed by the OpenTelemetry console exporter.
    builder.Services.AddOpenTelemetry()
        .WithTracing(t => t.AddSource(LeaderInstrumentation.ActivitySourceName, WorkerInstrumentation.ActivitySourceName).AddConsoleExporter())
        .WithMetrics(m => m.AddMeter(LeaderInstrumentation.MeterName, WorkerInstrumentation.MeterName).AddConsoleExporter());
}

using var host = builder.Build();
var run = host.Services.GetRequiredService<ToilWorkflowRun>();
await host.RunAsync();

try
{
    var result = await run.Completion;
    Console.WriteLine(result.Succeeded
        ? $"Workflow succeeded: {result.JobsCompleted} jobs, {result.AttemptsIssued} attempts in {result.WallTime.TotalSeconds:0.0} s."
        : $"Workflow failed: {result.FailedJobs.Count} jobs failed for good; the store is kept for 'toil status'.");
    return result.Succeeded ? 0 : 1;
}
catch (OperationCanceledException)
{
    Console.WriteLine("Stopped: the store is kept; run again to continue the workflow.");
    return 130;
}
