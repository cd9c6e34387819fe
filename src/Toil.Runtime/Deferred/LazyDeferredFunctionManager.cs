namespace Toil.Runtime.Deferred;

/// <summary>
/// The file-backed manager a worker gets from <see cref="DeferredFunctionManagerFactory"/>: it scans for dead workers'
/// functions at every job start and at close as <see cref="DeferredFunctionManager"/> does, but takes its lock file and
/// writes state only when a job defers its first function. A worker that defers nothing has nothing to recover after a
/// crash, so it needs no lock file and pays none of the directory fsyncs (most workers: the overhead benchmark).
/// </summary>
/// <remarks>
/// Used by one worker run at a time, like the manager it wraps. One orphan scan serves two back-to-back points of a
/// chain: the scan at a job's end also stands for the next job's start scan (or the scan at close) when that comes
/// within <see cref="BackToBack"/> (docs/decisions.md#deferred-functions).
/// </remarks>
internal sealed class LazyDeferredFunctionManager : IDeferredFunctionManager
{
    /// <summary>How soon after a job's end scan the next scan may be served by it.</summary>
    internal static readonly TimeSpan BackToBack = TimeSpan.FromSeconds(1);

    private readonly DeferredFunctionRunner _runner;
    private readonly TimeProvider _time;
    private DeferredFunctionManager? _inner;
    private bool _disposed;

    // When the last job's end scan finished (a timestamp of _time), or 0: each such scan serves at most one more.
    private long _endScan;

    public LazyDeferredFunctionManager(DeferredFunctionRunner runner, TimeProvider? time = null)
    {
        _runner = runner;
        _time = time ?? TimeProvider.System;
        WorkerId = Guid.NewGuid().ToString("N");
    }

    /// <inheritdoc />
    public string WorkerId { get; }

    /// <inheritdoc />
    public async ValueTask<IDeferredFunctionScope> BeginJobAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_inner is not null)
        {
            return await _inner.BeginJobAsync(cancellationToken).ConfigureAwait(false);
        }

        if (!TakeEndScan())
        {
            await _runner.RunOrphansAsync(WorkerId, cancellationToken).ConfigureAwait(false);
        }

        return new Scope(this);
    }

    /// <inheritdoc />
    public async ValueTask<DeferredFunctionRunResult> RunOrphansAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _inner is not null
            ? await _inner.RunOrphansAsync(cancellationToken).ConfigureAwait(false)
            : await _runner.RunOrphansAsync(WorkerId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_inner is not null)
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
            return;
        }

        if (TakeEndScan())
        {
            return;
        }

        try
        {
            await _runner.RunOrphansAsync(WorkerId, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Disposal runs in the worker's finally: throwing here would hide the job's own error.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            DeferredLog.CleanupFailed(_runner.Logger, ex, WorkerId);
        }
    }

    /// <summary>
    /// Whether a job's end scan finished within <see cref="BackToBack"/>, so that it stands for the scan about to be made
    /// (it is used up). A dead worker's state that appeared between the two is indistinguishable from one that appeared
    /// just after the later scan, which the next scan finds anyway.
    /// </summary>
    private bool TakeEndScan()
    {
        long endScan = _endScan;
        _endScan = 0;
        return endScan != 0 && _time.GetElapsedTime(endScan) < BackToBack;
    }

    /// <summary>A job's end scan (no deferral in its scope): runs the orphans and remembers when it finished.</summary>
    /// <remarks>
    /// Nothing persisted yet, so the scan is the runner's; with no directory (the usual case) it completes at once and no
    /// state machine is made for it (docs/performance.md, "In-memory chain: the fourth pass").
    /// </remarks>
    private ValueTask<DeferredFunctionRunResult> RunEndScanAsync(CancellationToken cancellationToken)
    {
        _endScan = 0;
        if (_inner is null && !_disposed)
        {
            Task<DeferredFunctionRunResult> scan = _runner.RunOrphansAsync(WorkerId, cancellationToken);
            if (scan.IsCompletedSuccessfully)
            {
                _endScan = _time.GetTimestamp();
                return ValueTask.FromResult(scan.Result);
            }

            return AwaitEndScanAsync(scan);
        }

        return AwaitEndScanAsync(RunOrphansAsync(cancellationToken).AsTask());
    }

    private async ValueTask<DeferredFunctionRunResult> AwaitEndScanAsync(Task<DeferredFunctionRunResult> scan)
    {
        var result = await scan.ConfigureAwait(false);
        _endScan = _time.GetTimestamp();
        return result;
    }

    private async ValueTask<IDeferredFunctionScope> BeginPersistedJobAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _inner ??= await DeferredFunctionManager.OpenLockedAsync(_runner, WorkerId, cancellationToken).ConfigureAwait(false);
        return await _inner.BeginJobAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A job's scope before anything is persisted: the first deferral opens the real manager and its scope.</summary>
    private sealed class Scope(LazyDeferredFunctionManager manager) : IDeferredFunctionScope
    {
        private IDeferredFunctionScope? _inner;
        private bool _hasRun;

        public async ValueTask DeferAsync<TArgs>(string name, TArgs arguments, CancellationToken cancellationToken = default)
        {
            if (_inner is null)
            {
                if (_hasRun)
                {
                    throw new InvalidOperationException("the job's deferred functions have already run; nothing more can be deferred in this scope");
                }

                _inner = await manager.BeginPersistedJobAsync(cancellationToken).ConfigureAwait(false);
            }

            await _inner.DeferAsync(name, arguments, cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask<DeferredFunctionRunResult> RunAsync(CancellationToken cancellationToken = default)
        {
            if (_inner is not null)
            {
                return await _inner.RunAsync(cancellationToken).ConfigureAwait(false);
            }

            if (_hasRun)
            {
                return default;
            }

            _hasRun = true;
            return await manager.RunEndScanAsync(cancellationToken).ConfigureAwait(false);
        }

        public ValueTask DisposeAsync()
        {
            _hasRun = true;
            return _inner?.DisposeAsync() ?? ValueTask.CompletedTask;
        }
    }
}
