namespace Toil.Runtime.Deferred;

/// <summary>
/// A cleanup action a job defers until it ends, registered under a stable name in a
/// <see cref="DeferredFunctionRegistry"/>. Its arguments are persisted as JSON, so it can run in a
/// later process on the same node if the registering worker dies.
/// </summary>
/// <typeparam name="TArgs">The JSON-serialisable arguments type.</typeparam>
/// <remarks>
/// Implementations must be <b>idempotent</b>: a deferred function runs at least once, and may run
/// more than once (see <c>docs/deferred-functions.md</c>).
/// </remarks>
public interface IDeferredFunction<in TArgs>
{
    /// <summary>Runs the function.</summary>
    /// <param name="arguments">The arguments given when the function was deferred, read back from JSON.</param>
    /// <param name="cancellationToken">Cancelled when the function's timeout elapses or the run is cancelled.</param>
    /// <returns>A task that completes when the function is done.</returns>
    ValueTask RunAsync(TArgs arguments, CancellationToken cancellationToken);
}
