using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Jobs;
using Toil.Runtime.Leader.Progress;
using Toil.Runtime.Leader.Workflows;
using Toil.Runtime.Worker;

namespace HelloWorkflow;

/// <summary>The sample's workflow, run by the leader on a file job store in a directory of the caller's.</summary>
public static class HelloWorkflowRun
{
    /// <summary>The text whose words the workflow counts, in chunks.</summary>
    public static IReadOnlyList<string> Chunks { get; } =
    [
        "a job store is the only state",
        "that a leader and its workers share",
        "so everything a worker decides",
        "reaches the leader through it",
    ];

    /// <summary>Runs the workflow in <paramref name="directory"/>; prints progress and the result to <paramref name="output"/>.</summary>
    /// <param name="directory">Holds the job store, the workers' directories and the scratch files; left empty.</param>
    /// <param name="output">Receives the progress lines and the result.</param>
    /// <param name="timelinePath">Where the leader writes the run's timeline (an HTML page); <see langword="null"/> for none.</param>
    /// <param name="observer">Watches the run's progress (the console display); <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The root job's return value (the number of chunks).</returns>
    public static async Task<int> RunAsync(string directory, TextWriter output, string? timelinePath = null, IWorkflowObserver? observer = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        string work = Directory.CreateDirectory(Path.Combine(directory, "work")).FullName;
        string scratch = Directory.CreateDirectory(Path.Combine(directory, "scratch")).FullName;
        try
        {
            var collection = new ServiceCollection();
            if (observer is not null)
            {
                collection.AddSingleton(observer);
            }

            await using var services = collection
                .AddLogging(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(new ProgressLoggerProvider(output)))
                .AddToilLeader(o =>
                {
                    o.JobStore = "file:" + Path.Combine(directory, "store");
                    // One retry per job (Toil's default), with a short back-off so the sample runs in seconds.
                    o.Config = new WorkflowConfig { RetryCount = 1, RetryBackoffSeconds = 0.2 };
                    o.TimelinePath = timelinePath;
                })
                .Configure<WorkerOptions>(o => o.WorkDir = work)
                .AddToilJob(WordCountJob.Type).AddToilJob(CountChunkJob.Type).AddToilJob(SumJob.Type).AddToilJob(GreetJob.Type)
                .AddToilJob(ShoutJob.Type).AddToilJob(PublishJob.Type).AddToilJob(FlakyUploadJob.Type)
                .BuildServiceProvider();

            var runner = services.GetRequiredService<IWorkflowRunner>();
            int chunks = await runner.RunAsync(WordCountJob.Type, new("Toil.Runtime", [.. Chunks], scratch), cancellationToken);
            output.WriteLine($"result: the root job returned {chunks} (chunks counted); the workflow succeeded and its job store is gone");
            return chunks;
        }
        catch (FailedJobsException e)
        {
            output.WriteLine($"result: the workflow failed: {e.Message}");
            throw;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
            Directory.Delete(work, recursive: true);
        }
    }
}

