using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Toil.Runtime.Deferred;
using Toil.Runtime.Jobs;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Leader.BatchSystems;

/// <summary>
/// Runs each attempt as a worker process on this machine (<see cref="LocalProcessBatchSystemOptions.WorkerProgram"/>
/// with the worker arguments), several at once, admitted by cores, memory, disk and accelerators like the in-process
/// batch system. The leader's environment and the request's (real-time logging address included) are passed on. Exit
/// code 0 is <see cref="BatchJobExitReason.Finished"/>; any other is <see cref="BatchJobExitReason.Failed"/>, or
/// <see cref="BatchJobExitReason.MaxJobDuration"/> when the job's walltime killed it. A kill sends SIGTERM, then
/// SIGKILL after <see cref="LocalProcessBatchSystemOptions.KillGracePeriod"/>.
/// </summary>
public sealed partial class LocalProcessBatchSystem : IBatchSystem
{
    private const int SigTerm = 15;

    private readonly LocalProcessBatchSystemOptions _options;
    private readonly WorkerOptions _workerOptions;
    private readonly DeferredFunctionRegistry _deferredFunctions;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ResourcePool _pool;
    private readonly Channel<BatchJobUpdate> _updates = Channel.CreateUnbounded<BatchJobUpdate>(new UnboundedChannelOptions { SingleReader = true });
    private readonly LinkedList<(long Id, BatchJobRequest Request)> _queue = new();
    private readonly Dictionary<long, Running> _running = [];
    private readonly HashSet<string> _workflows = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _nextId;
    private bool _shutDown;

    /// <summary>Creates the batch system.</summary>
    /// <param name="options">The worker program and the slots.</param>
    /// <param name="workerOptions">The workers' options (their directories, cleaned at shut-down); defaults to the defaults.</param>
    /// <param name="deferredFunctions">The deferred functions orphans may name, run at shut-down; defaults to none registered.</param>
    /// <param name="time">The clock for walltime limits, kill grace periods and run times; defaults to the system clock.</param>
    /// <param name="logger">Receives start failures and kills; defaults to none.</param>
    /// <exception cref="ArgumentException"><see cref="LocalProcessBatchSystemOptions.WorkerProgram"/> is not set.</exception>
    public LocalProcessBatchSystem(IOptions<LocalProcessBatchSystemOptions> options, IOptions<WorkerOptions>? workerOptions = null, DeferredFunctionRegistry? deferredFunctions = null, TimeProvider? time = null, ILogger<LocalProcessBatchSystem>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        if (string.IsNullOrWhiteSpace(_options.WorkerProgram))
        {
            throw new ArgumentException("LocalProcessBatchSystemOptions.WorkerProgram must name the worker program (toil, dotnet, or the host's own executable).", nameof(options));
        }

        _workerOptions = workerOptions?.Value ?? new WorkerOptions();
        _deferredFunctions = deferredFunctions ?? new DeferredFunctionRegistry();
        _time = time ?? TimeProvider.System;
        _log = (ILogger?)logger ?? NullLogger.Instance;
        _pool = new ResourcePool(
            _options.MaxCores,
            _options.MaxMemory ?? ResourcePool.DefaultMemory(),
            _options.MaxDisk ?? ResourcePool.DefaultDisk(Path.GetTempPath()),
            _options.MaxAccelerators);
    }

    /// <inheritdoc />
    public string Name => "local-process";

    /// <inheritdoc />
    public void CheckResourceRequest(JobResources resources) => _pool.Check(resources, Name);

