using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Toil.Runtime.Authoring;
using Toil.Runtime.JobStores;
using Toil.Runtime.Leader.BatchSystems;
using Toil.Runtime.Leader.Progress;
using Toil.Runtime.Leader.Scheduling;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Leader.Workflows;

/// <summary>The default <see cref="IWorkflowRunner"/>: one leader run per call, a fresh batch system from DI per run.</summary>
internal sealed class WorkflowRunner(
    IServiceProvider services,
    IOptions<LeaderOptions> options,
    JobTypeRegistry registry,
    IEnumerable<IWorkflowObserver>? observers = null,
    ILoggerFactory? loggerFactory = null,
    TimeProvider? time = null) : IWorkflowRunner
{
    private readonly LeaderOptions _options = options.Value;
    private readonly ILoggerFactory _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>How long the end of a run waits for its observers to take the last events (docs/progress.md).</summary>
    private static readonly TimeSpan ProgressCompletionBound = TimeSpan.FromSeconds(5);

    public async Task<TOutput> RunAsync<TJob, TInput, TOutput>(TInput input, CancellationToken cancellationToken = default)
        where TJob : class, IJob<TInput, TOutput>
    {
        if (!registry.TryGet(typeof(TJob), out var registration))
        {
            throw new UnknownJobTypeException(typeof(TJob).FullName ?? typeof(TJob).Name, "<new root>");
        }

        if (registration is not JobType<TJob, TInput, TOutput> type)
        {
            throw new ArgumentException($"Job class {typeof(TJob).FullName} is registered as '{registration.Name}' with other input or output types.", nameof(TJob));
        }

        return await RunAsync(type, input, cancellationToken).ConfigureAwait(false);
    }

    public async Task<TOutput> RunAsync<TJob, TInput, TOutput>(JobType<TJob, TInput, TOutput> type, TInput input, CancellationToken cancellationToken = default)
        where TJob : class, IJob<TInput, TOutput>
    {
        ArgumentNullException.ThrowIfNull(type);
        var registered = registry.Require(type, "<new root>");
        var (store, fresh) = await OpenStoreAsync(cancellationToken).ConfigureAwait(false);
        await using (store.ConfigureAwait(false))
        {
            using var leaderLock = await LeaderLock.AcquireAsync(store, _options.LeaderLockTimeout, _time, cancellationToken).ConfigureAwait(false);
            RootJob<TOutput> root;
            if (fresh)
            {
                // Also records the result file's ID (rootJobReturnValue) before the root is set, for a restart.
                root = await store.CreateRootJobAsync(registry, registered, input, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            else
            {
                string resultFileId = Encoding.UTF8.GetString(await store.ReadSharedFileBytesAsync(SharedFileNames.RootJobReturnValue, cancellationToken).ConfigureAwait(false));
                root = new RootJob<TOutput>(await store.GetRootJobIdAsync(cancellationToken).ConfigureAwait(false) ?? string.Empty, resultFileId, registered.OutputTypeInfo);
            }

            var result = await RunLockedAsync(store, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                await CleanAsync(store, succeeded: false).ConfigureAwait(false);
                throw new FailedJobsException(result);
            }

            var value = await root.ReadResultAsync(store, cancellationToken).ConfigureAwait(false);
            await CleanAsync(store, succeeded: true).ConfigureAwait(false);
            return value;
        }
    }

    public async Task<WorkflowResult> RunWorkflowAsync<TJob, TInput>(TInput input, CancellationToken cancellationToken = default)
        where TJob : class
    {
        var (store, fresh) = await OpenStoreAsync(cancellationToken).ConfigureAwait(false);
        await using (store.ConfigureAwait(false))
        {
            using var leaderLock = await LeaderLock.AcquireAsync(store, _options.LeaderLockTimeout, _time, cancellationToken).ConfigureAwait(false);
            if (fresh)
            {
                await store.CreateRootJobAsync<TJob, TInput>(registry, input, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            var result = await RunLockedAsync(store, cancellationToken).ConfigureAwait(false);
            await CleanAsync(store, result.Succeeded).ConfigureAwait(false);
            return result;
        }
    }

    public async Task<WorkflowResult> RunStoreAsync(IJobStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        using var leaderLock = await LeaderLock.AcquireAsync(store, _options.LeaderLockTimeout, _time, cancellationToken).ConfigureAwait(false);
        return await RunLockedAsync(store, cancellationToken).ConfigureAwait(false);
    }

    private async Task<WorkflowResult> RunLockedAsync(IJobStore store, CancellationToken cancellationToken)
    {
        var logger = _loggerFactory.CreateLogger("Toil.Runtime.Leader");
        var environment = new Dictionary<string, string>(_options.WorkerEnvironment, StringComparer.Ordinal);
        RealtimeLoggingServer? server = null;
        if (_options.RealtimeLogging)
        {
            server = new RealtimeLoggingServer(Options.Create(new RealtimeLoggingServerOptions()), _loggerFactory);
            server.Start();
            server.ApplyTo(environment);
            LeaderLog.RealtimeStarted(logger, environment.GetValueOrDefault(RealtimeLoggingRequest.AddressVariable) ?? "?");
        }

        var batch = services.GetRequiredService<IBatchSystem>();
        if (batch is LocalProcessBatchSystem local)
        {
            // Killed workers of an earlier leader are this run's to clean up, even when it has nothing left to issue.
            local.AdoptWorkflow(store.Config.WorkflowId);
        }

        var progress = observers is null ? ProgressPublisher.None : new ProgressPublisher(observers, logger);
        WorkflowResult? result = null;
        try
        {
            if (batch is IRestartFence fence)
            {
                // Workers an earlier (killed) leader left running would race the restart's clean-up: stopped first
                // (docs/decisions.md#restart-fence).
                await fence.StopEarlierWorkersAsync(store.Config.WorkflowId, cancellationToken).ConfigureAwait(false);
            }

            var leader = new WorkflowLeader(store, batch, _options, logger, _time, environment, progress);
            result = await leader.RunAsync(cancellationToken).ConfigureAwait(false);
            await TimelineFile.WriteIfAskedAsync(result, _options, logger, cancellationToken).ConfigureAwait(false);
            return result;
        }
        finally
        {
            await progress.CompleteAsync(result, ProgressCompletionBound).ConfigureAwait(false);
            await batch.ShutdownAsync(CancellationToken.None).ConfigureAwait(false);
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Opens the configured store: a fresh one, or (restart) the existing one; an existing store without a root job is continued as fresh.</summary>
    private async Task<(IJobStore Store, bool Fresh)> OpenStoreAsync(CancellationToken cancellationToken)
    {
        if (_options.JobStore is null)
        {
            return (new InMemoryJobStore(_options.Config), true);
        }

        string locator = _options.JobStore;
        if (!FileJobStore.TryParseLocator(locator, out string? path))
        {
            throw new ArgumentException($"'{locator}' is not a file job store locator.", nameof(options));
        }

        if (!Directory.Exists(path) || !Directory.EnumerateFileSystemEntries(path).Any())
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path);
            }

            var created = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = locator, TimeProvider = _time }, _options.Config, _loggerFactory.CreateLogger<FileJobStore>(), cancellationToken).ConfigureAwait(false);
            return (created, true);
        }

        var store = await FileJobStore.OpenAsync(new FileJobStoreOptions { Locator = locator, TimeProvider = _time }, _loggerFactory.CreateLogger<FileJobStore>(), cancellationToken).ConfigureAwait(false);
        string? root = await store.GetRootJobIdAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            // A leader died between creating the store and its root job: nothing ran, so start afresh in it.
            return (store, true);
        }

        if (!_options.Restart)
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw new JobStoreExistsException(locator);
        }

        return (store, false);
    }

    private async ValueTask CleanAsync(IJobStore store, bool succeeded)
    {
        bool destroy = _options.Clean switch
        {
            CleanPolicy.Always => true,
            CleanPolicy.OnSuccess => succeeded,
            CleanPolicy.OnError => !succeeded,
            _ => false,
        };
        if (destroy)
        {
            await store.DestroyAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
