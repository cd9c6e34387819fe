namespace Toil.Runtime.Deferred;

/// <summary>
/// The per-worker, persisted registry of deferred functions in a node's coordination directory.
/// A worker opens one for its lifetime (<see cref="DeferredFunctionManager.OpenAsync"/>), begins one
/// scope per job (<see cref="BeginJobAsync"/>), and disposes it when it exits.
/// </summary>
/// <remarks>
/// Functions deferred in a scope are persisted before <see cref="IDeferredFunctionScope.DeferAsync{TArgs}"/>
/// returns and run when the job ends, whether it succeeded or failed. Functions left behind by workers
/// that died on this node (orphans) are run when a scope begins, when a scope's functions have run,
/// when the manager is disposed, and by <see cref="DeferredFunctionManager.CleanupAsync"/>.
/// </remarks>
public interface IDeferredFunctionManager : IAsyncDisposable
{
    /// <summary>Gets the random identifier of this worker's state files in the coordination directory.</summary>
    string WorkerId { get; }

    /// <summary>
    /// Runs orphaned functions of dead workers, then starts the scope of one job. Only one scope may be
    /// active at a time.
    /// </summary>
    /// <param name="cancellationToken">Cancels the orphan run (unrun orphans stay persisted).</param>
    /// <returns>The job's scope; run its functions with <see cref="IDeferredFunctionScope.RunAsync"/> when the job ends.</returns>
    /// <exception cref="InvalidOperationException">A scope is already active, or the manager is disposed.</exception>
    ValueTask<IDeferredFunctionScope> BeginJobAsync(CancellationToken cancellationToken = default);

    /// <summary>Runs the persisted functions of every dead worker in the coordination directory.</summary>
    /// <param name="cancellationToken">Cancels the run; functions not yet run stay persisted.</param>
    /// <returns>What ran, what failed and what was set aside.</returns>
    ValueTask<DeferredFunctionRunResult> RunOrphansAsync(CancellationToken cancellationToken = default);
}
