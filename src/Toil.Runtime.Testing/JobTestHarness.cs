using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;
using Toil.Runtime.Deferred;
using Toil.Runtime.FileStores;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Testing;

/// <summary>
/// Runs one job, or the small graph a job builds, against an <see cref="InMemoryJobStore"/> in a unit test, and returns
/// what it did: the value it returned, the children and follow-ons it created, the files it wrote, the messages it sent
/// to the leader and the deferred functions it registered. Each job runs as a worker runs it — resolved from DI in its
/// own scope, with a <see cref="JobContext"/> on a <see cref="NonCachingFileStore"/>, its deferred functions run when it ends,
/// its new jobs saved and its record committed — without worker processes, chaining or a disk job store. See
/// docs/testing.md, "Testing a job".
/// </summary>
/// <example>
/// <code>
/// await using var harness = new JobTestHarness(services => services.AddToilJob(CountWords.Type));
/// var run = await harness.RunAsync(CountWords.Type, new CountInput("a", fileId));
/// run.Result.Should().Be(3);
/// </code>
/// </example>
public sealed class JobTestHarness : IAsyncDisposable
{
    /// <summary>How many jobs <see cref="RunGraphAsync(string, CancellationToken)"/> runs at most before it fails.</summary>
    public const int MaxGraphJobs = 10_000;

    private readonly ServiceProvider _services;
    private readonly string _workDirectory;

    /// <summary>Creates a harness: a service provider with logging, the Toil runtime and the caller's services, and an empty store.</summary>
    /// <param name="configureServices">Registers the job types under test (<c>AddToilJob(CountWords.Type)</c>), their services and,
    /// for jobs that defer functions, a <see cref="DeferredFunctionRegistry"/> singleton.</param>
    /// <param name="config">The workflow configuration of the store (defaults: <c>new WorkflowConfig()</c>).</param>
    public JobTestHarness(Action<IServiceCollection> configureServices, WorkflowConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(configureServices);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddToilRuntime();
        configureServices(services);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Store = new InMemoryJobStore(config);
        _workDirectory = Directory.CreateTempSubdirectory("toil-job-test-").FullName;
    }

    /// <summary>Gets the job store the jobs run in; a test may put files or jobs into it first.</summary>
    public InMemoryJobStore Store { get; }

    /// <summary>Gets the services jobs are resolved from.</summary>
    public IServiceProvider Services => _services;

    /// <summary>Gets the environment the leader asks for, as jobs see it in <see cref="JobContext.Environment"/>.</summary>
    public IDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    private JobTypeRegistry Registry => _services.GetRequiredService<JobTypeRegistry>();

