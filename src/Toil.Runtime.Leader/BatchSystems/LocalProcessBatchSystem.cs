using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Toil.Runtime.Deferred;
using Toil.Runtime.Jobs;
using Toil.Runtime.Leader.BatchSystems.LocalProcess;

namespace Toil.Runtime.Leader.BatchSystems;

/// <summary>
/// Runs each attempt as a worker process on this machine (Toil's <c>single_machine</c> batch system): the configured
/// <see cref="LocalProcessBatchSystemOptions.WorkerCommand"/> (<c>toil worker</c>, or the host's own executable through
/// <c>ToilWorkerEntryPoint</c>) with the request's worker arguments and environment, admitted when its cores, memory,
/// disk and accelerators fit in the machine's. See <c>docs/batch-systems.md</c>.
/// </summary>
/// <remarks>
/// A worker's standard output and error are drained into files under the work directory, kept for a failed attempt
/// (<see cref="BatchJobUpdate.OutputFiles"/>, their last <see cref="LocalProcessBatchSystemOptions.OutputTailBytes"/> in
/// <see cref="BatchJobUpdate.Detail"/>) and deleted otherwise. A kill sends SIGTERM, then SIGKILL (to the process
/// and its descendants) after <see cref="LocalProcessBatchSystemOptions.KillGracePeriod"/>. With
/// <see cref="LocalProcessBatchSystemOptions.WarmWorkers"/> set, attempts go to long-lived serving worker processes
/// instead, one at a time each (docs/batch-systems.md#warm-worker-pool). Linux and macOS.
/// </remarks>
public sealed class LocalProcessBatchSystem : IBatchSystem, IRestartFence
{
    private const string WorkDirVariable = "TOIL_WORKDIR";
    private const string CoordinationDirVariable = "TOIL_COORDINATION_DIR";

    /// <summary>How long a worker's output pipes may stay open after it exited (a process it started may hold them).</summary>
    private static readonly TimeSpan OutputDrainBound = TimeSpan.FromSeconds(5);

    /// <summary>This process as its workers' <c>TOIL_RT_LEADER_PROCESS</c> names it (null where <c>/proc</c> cannot tell).</summary>
    private static readonly string? LeaderProcess = Worker.LaunchingLeader.DescribeThisProcess();

    private readonly LocalProcessBatchSystemOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly DeferredFunctionRegistry? _deferredFunctions;
    private readonly ResourcePool _pool;
    private readonly string _workDirectory;
    private readonly string _coordinationRoot;
    private readonly string _outputDirectory;
    private readonly Channel<BatchJobUpdate> _updates = Channel.CreateUnbounded<BatchJobUpdate>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly Lock _lock = new();
    private readonly Dictionary<long, WorkerAttempt> _issued = [];
    private readonly LinkedList<WorkerAttempt> _queue = new();

    // Queued attempts of zero cores: while there are none and every core is taken, a walk of the queue stops at once.
    private int _corelessQueued;
    private readonly Dictionary<long, WorkerAttempt> _running = [];
    private readonly HashSet<string> _coordinationDirectories = new(StringComparer.Ordinal);
    private readonly HashSet<string> _workflowIds = new(StringComparer.Ordinal);

    // The warm worker pool (WarmWorkers > 0): every live serving process, and those waiting for an attempt.
    private readonly List<PooledWorker> _pooled = [];
    private readonly Stack<PooledWorker> _idle = new();
    private long _lastId;
    private bool _shutDown;
    private Task? _shutdown;

    /// <summary>Creates the batch system.</summary>
    /// <param name="options">The worker command, the machine's resources and the kill's timing.</param>
    /// <param name="logger">Receives start, end and kill records; defaults to none.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public LocalProcessBatchSystem(LocalProcessBatchSystemOptions options, ILogger<LocalProcessBatchSystem>? logger = null)
        : this(options, deferredFunctions: null, time: null, logger)
    {
    }

