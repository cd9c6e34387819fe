namespace Toil.Runtime.Deferred;

/// <summary>The deferred functions of one job, from <see cref="IDeferredFunctionManager.BeginJobAsync"/>.</summary>
/// <remarks>
/// Call <see cref="RunAsync"/> when the job ends, on success and on failure (in a <c>finally</c>).
/// Disposing a scope whose functions were not run runs them, with no cancellation.
/// <see cref="DeferAsync{TArgs}"/> may be called concurrently.
/// </remarks>
public interface IDeferredFunctionScope : IAsyncDisposable
{
    /// <summary>
    /// Persists a call of the function registered as <paramref name="name"/> with <paramref name="arguments"/>.
    /// When this returns, the call is durable: it runs even if this process is killed.
    /// </summary>
    /// <typeparam name="TArgs">The arguments type; must be the type the name was registered with.</typeparam>
    /// <param name="name">The registered function name.</param>
    /// <param name="arguments">The arguments, serialised with the registered JSON type information.</param>
    /// <param name="cancellationToken">Cancels the write; a cancelled call is not persisted.</param>
    /// <returns>A task that completes when the call is durable.</returns>
    /// <exception cref="DeferredFunctionNotRegisteredException"><paramref name="name"/> is not registered.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="TArgs"/> is not the registered arguments type.</exception>
    /// <exception cref="InvalidOperationException">The scope's functions have already run.</exception>
    ValueTask DeferAsync<TArgs>(string name, TArgs arguments, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs this job's functions in registration order, logging (not throwing) failures, clears them,
    /// then runs orphans of dead workers. Later calls return an empty result.
    /// </summary>
    /// <param name="cancellationToken">
    /// Stops the run between functions and is passed to the running function. Functions not finished when
    /// it fires stay persisted and run later as orphans, after this worker exits.
    /// </param>
    /// <returns>What ran, what failed and what was set aside.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<DeferredFunctionRunResult> RunAsync(CancellationToken cancellationToken = default);
}
