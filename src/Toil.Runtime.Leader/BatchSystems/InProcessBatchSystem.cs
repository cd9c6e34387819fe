using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Toil.Runtime.Deferred;
using Toil.Runtime.Jobs;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Leader.BatchSystems;

/// <summary>
/// Runs each attempt as an <see cref="IWorkerRunner"/> call in this process, several at once, admitted by cores,
/// memory, disk and accelerators (<see cref="InProcessBatchSystemOptions"/>). The default batch system of
/// <c>AddToilLeader</c>. Queued jobs start in issue order, skipping those that do not fit yet.
/// </summary>
public sealed partial class InProcessBatchSystem : IBatchSystem
{
    private readonly IWorkerRunner _runner;
    private readonly InProcessBatchSystemOptions _options;
    private readonly WorkerOptions _workerOptions;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly DeferredFunctionRegistry _deferredFunctions;
    private readonly ResourcePool _pool;
    private readonly ThreadPoolReserve.Lease? _threads;
    private readonly Channel<BatchJobUpdate> _updates = Channel.CreateUnbounded<BatchJobUpdate>(new UnboundedChannelOptions { SingleReader = true });
    private readonly LinkedList<Queued> _queue = new();

    // Queued requests of zero cores: while there are none and every core is taken, nothing queued can start, so a walk of
    // the queue stops at once (a leader may hold 100,000 queued attempts: docs/reliability.md, "Load").
    private int _corelessQueued;
    private readonly Dictionary<long, Running> _running = [];
    private readonly HashSet<string> _coordinationDirectories = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _nextId;
    private bool _shutDown;

    /// <summary>Creates the batch system.</summary>
    /// <param name="runner">Runs each attempt.</param>
    /// <param name="options">The slots.</param>
    /// <param name="workerOptions">The workers' options (their work and coordination directories, cleaned at shut-down).</param>
    /// <param name="deferredFunctions">The deferred functions orphans may name, run at shut-down; defaults to none registered.</param>
    /// <param name="time">The clock for wall-time limits and run times; defaults to the system clock.</param>
    /// <param name="logger">Receives admission and shut-down messages; defaults to none.</param>
    public InProcessBatchSystem(IWorkerRunner runner, IOptions<InProcessBatchSystemOptions> options, IOptions<WorkerOptions>? workerOptions = null, DeferredFunctionRegistry? deferredFunctions = null, TimeProvider? time = null, ILogger<InProcessBatchSystem>? logger = null)
        : this(runner, options, workerOptions, deferredFunctions, time, logger, ThreadPoolReserve.Shared)
    {
    }

