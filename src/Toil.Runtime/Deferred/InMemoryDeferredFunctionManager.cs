using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Deferred;

/// <summary>
/// An <see cref="IDeferredFunctionManager"/> that keeps calls in memory: same ordering, failure and timeout
/// behaviour as <see cref="DeferredFunctionManager"/>, but nothing survives the process and there are no
/// orphans. For unit tests and embedded hosts with no coordination directory.
/// </summary>
public sealed class InMemoryDeferredFunctionManager : IDeferredFunctionManager
{
    private readonly DeferredFunctionInvoker _invoker;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private List<DeferredCall> _pending = [];
    private Scope? _active;
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="InMemoryDeferredFunctionManager"/> class.</summary>
    /// <param name="registry">The functions that can be deferred.</param>
    /// <param name="logger">Receives failures of functions; defaults to none.</param>
    /// <param name="services">Passed to function factories; defaults to an empty provider.</param>
    /// <param name="options">Supplies <see cref="DeferredFunctionManagerOptions.FunctionTimeout"/> and
    /// <see cref="DeferredFunctionManagerOptions.TimeProvider"/>; the coordination directory is ignored.</param>
    public InMemoryDeferredFunctionManager(
        DeferredFunctionRegistry registry,
        ILogger? logger = null,
        IServiceProvider? services = null,
        DeferredFunctionManagerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        options ??= new DeferredFunctionManagerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.FunctionTimeout, TimeSpan.Zero, nameof(options));
        _invoker = DeferredFunctionManager.CreateInvoker(options, registry, logger, services);
    }

    /// <inheritdoc />
    public string WorkerId { get; } = Guid.NewGuid().ToString("N");

    /// <inheritdoc />
    public async ValueTask<IDeferredFunctionScope> BeginJobAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_active is not null)
            {
                throw new InvalidOperationException("a deferred-function scope is already active; run it before beginning another job");
            }

            return _active = new Scope(this);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>There are no orphans in memory: always an empty result.</remarks>
    public ValueTask<DeferredFunctionRunResult> RunOrphansAsync(CancellationToken cancellationToken = default) => default;

    /// <summary>Runs the active scope (or calls kept by a cancelled run) and closes the manager. Never throws.</summary>
    /// <returns>A task that completes when the manager is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            await RunPendingAsync(_active, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Disposal runs in the worker's finally: throwing here would hide the job's own error.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            DeferredLog.CleanupFailed(_invoker.Logger, ex, WorkerId);
        }
        finally
        {
            _disposed = true;
            _gate.Dispose();
        }
    }

    private async ValueTask DeferAsync<TArgs>(Scope scope, string name, TArgs arguments, CancellationToken cancellationToken)
    {
        DeferredCall call = _invoker.CreateCall(name, arguments);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (scope.HasRun || !ReferenceEquals(_active, scope))
            {
                throw new InvalidOperationException("the job's deferred functions have already run; nothing more can be deferred in this scope");
            }

            _pending = [.. _pending, call];
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask<DeferredFunctionRunResult> RunPendingAsync(Scope? scope, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (scope is not null)
            {
                if (scope.HasRun)
                {
                    return default;
                }

                scope.HasRun = true;
                _active = null;
            }

            List<DeferredCall> calls = _pending;
            int done = 0;
            try
            {
                return await _invoker.RunCallsAsync(WorkerId, calls, i => done = i, [], cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _pending = [.. calls.Skip(done)];
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private sealed class Scope(InMemoryDeferredFunctionManager manager) : IDeferredFunctionScope
    {
        public bool HasRun { get; set; }

        public ValueTask DeferAsync<TArgs>(string name, TArgs arguments, CancellationToken cancellationToken = default)
            => manager.DeferAsync(this, name, arguments, cancellationToken);

        public ValueTask<DeferredFunctionRunResult> RunAsync(CancellationToken cancellationToken = default)
            => manager.RunPendingAsync(this, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            if (!HasRun)
            {
                await manager.RunPendingAsync(this, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
