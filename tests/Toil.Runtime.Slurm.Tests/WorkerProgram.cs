using HelloWorkflow;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Leader.TestHost;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Slurm.Tests;

/// <summary>
/// The worker program the Slurm jobs of these tests run: <c>dotnet Toil.Runtime.Slurm.Tests.dll MODE JOBNAME LOCATOR ID</c>,
/// a host that is its own worker through <see cref="ToilWorkerEntryPoint"/>. Two modes, because the sample and the
/// leader's test jobs both name a job type <c>sum</c>.
/// </summary>
public static class WorkerProgram
{
    public const string HelloMode = "worker-hello";

    public const string LeaderMode = "worker-leader";

    public static Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.FirstOrDefault() switch
        {
            HelloMode => ToilWorkerEntryPoint.RunAsync(args[1..], s => s
                .AddToilJob<WordCountJob>().AddToilJob<CountChunkJob>().AddToilJob<HelloWorkflow.SumJob>().AddToilJob<GreetJob>()
                .AddToilJob<ShoutJob>().AddToilJob<PublishJob>().AddToilJob<FlakyUploadJob>()),
            LeaderMode => ToilWorkerEntryPoint.RunAsync(args[1..], s => s
                .AddToilJob<LetterJob>().AddToilJob<StaticGraphJob>().AddToilJob<AlwaysFailJob>().AddToilJob<NoopJob>().AddToilJob<MemoryHogJob>()),
            _ => Task.FromResult(Usage()),
        };
    }

    /// <summary>The worker command for <paramref name="mode"/>: this machine's dotnet host running this assembly.</summary>
    public static IList<string> Command(string mode)
    {
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h)
            ? h
            : Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        return [host, typeof(WorkerProgram).Assembly.Location, mode];
    }

    private static int Usage()
    {
        Console.Error.WriteLine($"usage: Toil.Runtime.Slurm.Tests {HelloMode}|{LeaderMode} JOBNAME JOBSTORELOCATOR JOBSTOREID");
        return ToilWorkerEntryPoint.UsageErrorExitCode;
    }
}
