using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using Toil.Runtime.IO;

namespace Toil.Runtime.Deferred;

/// <summary>
/// The file-backed <see cref="IDeferredFunctionManager"/>: one worker's deferred calls persisted in
/// <c>&lt;coordination&gt;/deferred/&lt;workerId&gt;.json</c>, owned through an exclusive OS lock on
/// <c>&lt;workerId&gt;.lock</c> held for the manager's lifetime. When the process dies the kernel drops the
/// lock, and the next worker (or <see cref="CleanupAsync"/>) on the node takes it and runs the calls.
/// </summary>
/// <remarks>
/// Guarantee: at least once, on this node. See <c>docs/deferred-functions.md</c>.
/// </remarks>
public sealed class DeferredFunctionManager : IDeferredFunctionManager
{
    /// <summary>The subdirectory of the coordination directory that holds deferred-function state.</summary>
    public const string DirectoryName = "deferred";

    private readonly DeferredFunctionRunner _runner;
    private readonly FileStream _lock;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private List<DeferredCall> _pending = [];
    private Scope? _active;
    private bool _disposed;

    /// <summary>Opening attempts at most, before an <see cref="IOException"/> propagates.</summary>
    internal const int OpenAttempts = 5;

    /// <summary>
    /// Retries opening at once (no delay: nobody has to finish first), at most <see cref="OpenAttempts"/> attempts in all,
    /// after losing a race with a cleaner: <see cref="CleanupAsync"/> removed the empty directory, or a scanner locked (and
    /// then removed) our <c>.lock.tmp</c> as abandoned in the moment between its creation and our lock, so the lock failed
    /// as a sharing violation. Each attempt starts again under a new ID unless the caller chose one (the <c>.tmp</c> name
    /// is free again either way).
    /// </summary>
    internal static readonly ResiliencePipeline OpenRetry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<IOException>(),
            MaxRetryAttempts = OpenAttempts - 1,
            Delay = TimeSpan.Zero,
            BackoffType = DelayBackoffType.Constant,
            UseJitter = false,
        })
        .Build();

    private DeferredFunctionManager(string workerId, FileStream heldLock, DeferredFunctionRunner runner)
    {
        WorkerId = workerId;
        _lock = heldLock;
        _runner = runner;
    }

    /// <inheritdoc />
    public string WorkerId { get; }

    /// <summary>Gets the <c>deferred</c> directory this manager works in.</summary>
    public string Directory => _runner.Directory;

    /// <summary>
    /// Opens a manager for one worker: creates <c>deferred/</c> if needed and this worker's lock file under an
    /// exclusive lock. Orphans are run by <see cref="BeginJobAsync"/>, not here.
    /// </summary>
    /// <param name="options">The coordination directory and timeouts.</param>
    /// <param name="registry">The functions this worker can run (its own and orphans).</param>
    /// <param name="logger">Receives failures of functions and set-aside state; defaults to none.</param>
    /// <param name="services">Passed to function factories; defaults to an empty provider.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>The open manager; dispose it when the worker ends.</returns>
    /// <exception cref="DeferredFunctionException">The directory does not enforce file locks (for example
    /// <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c> is set, or a filesystem without <c>flock</c>).</exception>
    public static async ValueTask<DeferredFunctionManager> OpenAsync(
        DeferredFunctionManagerOptions options,
        DeferredFunctionRegistry registry,
        ILogger? logger = null,
        IServiceProvider? services = null,
        CancellationToken cancellationToken = default)
    {
        DeferredFunctionRunner runner = CreateRunner(options, registry, logger, services);
        return await OpenLockedAsync(runner, workerId: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a manager on <paramref name="runner"/>, under <paramref name="workerId"/> or a new random ID.</summary>
    internal static async ValueTask<DeferredFunctionManager> OpenLockedAsync(DeferredFunctionRunner runner, string? workerId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await OpenRetry.ExecuteAsync(
            static (s, _) => CreateLockedAsync(s.runner, s.workerId ?? Guid.NewGuid().ToString("N")),
            (runner, workerId),
            cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask<DeferredFunctionManager> CreateLockedAsync(DeferredFunctionRunner runner, string workerId)
    {
        AccessModes.CreateDirectory(runner.Directory, AccessModes.PrivateDirectory);
        string lockPath = runner.LockPath(workerId);

        // Lock under a .tmp name (scanners skip it), then rename: a scanner can never take the lock in
        // the moment between creating the file and locking it and mistake a live worker for a dead one.
        string temp = lockPath + DurableFile.TempSuffix;
        var held = FileLock.Open(temp, FileMode.CreateNew, AccessModes.PrivateFile, bufferSize: 4096);
        try
        {
            EnsureLockIsEnforced(temp);
            File.Move(temp, lockPath);
            DurableFile.FsyncDirectory(runner.Directory);
        }
        catch
        {
            await held.DisposeAsync().ConfigureAwait(false);
            File.Delete(temp);
            throw;
        }

        return new DeferredFunctionManager(workerId, held, runner);
    }

    /// <summary>
    /// Batch-system cleanup after the last worker on a node: runs the functions of every dead worker in
    /// <paramref name="options"/>' coordination directory, then removes <c>deferred/</c> if nothing is left
    /// in it (live workers' files and set-aside state are kept).
    /// </summary>
    /// <param name="options">The coordination directory and timeouts.</param>
    /// <param name="registry">The functions that may be found.</param>
    /// <param name="logger">Receives failures; defaults to none.</param>
    /// <param name="services">Passed to function factories; defaults to an empty provider.</param>
    /// <param name="cancellationToken">Cancels the run; unrun functions stay persisted.</param>
    /// <returns>What ran, what failed and what was set aside.</returns>
    public static async ValueTask<DeferredFunctionRunResult> CleanupAsync(
        DeferredFunctionManagerOptions options,
        DeferredFunctionRegistry registry,
        ILogger? logger = null,
        IServiceProvider? services = null,
        CancellationToken cancellationToken = default)
    {
        DeferredFunctionRunner runner = CreateRunner(options, registry, logger, services);
        DeferredFunctionRunResult result = await runner.RunOrphansAsync(ownWorkerId: null, cancellationToken).ConfigureAwait(false);
        try
        {
            if (System.IO.Directory.Exists(runner.Directory) && !System.IO.Directory.EnumerateFileSystemEntries(runner.Directory).Any())
            {
                System.IO.Directory.Delete(runner.Directory);
            }
        }
        catch (IOException)
        {
            // A worker started meanwhile; its directory stays.
        }

        return result;
    }

    /// <inheritdoc />
    public async ValueTask<IDeferredFunctionScope> BeginJobAsync(CancellationToken cancellationToken = default)
    {
        Scope scope;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_active is not null)
            {
                throw new InvalidOperationException("a deferred-function scope is already active; run it before beginning another job");
            }

            _active = scope = new Scope(this);
        }
        finally
        {
            _gate.Release();
        }

        try
        {
            await RunOrphansAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _active = null;
            throw;
        }

        return scope;
    }

    /// <inheritdoc />
    public async ValueTask<DeferredFunctionRunResult> RunOrphansAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return await _runner.RunOrphansAsync(WorkerId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the active scope's functions if it was not run, runs orphans, then removes this worker's files
    /// and releases its lock. If functions remain persisted (a cancelled run), the files are left for the
    /// next worker on the node, which runs them as orphans. Never throws: problems are logged, so disposal in
    /// a <c>finally</c> cannot hide the job's own error.
    /// </summary>
    /// <returns>A task that completes when the manager is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            if (_active is { } scope)
            {
                await scope.DisposeAsync().ConfigureAwait(false);
            }

            await RunOrphansAsync(CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Disposal runs in the worker's finally: throwing here would hide the job's own error.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            DeferredLog.CleanupFailed(_runner.Logger, ex, WorkerId);
        }
        finally
        {
            _disposed = true;
            try
            {
                if (_pending.Count == 0)
                {
                    // Unlink before unlocking, so a scanner that wins the lock next sees the file gone.
                    DurableFile.Delete(_runner.StatePath(WorkerId));
                    DurableFile.Delete(_runner.LockPath(WorkerId));
                }
            }
            catch (IOException ex)
            {
                DeferredLog.CleanupFailed(_runner.Logger, ex, WorkerId);
            }
            finally
            {
                await _lock.DisposeAsync().ConfigureAwait(false);
                _gate.Dispose();
            }
        }
    }

    internal static DeferredFunctionRunner CreateRunner(DeferredFunctionManagerOptions options, DeferredFunctionRegistry registry, ILogger? logger, IServiceProvider? services)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        options.Validate();
        string directory = Path.Combine(Path.GetFullPath(options.CoordinationDirectory!), DirectoryName);
        return new DeferredFunctionRunner(directory, CreateInvoker(options, registry, logger, services));
    }

    internal static DeferredFunctionInvoker CreateInvoker(DeferredFunctionManagerOptions options, DeferredFunctionRegistry registry, ILogger? logger, IServiceProvider? services)
        => new(registry, services ?? EmptyServiceProvider.Instance, options.FunctionTimeout, options.TimeProvider, logger ?? NullLogger.Instance);

    private static void EnsureLockIsEnforced(string path)
    {
        if (!FileLock.IsEnforced(path))
        {
            throw new DeferredFunctionException(
                $"file locks are not enforced in '{Path.GetDirectoryName(path)}' (DOTNET_SYSTEM_IO_DISABLEFILELOCKING set, or a filesystem without flock): " +
                "other workers could not tell this worker is alive. Use a node-local coordination directory.");
        }
    }

    private async ValueTask DeferAsync<TArgs>(Scope scope, string name, TArgs arguments, CancellationToken cancellationToken)
    {
        DeferredCall call = _runner.Invoker.CreateCall(name, arguments);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (scope.HasRun || !ReferenceEquals(_active, scope))
            {
                throw new InvalidOperationException("the job's deferred functions have already run; nothing more can be deferred in this scope");
            }

            List<DeferredCall> next = [.. _pending, call];
            await _runner.WriteStateAsync(WorkerId, next, cancellationToken).ConfigureAwait(false);
            _pending = next;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask<DeferredFunctionRunResult> RunScopeAsync(Scope scope, CancellationToken cancellationToken)
    {
        DeferredFunctionRunResult own;

        // Not cancellable: a cancelled run must still reach the code that keeps the calls persisted.
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (scope.HasRun)
            {
                return default;
            }

            scope.HasRun = true;
            _active = null;
            List<DeferredCall> calls = _pending;
            var setAside = new List<(DeferredCall, DeferredFunctionException)>();
            int done = 0;
            try
            {
                own = await _runner.Invoker.RunCallsAsync(WorkerId, calls, i => done = i, setAside, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Keep the unfinished calls persisted: they run as orphans once this worker exits.
                _pending = [.. calls.Skip(done)];
                await _runner.WriteStateAsync(WorkerId, _pending, CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            await _runner.SetAsideAsync(WorkerId, setAside, originalStatePath: null, CancellationToken.None).ConfigureAwait(false);
            _pending = [];
            await _runner.WriteStateAsync(WorkerId, _pending, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

        return own + await RunOrphansAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed class Scope(DeferredFunctionManager manager) : IDeferredFunctionScope
    {
        public bool HasRun { get; set; }

        public ValueTask DeferAsync<TArgs>(string name, TArgs arguments, CancellationToken cancellationToken = default)
            => manager.DeferAsync(this, name, arguments, cancellationToken);

        public ValueTask<DeferredFunctionRunResult> RunAsync(CancellationToken cancellationToken = default)
            => manager.RunScopeAsync(this, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            if (!HasRun)
            {
                await manager.RunScopeAsync(this, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    internal sealed class EmptyServiceProvider : IServiceProvider
    {
        public static readonly EmptyServiceProvider Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