    /// <summary>Creates the batch system with the registry and clock of a service provider as fallbacks (<c>AddLocalProcessBatchSystem</c>).</summary>
    /// <param name="options">The worker command, the machine's resources and the kill's timing.</param>
    /// <param name="deferredFunctions">The registry used when <see cref="LocalProcessBatchSystemOptions.DeferredFunctions"/> is not set.</param>
    /// <param name="time">The clock used when <see cref="LocalProcessBatchSystemOptions.TimeProvider"/> is the system clock.</param>
    /// <param name="logger">Receives start, end and kill records; defaults to none.</param>
    internal LocalProcessBatchSystem(LocalProcessBatchSystemOptions options, DeferredFunctionRegistry? deferredFunctions, TimeProvider? time, ILogger<LocalProcessBatchSystem>? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _deferredFunctions = options.DeferredFunctions ?? deferredFunctions;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = ReferenceEquals(options.TimeProvider, TimeProvider.System) && time is not null ? time : options.TimeProvider;
        _workDirectory = Path.GetFullPath(options.WorkDirectory ?? Path.GetTempPath());
        _coordinationRoot = Path.GetFullPath(options.CoordinationDirectory ?? Path.Combine(_workDirectory, "toil-coordination"));
        _outputDirectory = Path.Combine(_workDirectory, "toil-local-process-" + Guid.NewGuid().ToString("N")[..12]);
        _pool = ResourcePool.ForThisMachine(options.Cores, options.Memory, options.Disk, options.Accelerators, _workDirectory);
    }

    /// <inheritdoc />
    public string Name => "local-process";

    /// <summary>Gets the cores free now (for tests and diagnostics).</summary>
    internal double FreeCores => _pool.FreeCores;

    /// <summary>Gets the directory the attempts' kept standard output and error files are written to.</summary>
    internal string OutputDirectory => _outputDirectory;

    /// <inheritdoc />
    public void CheckResourceRequest(JobResources resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        if (_pool.WhyNeverFits(resources) is { } why)
        {
            throw new InsufficientResourcesException(why + " No local process can ever hold it.");
        }
    }