    /// <summary>Creates the batch system over a given thread-pool reserve (a test seam).</summary>
    internal InProcessBatchSystem(IWorkerRunner runner, IOptions<InProcessBatchSystemOptions> options, IOptions<WorkerOptions>? workerOptions, DeferredFunctionRegistry? deferredFunctions, TimeProvider? time, ILogger<InProcessBatchSystem>? logger, ThreadPoolReserve threads)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(options);
        _runner = runner;
        _options = options.Value;
        _workerOptions = workerOptions?.Value ?? new WorkerOptions();
        _time = time ?? TimeProvider.System;
        _log = (ILogger?)logger ?? NullLogger.Instance;
        _deferredFunctions = deferredFunctions ?? new DeferredFunctionRegistry();
        _pool = ResourcePool.ForCounts(_options.MaxCores, _options.MaxMemory, _options.MaxDisk, _options.MaxAccelerators);
        _threads = _options.RaiseThreadPoolMinimum ? threads.Open() : null;
    }

    /// <summary>Gets the slots (a test counts their reservation tries).</summary>
    internal ResourcePool Pool => _pool;

    /// <inheritdoc />
    public string Name => "in-process";

    /// <inheritdoc />
    public void CheckResourceRequest(JobResources resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        if (_pool.WhyNeverFits(resources) is { } why)
        {
            throw new InsufficientResourcesException(why + $" The {Name} batch system can never hold it; lower the job's requirements or raise the batch system's limits.");
        }
    }

    /// <inheritdoc />
    public ValueTask<long> IssueJobAsync(BatchJobRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckResourceRequest(request.Resources);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_shutDown, this);
            long id = ++_nextId;
            _queue.AddLast(new Queued(id, request));
            _corelessQueued += ResourcePool.IsCoreless(request.Resources) ? 1 : 0;
            _coordinationDirectories.Add(request.JobStore.Config.WorkflowId);
            StartWhatFits();
            return ValueTask.FromResult(id);
        }
    }

    /// <inheritdoc />
    public async ValueTask KillJobsAsync(IReadOnlyCollection<long> batchJobIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batchJobIds);
        List<Running> killed = [];
        lock (_lock)
        {
            // One pass over the queue for all of them (a cancelled leader kills every queued attempt at once).
            var ids = new HashSet<long>(batchJobIds);
            for (var queued = _queue.First; queued is not null && ids.Count > 0;)
            {
                var next = queued.Next;
                if (ids.Remove(queued.Value.Id))
                {
                    _queue.Remove(queued);
                    _corelessQueued -= ResourcePool.IsCoreless(queued.Value.Request.Resources) ? 1 : 0;
                }

                queued = next;
            }

            foreach (long id in ids)
            {
                if (_running.TryGetValue(id, out var running))
                {
                    running.Killed = true;
                    killed.Add(running);
                }
            }
        }

        foreach (var running in killed)
        {
            try
            {
                await running.Cancellation.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // It ended (and disposed its cancellation) after the lock was released: nothing left to cancel.
            }
        }

        foreach (var running in killed)
        {
            try
            {
                await running.Task.WaitAsync(_options.KillGracePeriod, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                LogKillTimeout(_log, running.Id, _options.KillGracePeriod);
            }
        }
    }

    /// <inheritdoc />
    public IReadOnlyCollection<long> GetIssuedJobIds()
    {
        lock (_lock)
        {
            return [.. _queue.Select(q => q.Id), .. _running.Keys];
        }
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<long, TimeSpan> GetRunningJobs()
    {
        lock (_lock)
        {
            return _running.ToDictionary(r => r.Key, r => _time.GetElapsedTime(r.Value.Started));
        }
    }

    /// <inheritdoc />
    public ValueTask<BatchJobUpdate> WaitForUpdateAsync(CancellationToken cancellationToken = default) => _updates.Reader.ReadAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask ShutdownAsync(CancellationToken cancellationToken = default)
    {
        List<long> running;
        List<string> workflows;
        lock (_lock)
        {
            if (_shutDown)
            {
                return;
            }

            _shutDown = true;
            _queue.Clear();
            _corelessQueued = 0;
            running = [.. _running.Keys];
            workflows = [.. _coordinationDirectories];
        }

        try
        {
            await KillJobsAsync(running, cancellationToken).ConfigureAwait(false);
            foreach (string workflowId in workflows)
            {
                await WorkerCleanup.CleanAsync(_workerOptions, workflowId, _deferredFunctions, _log, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            lock (_lock)
            {
                _threads?.Dispose();
            }
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ShutdownAsync(CancellationToken.None);

    private void StartWhatFits()
    {
        var node = _queue.First;
        while (node is not null && (_corelessQueued > 0 || !_pool.NoCoreFree))
        {
            var next = node.Next;
            if (_pool.TryReserve(node.Value.Request.Resources) is { } reservation)
            {
                _queue.Remove(node);
                _corelessQueued -= ResourcePool.IsCoreless(node.Value.Request.Resources) ? 1 : 0;
                Start(node.Value, reservation);
            }

            node = next;
        }
    }

    private void Start(Queued queued, ResourcePool.Reservation reservation)
    {
        var request = queued.Request;
        var cancellation = new CancellationTokenSource();
        var walltime = request.Resources.Walltime;
        CancellationTokenSource? limit = walltime > TimeSpan.Zero ? new CancellationTokenSource(walltime, _time) : null;
        var running = new Running(queued.Id, request, cancellation, _time.GetTimestamp()) { Reservation = reservation };
        _running[queued.Id] = running;

        // Each running job may hold a pool thread in synchronous file I/O (docs/decisions.md#thread-pool-reserve).
        _threads?.Cover(_running.Count);
        running.Task = Task.Run(() => RunAsync(running, limit));
    }

    private async Task RunAsync(Running running, CancellationTokenSource? limit)
    {
        var request = running.Request;
        global::Toil.Runtime.Telemetry.WorkerTelemetry.AdoptAttempt(request.Environment);
        BatchJobUpdate update;
        using var linked = limit is null
            ? CancellationTokenSource.CreateLinkedTokenSource(running.Cancellation.Token)
            : CancellationTokenSource.CreateLinkedTokenSource(running.Cancellation.Token, limit.Token);
        try
        {
            var result = await _runner.RunAsync(new WorkerRequest(request.JobStore, request.JobStoreId) { JobName = request.JobName }, linked.Token).ConfigureAwait(false);
            var reason = result.ExitCode == 0 && !result.Failed
                ? BatchJobExitReason.Finished
                : limit?.IsCancellationRequested == true ? BatchJobExitReason.MaxJobDuration : BatchJobExitReason.Failed;
            update = new BatchJobUpdate(running.Id, result.Failed && result.ExitCode == 0 ? 1 : result.ExitCode, reason)
            {
                Detail = result.Error?.Message,
            };
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            update = new BatchJobUpdate(running.Id, WorkerExitCodes.Killed, limit?.IsCancellationRequested == true ? BatchJobExitReason.MaxJobDuration : BatchJobExitReason.Killed);
        }
        catch (Exception e)
        {
            // The runner itself broke (not a job): the attempt failed; the leader decides from the store.
            update = new BatchJobUpdate(running.Id, WorkerExitCodes.Failed, BatchJobExitReason.Error) { Detail = e.Message };
        }
        finally
        {
            limit?.Dispose();
        }

        update = update with { WallTime = _time.GetElapsedTime(running.Started) };
        lock (_lock)
        {
            _running.Remove(running.Id);
            _pool.Release(running.Reservation);
            if (!running.Killed)
            {
                _updates.Writer.TryWrite(update);
            }

            if (!_shutDown)
            {
                StartWhatFits();
            }
        }

        running.Cancellation.Dispose();
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "In-process batch job {BatchJobId} did not stop within {GracePeriod} of being killed")]
    private static partial void LogKillTimeout(ILogger logger, long batchJobId, TimeSpan gracePeriod);

    private sealed record Queued(long Id, BatchJobRequest Request);

    private sealed class Running(long id, BatchJobRequest request, CancellationTokenSource cancellation, long started)
    {
        public long Id { get; } = id;

        public BatchJobRequest Request { get; } = request;

        public CancellationTokenSource Cancellation { get; } = cancellation;

        public long Started { get; } = started;

        public Task Task { get; set; } = Task.CompletedTask;

        public ResourcePool.Reservation Reservation { get; init; } = null!;

        public bool Killed { get; set; }
    }
}