    /// <summary>Creates a root job from its registration token with <paramref name="input"/> and runs it (only it):
    /// <c>await harness.RunAsync(CountWords.Type, input)</c>.</summary>
    /// <typeparam name="TJob">The job class (inferred from <paramref name="type"/>).</typeparam>
    /// <typeparam name="TInput">Its input type (inferred).</typeparam>
    /// <typeparam name="TOutput">Its return type (inferred).</typeparam>
    /// <param name="type">The job's registration token; its name must be registered.</param>
    /// <param name="input">The job's input.</param>
    /// <param name="requirements">The job's requirements (workflow defaults otherwise).</param>
    /// <param name="cancellationToken">Cancels the job (passed to it).</param>
    /// <returns>What the job did, and the value it returned.</returns>
    /// <exception cref="Exception">Whatever the job threw, after its deferred functions ran.</exception>
    [OverloadResolutionPriority(-1)]
    public async ValueTask<JobTestRun<TOutput>> RunAsync<TJob, TInput, TOutput>(JobType<TJob, TInput, TOutput> type, TInput input, JobRequirements? requirements = null, CancellationToken cancellationToken = default)
        where TJob : class, IJob<TInput, TOutput>
    {
        var root = await Store.CreateRootJobAsync(Registry, type, input, requirements, cancellationToken: cancellationToken).ConfigureAwait(false);
        var (run, _) = await RunOneAsync(root.JobStoreId, cancellationToken).ConfigureAwait(false);
        return new JobTestRun<TOutput>(run, await root.ReadResultAsync(Store, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Creates a root job from its registration token with <paramref name="input"/> and runs it (only it).</summary>
    /// <typeparam name="TJob">The job class (inferred from <paramref name="type"/>).</typeparam>
    /// <typeparam name="TInput">Its input type (inferred).</typeparam>
    /// <param name="type">The job's registration token; its name must be registered.</param>
    /// <param name="input">The job's input.</param>
    /// <param name="requirements">The job's requirements (workflow defaults otherwise).</param>
    /// <param name="cancellationToken">Cancels the job (passed to it).</param>
    /// <returns>What the job did.</returns>
    /// <exception cref="Exception">Whatever the job threw, after its deferred functions ran.</exception>
    [OverloadResolutionPriority(-1)]
    public async ValueTask<JobTestRun> RunAsync<TJob, TInput>(JobType<TJob, TInput> type, TInput input, JobRequirements? requirements = null, CancellationToken cancellationToken = default)
        where TJob : class, IJob<TInput>
    {
        string id = await Store.CreateRootJobAsync(Registry, type, input, requirements, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await RunJobAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates a root job from its registration token and runs it and every job it leads to (see
    /// <see cref="RunGraphAsync(string, CancellationToken)"/>).</summary>
    /// <typeparam name="TJob">The job class (inferred from <paramref name="type"/>).</typeparam>
    /// <typeparam name="TInput">Its input type (inferred).</typeparam>
    /// <typeparam name="TOutput">Its return type (inferred).</typeparam>
    /// <param name="type">The root job's registration token; its name must be registered.</param>
    /// <param name="input">The root job's input.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>Every job run, and the value the root job returned.</returns>
    [OverloadResolutionPriority(-1)]
    public async ValueTask<JobGraphTestRun<TOutput>> RunGraphAsync<TJob, TInput, TOutput>(JobType<TJob, TInput, TOutput> type, TInput input, CancellationToken cancellationToken = default)
        where TJob : class, IJob<TInput, TOutput>
    {
        var root = await Store.CreateRootJobAsync(Registry, type, input, cancellationToken: cancellationToken).ConfigureAwait(false);
        TOutput? result = default;
        var runs = await RunGraphCoreAsync(
            root.JobStoreId,
            async ct => result = await root.ReadResultAsync(Store, ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        return new JobGraphTestRun<TOutput>(runs, result!);
    }

    /// <summary>Creates a root job from its registration token and runs it and every job it leads to (see
    /// <see cref="RunGraphAsync(string, CancellationToken)"/>).</summary>
    /// <typeparam name="TJob">The job class (inferred from <paramref name="type"/>).</typeparam>
    /// <typeparam name="TInput">Its input type (inferred).</typeparam>
    /// <param name="type">The root job's registration token; its name must be registered.</param>
    /// <param name="input">The root job's input.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>Every job run.</returns>
    [OverloadResolutionPriority(-1)]
    public async ValueTask<JobGraphTestRun> RunGraphAsync<TJob, TInput>(JobType<TJob, TInput> type, TInput input, CancellationToken cancellationToken = default)
        where TJob : class, IJob<TInput>
    {
        string id = await Store.CreateRootJobAsync(Registry, type, input, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await RunGraphAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates a root job of <typeparamref name="TJob"/> with <paramref name="input"/> and runs it (only it).</summary>
    /// <typeparam name="TJob">The registered job class.</typeparam>
    /// <typeparam name="TInput">Its input type.</typeparam>
    /// <typeparam name="TOutput">Its return type.</typeparam>
    /// <param name="input">The job's input.</param>
    /// <param name="requirements">The job's requirements (workflow defaults otherwise).</param>
    /// <param name="cancellationToken">Cancels the job (passed to it).</param>
    /// <returns>What the job did, and the value it returned.</returns>
    /// <exception cref="Exception">Whatever the job threw, after its deferred functions ran.</exception>
    public async ValueTask<JobTestRun<TOutput>> RunAsync<TJob, TInput, TOutput>(TInput input, JobRequirements? requirements = null, CancellationToken cancellationToken = default)
        where TJob : class, IJob<TInput, TOutput>
    {
        var root = await Store.CreateRootJobAsync<TJob, TInput, TOutput>(Registry, input, requirements, cancellationToken: cancellationToken).ConfigureAwait(false);
        var (run, _) = await RunOneAsync(root.JobStoreId, cancellationToken).ConfigureAwait(false);
        return new JobTestRun<TOutput>(run, await root.ReadResultAsync(Store, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Creates a root job of <typeparamref name="TJob"/> with <paramref name="input"/> and runs it (only it).</summary>
    /// <typeparam name="TJob">The registered job class.</typeparam>
    /// <typeparam name="TInput">Its input type.</typeparam>
    /// <param name="input">The job's input.</param>
    /// <param name="requirements">The job's requirements (workflow defaults otherwise).</param>
    /// <param name="cancellationToken">Cancels the job (passed to it).</param>
    /// <returns>What the job did.</returns>
    /// <exception cref="Exception">Whatever the job threw, after its deferred functions ran.</exception>
    public async ValueTask<JobTestRun> RunAsync<TJob, TInput>(TInput input, JobRequirements? requirements = null, CancellationToken cancellationToken = default)
        where TJob : class, IJob<TInput>
    {
        string id = await Store.CreateRootJobAsync<TJob, TInput>(Registry, input, requirements, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await RunJobAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a job that is already in <see cref="Store"/> (for example a child an earlier run created), and only it.</summary>
    /// <param name="jobStoreId">The job's ID.</param>
    /// <param name="cancellationToken">Cancels the job (passed to it).</param>
    /// <returns>What the job did.</returns>
    /// <exception cref="NoSuchJobException">There is no such job.</exception>
    /// <exception cref="InvalidOperationException">The job has no body (it already ran).</exception>
    public async ValueTask<JobTestRun> RunJobAsync(string jobStoreId, CancellationToken cancellationToken = default) =>
        (await RunOneAsync(jobStoreId, cancellationToken).ConfigureAwait(false)).Run;

    /// <summary>
    /// Creates a root job and runs it and every job it leads to, as a leader would: a job's children (and everything under
    /// them) before its follow-ons, a job with several predecessors once the last of them has run, each finished job deleted.
    /// </summary>
    /// <typeparam name="TJob">The registered job class.</typeparam>
    /// <typeparam name="TInput">Its input type.</typeparam>
    /// <typeparam name="TOutput">Its return type.</typeparam>
    /// <param name="input">The root job's input.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>Every job run, and the value the root job returned.</returns>
    public async ValueTask<JobGraphTestRun<TOutput>> RunGraphAsync<TJob, TInput, TOutput>(TInput input, CancellationToken cancellationToken = default)
        where TJob : class, IJob<TInput, TOutput>
    {
        var root = await Store.CreateRootJobAsync<TJob, TInput, TOutput>(Registry, input, cancellationToken: cancellationToken).ConfigureAwait(false);
        TOutput? result = default;
        var runs = await RunGraphCoreAsync(
            root.JobStoreId,
            async ct => result = await root.ReadResultAsync(Store, ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        return new JobGraphTestRun<TOutput>(runs, result!);
    }

    /// <summary>Creates a root job and runs it and every job it leads to (see <see cref="RunGraphAsync(string, CancellationToken)"/>).</summary>
    /// <typeparam name="TJob">The registered job class.</typeparam>
    /// <typeparam name="TInput">Its input type.</typeparam>
    /// <param name="input">The root job's input.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>Every job run.</returns>
    public async ValueTask<JobGraphTestRun> RunGraphAsync<TJob, TInput>(TInput input, CancellationToken cancellationToken = default)
        where TJob : class, IJob<TInput>
    {
        string id = await Store.CreateRootJobAsync<TJob, TInput>(Registry, input, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await RunGraphAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a job that is already in <see cref="Store"/> and every job it leads to, as a leader would: a job's children
    /// (and everything under them) before its follow-ons, a job with several predecessors once the last of them has run,
    /// each finished job deleted. The first job that throws stops the run with its exception.
    /// </summary>
    /// <param name="jobStoreId">The first job's ID.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>Every job run.</returns>
    /// <exception cref="InvalidOperationException">More than <see cref="MaxGraphJobs"/> jobs ran (a graph that never ends).</exception>
    public async ValueTask<JobGraphTestRun> RunGraphAsync(string jobStoreId, CancellationToken cancellationToken = default) =>
        new(await RunGraphCoreAsync(jobStoreId, afterFirst: null, cancellationToken).ConfigureAwait(false));

    /// <summary>Reads a job-store file (for example one of <see cref="JobTestRun.FilesWritten"/>) as UTF-8 text.</summary>
    /// <param name="fileId">The file's ID.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The text.</returns>
    /// <exception cref="NoSuchFileException">There is no such file.</exception>
    public async ValueTask<string> ReadFileTextAsync(string fileId, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await Store.ReadFileAsync(fileId, buffer, cancellationToken).ConfigureAwait(false);
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Disposes the services and the store and deletes the jobs' temporary directories.</summary>
    /// <returns>A task that completes when everything is released.</returns>
    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync().ConfigureAwait(false);
        await Store.DisposeAsync().ConfigureAwait(false);
        if (Directory.Exists(_workDirectory))
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
    }

    private async ValueTask<IReadOnlyList<JobTestRun>> RunGraphCoreAsync(string firstId, Func<CancellationToken, ValueTask>? afterFirst, CancellationToken cancellationToken)
    {
        List<JobTestRun> runs = [];
        Dictionary<string, int> arrived = new(StringComparer.Ordinal);
        await RunSubtreeAsync(firstId).ConfigureAwait(false);
        return runs;

        async Task RunSubtreeAsync(string id)
        {
            if (runs.Count >= MaxGraphJobs)
            {
                throw new InvalidOperationException($"The graph ran {MaxGraphJobs} jobs without ending.");
            }

            var (run, job) = await RunOneAsync(id, cancellationToken).ConfigureAwait(false);
            runs.Add(run);
            if (runs.Count == 1 && afterFirst is not null)
            {
                await afterFirst(cancellationToken).ConfigureAwait(false);
            }

            while (job.NextSuccessors() is { } next)
            {
                string[] phase = [.. next];
                foreach (string successorId in phase)
                {
                    var successor = await Store.LoadJobAsync(successorId, cancellationToken).ConfigureAwait(false);
                    int count = arrived[successorId] = arrived.GetValueOrDefault(successorId) + 1;
                    if (count >= Math.Max(1, successor.PredecessorNumber))
                    {
                        await RunSubtreeAsync(successorId).ConfigureAwait(false);
                    }
                }

                job.FilterSuccessors(s => !phase.Contains(s, StringComparer.Ordinal));
            }

            await Store.DeleteJobAsync(id, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<(JobTestRun Run, JobDescription Job)> RunOneAsync(string jobStoreId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobStoreId);
        var job = await Store.LoadJobAsync(jobStoreId, cancellationToken).ConfigureAwait(false);
        string typeName = job.GetBody().TypeName;
        var logger = new RecordingLogger();
        var fileStore = new NonCachingFileStore(Store, job, Path.Combine(_workDirectory, Guid.NewGuid().ToString("N")), logger);
        var files = new RecordingFileStore(fileStore);
        var registry = _services.GetService<DeferredFunctionRegistry>() ?? new DeferredFunctionRegistry();
        var deferred = new InMemoryDeferredFunctionManager(registry, logger, _services);
        await using var deferredLifetime = deferred.ConfigureAwait(false);
        var scope = new RecordingDeferredScope(await deferred.BeginJobAsync(cancellationToken).ConfigureAwait(false));
        JobBodyOutcome outcome;
        DeferredFunctionRunResult deferredRun;
        using var childOutput = new LoggerTextWriter(logger);
        await using (scope.ConfigureAwait(false))
        {
            try
            {
                outcome = await _services.GetRequiredService<IJobBodyInvoker>().InvokeAsync(
                    new JobInvocation
                    {
                        Job = job,
                        JobStore = Store,
                        FileStore = files,
                        Deferred = scope,
                        Logger = logger,
                        Environment = new Dictionary<string, string>(Environment, StringComparer.Ordinal),
                        ChildOutput = childOutput,
                        Services = _services,
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // As a worker: a job's deferred functions run when it ends, whether it succeeded or failed.
                deferredRun = await scope.RunAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        if (job is CheckpointJobDescription checkpoint)
        {
            checkpoint.CheckpointFilesToDelete.AddRange(outcome.ConsumedPromiseFileIds);
        }
        else
        {
            foreach (string fileId in outcome.ConsumedPromiseFileIds)
            {
                await fileStore.DeleteGlobalFileAsync(fileId, cancellationToken).ConfigureAwait(false);
            }
        }

        await fileStore.StartCommitAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await fileStore.WaitForCommitAsync(cancellationToken).ConfigureAwait(false);

        var run = new JobTestRun(
            jobStoreId,
            typeName,
            await DescribeAsync(job.Children, cancellationToken).ConfigureAwait(false),
            await DescribeAsync(job.FollowOns, cancellationToken).ConfigureAwait(false),
            outcome.JobsCreated,
            files.FilesWritten,
            fileStore.LeaderMessages,
            scope.Calls,
            deferredRun,
            logger.Entries);
        return (run, job);
    }

    private async ValueTask<IReadOnlyList<CreatedJob>> DescribeAsync(IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        List<CreatedJob> jobs = [];
        foreach (string id in ids)
        {
            var job = await Store.LoadJobAsync(id, cancellationToken).ConfigureAwait(false);
            var body = job.GetBody();
            using var document = JsonDocument.Parse(await JobBodies.ReadAsync(Store, body, cancellationToken).ConfigureAwait(false));
            var input = document.RootElement.TryGetProperty("input", out var i) ? i.Clone() : default;
            jobs.Add(new CreatedJob(id, body.TypeName, input, job.Requirements, job is CheckpointJobDescription));
        }

        return jobs;
    }
}