    /// <inheritdoc />
    public ValueTask<long> IssueJobAsync(BatchJobRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        CheckResourceRequest(request.Resources);
        string coordination = CoordinationDirectoryFor(request.JobStore.Config.WorkflowId);
        long id;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_shutDown, this);
            id = ++_lastId;
            var attempt = new WorkerAttempt(id, request);
            _issued.Add(id, attempt);
            _queue.AddLast(attempt);
            _corelessQueued += ResourcePool.IsCoreless(request.Resources) ? 1 : 0;
            _coordinationDirectories.Add(coordination);
            _workflowIds.Add(request.JobStore.Config.WorkflowId);
            StartWhatFits();
        }

        return ValueTask.FromResult(id);
    }

    /// <summary>
    /// Makes shutdown clean up after the workers of <paramref name="workflowId"/> (deferred functions of dead workers, the
    /// directories of killed ones) even if this batch system issues none of its jobs: a leader restarted on a workflow
    /// that had already finished issues nothing, and the workers a killed leader left are then nobody else's to clean.
    /// </summary>
    internal void AdoptWorkflow(string workflowId)
    {
        lock (_lock)
        {
            _coordinationDirectories.Add(CoordinationDirectoryFor(workflowId));
            _workflowIds.Add(workflowId);
        }
    }

    /// <summary>
    /// The restart fence (docs/decisions.md#restart-fence): kills (SIGKILL, with their descendants) the workers of
    /// <paramref name="workflowId"/> that an earlier leader left running on this machine, found by the lock each holds on
    /// <c>worker.alive</c> in its directory under the work directory, and waits until they ended, at most 30 seconds.
    /// </summary>
    /// <param name="workflowId">The workflow's ID.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>How many were found alive.</returns>
    ValueTask<int> IRestartFence.StopEarlierWorkersAsync(string workflowId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(workflowId);
        string node = Path.Combine(_workDirectory, Worker.WorkerDirectories.WorkflowDirectoryName(workflowId));
        return EarlierWorkers.StopAsync(node, EarlierWorkers.StopBound, _time, _logger, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask KillJobsAsync(IReadOnlyCollection<long> batchJobIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batchJobIds);
        var running = new List<WorkerAttempt>();
        lock (_lock)
        {
            // Queued ones leave the queue in one pass (a cancelled leader kills every queued attempt at once).
            var queuedKilled = new HashSet<WorkerAttempt>();
            foreach (long id in batchJobIds)
            {
                if (!_issued.Remove(id, out var attempt))
                {
                    continue;
                }

                attempt.KillRequested = true;
                if (attempt.Process is null)
                {
                    queuedKilled.Add(attempt);
                    attempt.Ended.TrySetResult();
                }
                else
                {
                    running.Add(attempt);
                }
            }

            for (var node = _queue.First; node is not null && queuedKilled.Count > 0;)
            {
                var next = node.Next;
                if (queuedKilled.Remove(node.Value))
                {
                    _queue.Remove(node);
                    _corelessQueued -= ResourcePool.IsCoreless(node.Value.Request.Resources) ? 1 : 0;
                }

                node = next;
            }
        }

        await Task.WhenAll(running.Select(a => KillAsync(a, a.Ended.Task, cancellationToken))).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public IReadOnlyCollection<long> GetIssuedJobIds()
    {
        lock (_lock)
        {
            return [.. _issued.Keys];
        }
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<long, TimeSpan> GetRunningJobs()
    {
        lock (_lock)
        {
            return _running.Values.Where(a => !a.KillRequested).ToDictionary(a => a.Id, a => _time.GetElapsedTime(a.StartTimestamp));
        }
    }

    /// <inheritdoc />
    public async ValueTask<BatchJobUpdate> WaitForUpdateAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _updates.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            throw new ObjectDisposedException("The local-process batch system was shut down and every update was read.", e);
        }
    }

    /// <inheritdoc />
    public async ValueTask ShutdownAsync(CancellationToken cancellationToken = default)
    {
        Task shutdown;
        lock (_lock)
        {
            _shutDown = true;
            shutdown = _shutdown ??= ShutdownCoreAsync(cancellationToken);
        }

        await shutdown.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ShutdownAsync();

    private async Task ShutdownCoreAsync(CancellationToken cancellationToken)
    {
        List<long> all;
        lock (_lock)
        {
            all = [.. _issued.Keys];
        }

        await KillJobsAsync(all, cancellationToken).ConfigureAwait(false);
        await StopPoolAsync().ConfigureAwait(false);
        _updates.Writer.TryComplete();

        string[] coordination;
        string[] workflowIds;
        lock (_lock)
        {
            coordination = [.. _coordinationDirectories];
            workflowIds = [.. _workflowIds];
        }

        foreach (string workflowDirectory in coordination)
        {
            await RunOrphanedDeferredFunctionsAsync(workflowDirectory, cancellationToken).ConfigureAwait(false);
        }

        // The workers' per-node work directories (WorkerDirectories' toilwf-<workflow>), once they are empty.
        foreach (string workflowId in workflowIds)
        {
            string node = Path.Combine(_workDirectory, Worker.WorkerDirectories.WorkflowDirectoryName(workflowId));
            WorkerCleanup.DeleteKilledWorkerDirectories(node);
            WorkerCleanup.DeleteIfEmpty(node);
        }

        WorkerCleanup.DeleteIfEmpty(_outputDirectory);
    }

    /// <summary>Runs what killed workers of one workflow left in its coordination directory (one subdirectory per node).</summary>
    private async Task RunOrphanedDeferredFunctionsAsync(string workflowDirectory, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(workflowDirectory))
        {
            return;
        }

        foreach (string node in Directory.EnumerateDirectories(workflowDirectory, "toilwf-*"))
        {
            if (!Directory.Exists(Path.Combine(node, "deferred")))
            {
                WorkerCleanup.DeleteIfEmpty(node);
                continue;
            }

            if (_deferredFunctions is not { } registry)
            {
                LocalProcessLog.OrphansLeft(_logger, node);
                continue;
            }

            var result = await DeferredFunctionManager.CleanupAsync(
                new DeferredFunctionManagerOptions { CoordinationDirectory = node, TimeProvider = _time }, registry, _logger, cancellationToken: cancellationToken).ConfigureAwait(false);
            LocalProcessLog.OrphansRan(_logger, node, result.Ran, result.Failed, result.SetAside);
            WorkerCleanup.DeleteIfEmpty(node);
        }

        // Toil's workerCleanup: the workflow's directories on this node go once nothing is left in them.
        WorkerCleanup.DeleteIfEmpty(workflowDirectory);
    }

    /// <summary>Starts every queued attempt that fits now, in issue order (a small job may pass a large one). Under the lock.</summary>
    private void StartWhatFits()
    {
        for (var node = _queue.First; node is not null && (_corelessQueued > 0 || !_pool.NoCoreFree);)
        {
            var next = node.Next;
            var attempt = node.Value;
            if (_pool.TryReserve(attempt.Request.Resources) is { } reservation)
            {
                _queue.Remove(node);
                _corelessQueued -= ResourcePool.IsCoreless(attempt.Request.Resources) ? 1 : 0;
                attempt.Reservation = reservation;
                Start(attempt);
            }

            node = next;
        }
    }

    /// <summary>Starts an attempt's worker process and watches it. Under the lock.</summary>
    private void Start(WorkerAttempt attempt)
    {
        if (_options.WarmWorkers > 0 && TakePooledWorker() is { } worker)
        {
            StartPooled(attempt, worker);
            return;
        }

        var request = attempt.Request;
        var psi = WorkerStartInfo(request.WorkerArguments);

        foreach (var (name, value) in request.Environment)
        {
            psi.Environment[name] = value;
        }

        SetLeaderEnvironment(psi);
        psi.Environment[CoordinationDirVariable] = CoordinationDirectoryFor(request.JobStore.Config.WorkflowId);

        attempt.StartTimestamp = _time.GetTimestamp();
        Process process;
        try
        {
            Directory.CreateDirectory(_workDirectory);
            process = Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned no process");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            LocalProcessLog.StartFailed(_logger, e, attempt.Id, request.JobStoreId, psi.FileName);
            _pool.Release(attempt.Reservation!);
            _issued.Remove(attempt.Id);
            attempt.Ended.TrySetResult();
            _updates.Writer.TryWrite(new BatchJobUpdate(attempt.Id, 255, BatchJobExitReason.Error)
            {
                WallTime = TimeSpan.Zero,
                Detail = $"the worker program '{psi.FileName}' could not be started: {e.Message}",
            });
            return;
        }

        process.StandardInput.Close();
        attempt.Process = process;
        attempt.ProcessId = process.Id;
        _running.Add(attempt.Id, attempt);
        string prefix = Path.Combine(_outputDirectory, "attempt-" + attempt.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        EnsureOutputDirectory();
        attempt.StandardOutput = AttemptOutput.Start(process.StandardOutput.BaseStream, prefix + ".stdout");
        attempt.StandardError = AttemptOutput.Start(process.StandardError.BaseStream, prefix + ".stderr");
        LocalProcessLog.Started(_logger, attempt.Id, request.JobStoreId, request.JobName, attempt.ProcessId);

        // Never inline: a worker that already exited would otherwise re-enter StartWhatFits while it walks the queue.
        _ = Task.Run(() => WatchAsync(attempt));
    }

    /// <summary>
    /// A worker process's start: <see cref="LocalProcessBatchSystemOptions.WorkerCommand"/> and then
    /// <paramref name="arguments"/>, all three standard streams redirected (a worker reads nothing; an empty standard input
    /// keeps it off the leader's terminal, and a serving worker reads its requests there).
    /// </summary>
    private ProcessStartInfo WorkerStartInfo(IEnumerable<string> arguments)
    {
        var psi = new ProcessStartInfo(_options.WorkerCommand[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in _options.WorkerCommand.Skip(1).Concat(arguments))
        {
            psi.ArgumentList.Add(argument);
        }

        return psi;
    }

    /// <summary>What every worker process gets from the batch system itself, after (so over) the request's environment:
    /// the work directory and, when known, this leader's process (the worker does nothing if this process is gone by the
    /// time it holds its lock, docs/decisions.md#restart-fence).</summary>
    private void SetLeaderEnvironment(ProcessStartInfo psi)
    {
        psi.Environment[WorkDirVariable] = _workDirectory;
        if (LeaderProcess is { } leader)
        {
            psi.Environment[Worker.LaunchingLeader.Variable] = leader;
        }
    }

    /// <summary>An idle serving worker, or a new one while the pool has fewer than <see cref="LocalProcessBatchSystemOptions.WarmWorkers"/>; null when all are busy. Under the lock.</summary>
    private PooledWorker? TakePooledWorker()
    {
        while (_idle.TryPop(out var idle))
        {
            if (!idle.Exited.IsCompleted)
            {
                return idle;
            }

            // It died while it waited (an operator, the OOM killer): it leaves the pool, no attempt is charged for it.
            Retire(idle, keepOutput: false, "it ended while idle");
        }

        if (_pooled.Count(w => w.Retirement is null) >= _options.WarmWorkers)
        {
            return null;
        }

        var psi = WorkerStartInfo([Worker.ToilWorkerEntryPoint.ServeOption]);
        SetLeaderEnvironment(psi);

        try
        {
            Directory.CreateDirectory(_workDirectory);
            EnsureOutputDirectory();
            var worker = PooledWorker.Start(psi, Path.Combine(_outputDirectory, "pooled-worker-" + Guid.NewGuid().ToString("N")[..12] + ".stderr"));
            _pooled.Add(worker);
            LocalProcessLog.PoolWorkerStarted(_logger, worker.ProcessId, _pooled.Count, _options.WarmWorkers);
            return worker;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            LocalProcessLog.PoolWorkerStartFailed(_logger, e, psi.FileName);
            return null;
        }
    }

    /// <summary>Hands an attempt to a serving worker and watches it. Under the lock.</summary>
    private void StartPooled(WorkerAttempt attempt, PooledWorker worker)
    {
        var request = attempt.Request;

        // What a one-job worker gets in its process environment, beyond what the pool process got when it started.
        var environment = new Dictionary<string, string>(request.Environment, StringComparer.Ordinal)
        {
            [WorkDirVariable] = _workDirectory,
            [CoordinationDirVariable] = CoordinationDirectoryFor(request.JobStore.Config.WorkflowId),
        };
        attempt.Pooled = worker;
        attempt.Process = worker.Process;
        attempt.ProcessId = worker.ProcessId;
        attempt.StartTimestamp = _time.GetTimestamp();
        _running.Add(attempt.Id, attempt);
        LocalProcessLog.StartedPooled(_logger, attempt.Id, request.JobStoreId, request.JobName, attempt.ProcessId);
        _ = Task.Run(() => WatchPooledAsync(attempt, worker, environment));
    }

    /// <summary>Waits for a pooled attempt's result (or its process's end), reports it unless it was killed, and returns the worker to the pool or retires it.</summary>
    private async Task WatchPooledAsync(WorkerAttempt attempt, PooledWorker worker, Dictionary<string, string> environment)
    {
        var request = attempt.Request;
        var run = worker.RunAsync(request.JobName, request.JobStore.Locator, request.JobStoreId, environment);
        var walltime = request.Resources.Walltime;
        await WatchWalltimeAsync(attempt, run).ConfigureAwait(false);

        var result = await run.ConfigureAwait(false);
        bool crashed = result is null;
        if (crashed && !await EndsWithinAsync(worker.Exited, _options.KillTimeout, CancellationToken.None).ConfigureAwait(false))
        {
            // Its pipes broke but it lives on: it cannot serve again.
            try
            {
                worker.Process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            await EndsWithinAsync(worker.Exited, _options.KillTimeout, CancellationToken.None).ConfigureAwait(false);
        }

        int exitCode = result?.ExitCode ?? (worker.Exited.IsCompleted ? worker.Process.ExitCode : 255);
        attempt.Exited.TrySetResult();
        var wallTime = _time.GetElapsedTime(attempt.StartTimestamp);
        var reason = attempt.OverWalltime ? BatchJobExitReason.MaxJobDuration : ExitCodeMapping.Reason(exitCode);
        string? retireWhy = crashed ? "it ended during an attempt"
            : attempt.KillRequested ? "its attempt was killed"
            : attempt.OverWalltime ? "its attempt outlived its walltime"
            : exitCode == Worker.WorkerExitCodes.LeaderGone ? "its job found the leader gone"
            : null;
        var kept = new List<string>(1);
        if (retireWhy is not null)
        {
            // A killed attempt ends when its process is reaped, as a one-job worker's does.
            bool keep = crashed && exitCode != 0 && !attempt.KillRequested;
            await Retire(worker, keep, retireWhy).ConfigureAwait(false);
            if (keep && worker.StandardError.HasFile && worker.StandardError.Completion.IsCompleted)
            {
                kept.Add(worker.StandardError.Path);
            }
        }

        string detail = crashed
            ? $"the pooled worker process {worker.ProcessId} ended during the attempt; {ExitCodeMapping.Describe(exitCode)}"
            : $"the pooled worker process {worker.ProcessId} ran the job: exit code {exitCode}" + (result!.Error is { } refused ? $" (request refused: {refused})" : string.Empty);
        if (attempt.OverWalltime)
        {
            detail = $"the job outlived its walltime of {walltime}; {detail}";
        }

        Report(attempt, exitCode, reason, wallTime, detail, kept, () =>
        {
            if (retireWhy is null)
            {
                if (_shutDown)
                {
                    _ = Retire(worker, keepOutput: false, "the batch system shuts down");
                }
                else
                {
                    _idle.Push(worker);
                }
            }
        });
    }

    /// <summary>Takes a serving worker out of the pool for good: stops it (bounded), drains and deletes or keeps its standard error. Idempotent; safe under the lock.</summary>
    private Task Retire(PooledWorker worker, bool keepOutput, string why)
    {
        lock (_lock)
        {
            return worker.Retirement ??= Task.Run(async () =>
            {
                LocalProcessLog.PoolWorkerRetired(_logger, worker.ProcessId, why);
                if (!await worker.StopAsync(_options.KillTimeout, _time).ConfigureAwait(false))
                {
                    LocalProcessLog.StopFailed(_logger, new TimeoutException($"The pooled worker process {worker.ProcessId} did not end within {_options.KillTimeout} of SIGKILL."), 0, worker.ProcessId);
                }

                try
                {
                    await worker.StandardError.Completion.WaitAsync(OutputDrainBound, _time).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    LocalProcessLog.OutputAbandoned(_logger, 0, OutputDrainBound);
                }
                catch (IOException e)
                {
                    LocalProcessLog.OutputFailed(_logger, e, 0, worker.StandardError.Path);
                }

                if (!keepOutput && worker.StandardError.Completion.IsCompleted)
                {
                    worker.StandardError.Delete();
                }

                if (worker.Exited.IsCompleted)
                {
                    worker.Process.Dispose();
                }

                lock (_lock)
                {
                    _pooled.Remove(worker);
                }
            });
        }
    }

    /// <summary>Stops every serving worker (each bounded by the kill timeout, all at once); after every attempt was killed.</summary>
    private async Task StopPoolAsync()
    {
        List<Task> retirements;
        lock (_lock)
        {
            _idle.Clear();
            retirements = [.. _pooled.ToList().Select(w => Retire(w, keepOutput: false, "the batch system shuts down"))];
        }

        await Task.WhenAll(retirements).ConfigureAwait(false);
    }

    private void EnsureOutputDirectory()
    {
        if (!Directory.Exists(_outputDirectory))
        {
            Directory.CreateDirectory(_outputDirectory);
        }
    }

    /// <summary>
    /// Waits up to the attempt's walltime (if it has one) for <paramref name="work"/>; past it, marks the attempt over its
    /// walltime and starts stopping it. Returns at the walltime or when the work ends, whichever is first.
    /// </summary>
    private async Task WatchWalltimeAsync(WorkerAttempt attempt, Task work)
    {
        var walltime = attempt.Request.Resources.Walltime;
        if (walltime <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await work.WaitAsync(walltime, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            attempt.OverWalltime = true;
            LocalProcessLog.OverWalltime(_logger, attempt.Id, attempt.ProcessId, walltime);
            _ = StopOverlongAsync(attempt);
        }
    }

    /// <summary>Waits for an attempt's process to end, reports it (unless it was killed) and starts what now fits.</summary>
    private async Task WatchAsync(WorkerAttempt attempt)
    {
        var process = attempt.Process!;
        var exit = process.WaitForExitAsync();
        var walltime = attempt.Request.Resources.Walltime;
        await WatchWalltimeAsync(attempt, exit).ConfigureAwait(false);

        await exit.ConfigureAwait(false);
        attempt.Exited.TrySetResult();
        var wallTime = _time.GetElapsedTime(attempt.StartTimestamp);
        int exitCode = process.ExitCode;
        var outputs = new[] { attempt.StandardOutput!, attempt.StandardError! };
        try
        {
            await Task.WhenAll(outputs.Select(o => o.Completion)).WaitAsync(OutputDrainBound, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LocalProcessLog.OutputAbandoned(_logger, attempt.Id, OutputDrainBound);
        }
        catch (IOException e)
        {
            LocalProcessLog.OutputFailed(_logger, e, attempt.Id, _outputDirectory);
        }

        var reason = attempt.OverWalltime ? BatchJobExitReason.MaxJobDuration : ExitCodeMapping.Reason(exitCode);
        bool keep = exitCode != 0 && !attempt.KillRequested;
        var kept = new List<string>(2);
        foreach (var output in outputs)
        {
            if (!output.Completion.IsCompleted)
            {
                continue;
            }

            if (keep && output.HasFile)
            {
                kept.Add(output.Path);
            }
            else
            {
                output.Delete();
            }

            if (output.WriteError is { } error)
            {
                LocalProcessLog.OutputFailed(_logger, error, attempt.Id, output.Path);
            }
        }

        process.Dispose();
        string detail = attempt.OverWalltime
            ? $"the job outlived its walltime of {walltime}; {ExitCodeMapping.Describe(exitCode)}"
            : ExitCodeMapping.Describe(exitCode);
        Report(attempt, exitCode, reason, wallTime, detail, kept, underLock: null);
    }

    /// <summary>
    /// The end of an attempt, one-job or pooled: the output's tail added to the detail, the resources released, the
    /// update queued (unless the leader killed it), <paramref name="underLock"/> run, what fits started, all under the
    /// lock; then the attempt marked ended.
    /// </summary>
    private void Report(WorkerAttempt attempt, int exitCode, BatchJobExitReason reason, TimeSpan wallTime, string detail, IReadOnlyList<string> kept, Action? underLock)
    {
        if (kept.Count > 0 && _options.OutputTailBytes > 0)
        {
            detail += AttemptOutput.Tail(kept, _options.OutputTailBytes);
        }

        LocalProcessLog.Ended(_logger, attempt.Id, exitCode, reason, wallTime);
        lock (_lock)
        {
            _running.Remove(attempt.Id);
            _pool.Release(attempt.Reservation!);
            if (!attempt.KillRequested)
            {
                _issued.Remove(attempt.Id);
                _updates.Writer.TryWrite(new BatchJobUpdate(attempt.Id, exitCode, reason)
                {
                    WallTime = wallTime,
                    Detail = detail,
                    OutputFiles = kept,
                });
            }

            underLock?.Invoke();
            if (!_shutDown)
            {
                StartWhatFits();
            }
        }

        attempt.Ended.TrySetResult();
    }

    /// <summary>SIGTERM, then SIGKILL to the process and its descendants after the grace period; bounded.</summary>
    /// <param name="attempt">The attempt.</param>
    /// <param name="stopped">What "stopped" means: the attempt ended (a leader's kill), or its process was reaped (walltime).</param>
    /// <param name="cancellationToken">Ends the waits (the signals already sent stay sent).</param>
    private async Task KillAsync(WorkerAttempt attempt, Task stopped, CancellationToken cancellationToken)
    {
        var grace = _options.KillGracePeriod;
        if (attempt.Exited.Task.IsCompleted)
        {
            await EndsWithinAsync(stopped, _options.KillTimeout, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (grace > TimeSpan.Zero)
        {
            // Checked above: once reaped, the process ID may belong to another process.
            LocalProcessLog.Terminating(_logger, attempt.Id, attempt.ProcessId, grace);
            ProcessSignals.Send(attempt.ProcessId, ProcessSignals.Terminate);
            if (await EndsWithinAsync(stopped, grace, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            LocalProcessLog.Escalating(_logger, attempt.Id, attempt.ProcessId, grace);
        }

        try
        {
            attempt.Process?.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited (and may have been disposed) meanwhile.
        }

        if (!await EndsWithinAsync(stopped, _options.KillTimeout, cancellationToken).ConfigureAwait(false))
        {
            throw new TimeoutException($"The worker process {attempt.ProcessId} of attempt {attempt.Id} did not end within {_options.KillTimeout} of SIGKILL.");
        }
    }

    /// <summary>Stops a worker that outlived its job's walltime (SIGTERM, then SIGKILL); its end is reported as usual.</summary>
    private async Task StopOverlongAsync(WorkerAttempt attempt)
    {
        try
        {
            await KillAsync(attempt, attempt.Exited.Task, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            LocalProcessLog.StopFailed(_logger, e, attempt.Id, attempt.ProcessId);
        }
    }

    private async Task<bool> EndsWithinAsync(Task stopped, TimeSpan bound, CancellationToken cancellationToken)
    {
        try
        {
            await stopped.WaitAsync(bound, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// The coordination directory the workers of one workflow get (their <c>TOIL_COORDINATION_DIR</c>): one per workflow,
    /// so shutting down runs only this workflow's orphans. Workers make a subdirectory per node in it.
    /// </summary>
    private string CoordinationDirectoryFor(string workflowId)
    {
        bool plain = workflowId.Length is > 0 and <= 64 && workflowId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
        string name = plain ? workflowId : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(workflowId)).AsSpan(0, 16));
        return Path.Combine(_coordinationRoot, "workflow-" + name);
    }
}
