using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Toil.Runtime.Authoring;
using Toil.Runtime.Deferred;
using Toil.Runtime.FileStores;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Tests.FileStores;

namespace Toil.Runtime.Tests.Authoring;

/// <summary>
/// Every test job registered through DI, a recording in-memory job store, and a miniature worker and leader: a job runs
/// through the invoker with a <see cref="NonCachingFileStore"/> and is committed like the worker does (consumed promises deleted
/// with the commit); a subtree runs body, then each successor phase, then deletes the job.
/// </summary>
internal sealed class AuthoringHarness : IAsyncDisposable
{
    public AuthoringHarness(Action<IServiceCollection>? configure = null)
    {
        WorkDir = Path.Combine(Path.GetTempPath(), "toil-authoring-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(WorkDir);
        var services = new ServiceCollection()
            .AddSingleton(Script)
            .AddSingleton(new Greeting { Word = "Hi" })
            .AddToilJob<Greeter, NameInput, string>(AuthoringTestJson.Default.NameInput, AuthoringTestJson.Default.String)
            .AddToilJob<CountWords, CountInput, int>(AuthoringTestJson.Default.CountInput, AuthoringTestJson.Default.Int32)
            .AddToilJob<Sum, SumInput, int>(AuthoringTestJson.Default.SumInput, AuthoringTestJson.Default.Int32)
            .AddToilJob<FanOut, FanInput, int>(AuthoringTestJson.Default.FanInput, AuthoringTestJson.Default.Int32)
            .AddToilJob<AppendLetter, ChainInput, string>(AuthoringTestJson.Default.ChainInput, AuthoringTestJson.Default.String)
            .AddToilJob<Scripted, ScriptInput>(AuthoringTestJson.Default.ScriptInput)
            .AddToilJob<FileChain, FileChainInput>(AuthoringTestJson.Default.FileChainInput)
            .AddToilJob<ReturnsPromise, NameInput, ChainInput>(AuthoringTestJson.Default.NameInput, AuthoringTestJson.Default.ChainInput)
            .AddToilJob<SelfDescribing>();
        configure?.Invoke(services);
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        DeferredRegistry = new DeferredFunctionRegistry().Register("note", AuthoringTestJson.Default.String, (text, _) =>
        {
            Deferred.Add(text);
            return ValueTask.CompletedTask;
        });
    }

    public RecordingJobStore Store { get; } = new();

    public string WorkDir { get; }

    public JobScript Script { get; } = new();

    public ServiceProvider Services { get; }

    public JobTypeRegistry Registry => Services.GetRequiredService<JobTypeRegistry>();

    public IJobBodyInvoker Invoker => Services.GetRequiredService<IJobBodyInvoker>();

    public FakeLogger Logger { get; } = new();

    public StringWriter ChildOutput { get; } = new();

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    public DeferredFunctionRegistry DeferredRegistry { get; }

    public List<string> Deferred { get; } = [];

    /// <summary>Leader messages of every job run, in order.</summary>
    public List<LeaderMessage> LeaderMessages { get; } = [];

    public ValueTask<string> CreateRootAsync<TJob, TInput>(TInput input)
        where TJob : class, IJob<TInput>
        => Store.CreateRootJobAsync<TJob, TInput>(Registry, input);

    public ValueTask<RootJob<TOutput>> CreateRootAsync<TJob, TInput, TOutput>(TInput input)
        where TJob : class, IJob<TInput, TOutput>
        => Store.CreateRootJobAsync<TJob, TInput, TOutput>(Registry, input);

    /// <summary>Runs one job's body and commits it, as the worker does.</summary>
    public async Task<JobRun> RunJobAsync(string jobId)
    {
        var job = await Store.LoadJobAsync(jobId);
        var fileStore = new NonCachingFileStore(Store, job, Path.Combine(WorkDir, Guid.NewGuid().ToString("N")), Logger);
        await using var deferred = new InMemoryDeferredFunctionManager(DeferredRegistry);
        var scope = await deferred.BeginJobAsync();
        JobBodyOutcome outcome;
        try
        {
            outcome = await Invoker.InvokeAsync(new JobInvocation
            {
                Job = job,
                JobStore = Store,
                FileStore = fileStore,
                Deferred = scope,
                Logger = Logger,
                Environment = Environment,
                ChildOutput = ChildOutput,
                Services = Services,
            });
        }
        finally
        {
            await scope.RunAsync();
            await scope.DisposeAsync();
            LeaderMessages.AddRange(fileStore.LeaderMessages);
        }

        foreach (string fileId in outcome.ConsumedPromiseFileIds)
        {
            await fileStore.DeleteGlobalFileAsync(fileId);
        }

        await fileStore.StartCommitAsync();
        return new JobRun(job, fileStore, outcome);
    }

    /// <summary>Runs a job, then each successor phase (children's subtrees before follow-ons), then deletes the job.</summary>
    public async Task RunSubtreeAsync(string jobId)
    {
        var run = await RunJobAsync(jobId);
        var job = run.Job;
        while (job.NextSuccessors() is { } phase)
        {
            foreach (string successor in phase)
            {
                await RunSubtreeAsync(successor);
            }

            job.FilterSuccessors(id => !phase.Contains(id));
        }

        await Store.DeleteJobAsync(jobId);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Store.DisposeAsync();
        ChildOutput.Dispose();
        Directory.Delete(WorkDir, recursive: true);
    }
}

internal sealed record JobRun(JobDescription Job, NonCachingFileStore FileStore, JobBodyOutcome Outcome);