    /// <inheritdoc />
    public ValueTask<long> IssueJobAsync(BatchJobRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckResourceRequest(request.Resources);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_shutDown, this);
            long id = ++_nextId;
            _queue.AddLast((id, request));
            _workflows.Add(request.JobStore.Config.WorkflowId);
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
            foreach (long id in batchJobIds)
            {
                var node = _queue.First;
                while (node is not null && node.Value.Id != id)
                {
                    node = node.Next;
                }

                if (node is not null)
                {
                    _queue.Remove(node);
                }
                else if (_running.TryGetValue(id, out var running))
                {
                    running.Killed = true;
                    killed.Add(running);
                }
            }
        }

        await Task.WhenAll(killed.Select(r => TerminateAsync(r, cancellationToken))).ConfigureAwait(false);
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
            running = [.. _running.Keys];
            workflows = [.. _workflows];
        }

        await KillJobsAsync(running, cancellationToken).ConfigureAwait(false);
        foreach (string workflowId in workflows)
        {
            await WorkerCleanup.CleanAsync(_workerOptions, workflowId, _deferredFunctions, _log, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ShutdownAsync(CancellationToken.None);

    private void StartWhatFits()
    {
        var node = _queue.First;
        while (node is not null)
        {
            var next = node.Next;
            if (_pool.TryTake(node.Value.Request.Resources))
            {
                _queue.Remove(node);
                Start(node.Value.Id, node.Value.Request);
            }

            node = next;
        }
    }

    private void Start(long id, BatchJobRequest request)
    {
        var start = new ProcessStartInfo(_options.WorkerProgram!)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in _options.WorkerProgramArguments.Concat(request.WorkerArguments))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in request.Environment)
        {
            start.Environment[name] = value;
        }

        var running = new Running(id, request, _time.GetTimestamp(), new OutputTail(_options.OutputTailBytes));
        _running[id] = running;
        try
        {
            running.Process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null.");
            running.Process.StandardInput.Close();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            LogStartFailed(_log, e, _options.WorkerProgram!, request.JobStoreId);
            _running.Remove(id);
            _pool.Release(request.Resources);
            _updates.Writer.TryWrite(new BatchJobUpdate(id, 255, BatchJobExitReason.Error) { Detail = $"the worker program could not start: {e.Message}" });
            return;
        }

        running.Waiter = Task.Run(() => WaitAsync(running));
    }

    private async Task WaitAsync(Running running)
    {
        var process = running.Process!;
        var output = PumpAsync(process.StandardOutput, running.Output);
        var error = PumpAsync(process.StandardError, running.Output);
        var walltime = running.Request.Resources.Walltime;
        Task? limit = null;
        using var limitCancel = new CancellationTokenSource();
        if (walltime > TimeSpan.Zero)
        {
            limit = Task.Run(async () =>
            {
                await Task.Delay(walltime, _time, limitCancel.Token).ConfigureAwait(false);
                running.OverWalltime = true;
                await TerminateAsync(running, CancellationToken.None).ConfigureAwait(false);
            });
        }

        await process.WaitForExitAsync().ConfigureAwait(false);
        await limitCancel.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(output, error).ConfigureAwait(false);
        int exitCode = process.ExitCode;
        process.Dispose();
        var reason = exitCode == 0 ? BatchJobExitReason.Finished : running.OverWalltime ? BatchJobExitReason.MaxJobDuration : BatchJobExitReason.Failed;
        string tail = running.Output.ToString();
        var update = new BatchJobUpdate(running.Id, exitCode, reason)
        {
            WallTime = _time.GetElapsedTime(running.Started),
            Detail = exitCode == 0 || tail.Length == 0 ? null : tail,
        };
        lock (_lock)
        {
            _running.Remove(running.Id);
            _pool.Release(running.Request.Resources);
            if (!running.Killed)
            {
                _updates.Writer.TryWrite(update);
            }

            if (!_shutDown)
            {
                StartWhatFits();
            }
        }

        if (limit is not null)
        {
            try
            {
                await limit.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The worker ended within its walltime.
            }
        }
    }

    /// <summary>SIGTERM, then SIGKILL (the whole tree) after the grace period; returns once the process has ended.</summary>
    private async Task TerminateAsync(Running running, CancellationToken cancellationToken)
    {
        var process = running.Process;
        if (process is null)
        {
            return;
        }

        try
        {
            if (process.HasExited)
            {
                await running.Waiter.ConfigureAwait(false);
                return;
            }

            _ = Kill(process.Id, SigTerm);
            try
            {
                await process.WaitForExitAsync(cancellationToken).WaitAsync(_options.KillGracePeriod, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                LogKillEscalated(_log, running.Id, process.Id, _options.KillGracePeriod);
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // Already ended and disposed.
        }
    }

    private static async Task PumpAsync(StreamReader reader, OutputTail tail)
    {
        char[] buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            tail.Append(buffer.AsSpan(0, read));
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LoggerMessage(EventId = 201, Level = LogLevel.Error, Message = "Could not start the worker program {Program} for job {JobStoreId}")]
    private static partial void LogStartFailed(ILogger logger, Exception exception, string program, string jobStoreId);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Batch job {BatchJobId} (process {ProcessId}) did not stop within {GracePeriod} of SIGTERM; sending SIGKILL")]
    private static partial void LogKillEscalated(ILogger logger, long batchJobId, int processId, TimeSpan gracePeriod);

    private sealed class Running(long id, BatchJobRequest request, long started, OutputTail output)
    {
        public long Id { get; } = id;

        public BatchJobRequest Request { get; } = request;

        public long Started { get; } = started;

        public OutputTail Output { get; } = output;

        public Process? Process { get; set; }

        public Task Waiter { get; set; } = Task.CompletedTask;

        public bool Killed { get; set; }

        public bool OverWalltime { get; set; }
    }

    /// <summary>The last characters a worker wrote to its standard streams.</summary>
    private sealed class OutputTail(int capacity)
    {
        private readonly StringBuilder _text = new();
        private readonly Lock _lock = new();

        public void Append(ReadOnlySpan<char> chars)
        {
            lock (_lock)
            {
                _text.Append(chars);
                if (_text.Length > capacity)
                {
                    _text.Remove(0, _text.Length - capacity);
                }
            }
        }

        public override string ToString()
        {
            lock (_lock)
            {
                return _text.ToString();
            }
        }
    }
}
