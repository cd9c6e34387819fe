namespace Toil.Runtime.Deferred;

/// <summary>
/// Opens the deferred-function manager of one worker run. A manager has one active scope at a time, so every run (and
/// so every concurrent in-process run) opens its own.
/// </summary>
public interface IDeferredFunctionManagerFactory
{
    /// <summary>Opens a manager for one worker run.</summary>
    /// <param name="coordinationDirectory">The node-local coordination directory of the run's workflow.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>The manager; the run disposes it when it ends.</returns>
    ValueTask<IDeferredFunctionManager> OpenAsync(string coordinationDirectory, CancellationToken cancellationToken = default);
}
