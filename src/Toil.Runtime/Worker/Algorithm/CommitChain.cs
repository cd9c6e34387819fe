using Toil.Runtime.FileStores;

namespace Toil.Runtime.Worker;

/// <summary>
/// Toil's <c>blockFn</c>: the wait on the last commit of the run (<c>docs/worker-algorithm.md</c>, "Commit order"). Every
/// new file store waits on <see cref="Last"/> before it writes, then becomes the last itself, so a later chained job is
/// never recorded before an earlier one; every wait here is bounded by <see cref="WorkerOptions.CommitWaitTimeout"/>.
/// </summary>
/// <param name="timeout">The bound of each wait.</param>
/// <param name="time">The clock of the bound.</param>
/// <param name="jobStoreId">The issued job, named in the timeout's message.</param>
internal sealed class CommitChain(TimeSpan timeout, TimeProvider time, string jobStoreId)
{
    /// <summary>Completes when the last commit is durable; rethrows its failure. Nothing to wait for at first.</summary>
    public Func<CancellationToken, ValueTask> Last { get; private set; } = static _ => ValueTask.CompletedTask;

    /// <summary>Makes the commit <paramref name="waitForCommit"/> waits on the last one.</summary>
    /// <param name="waitForCommit">The wait of the file store created last (<see cref="IFileStore.WaitForCommitAsync"/>).</param>
    public void Follow(Func<CancellationToken, ValueTask> waitForCommit) => Last = waitForCommit;

    /// <summary>Waits for the last commit, at most the timeout (then a <see cref="TimeoutException"/>).</summary>
    /// <param name="token">Cancels the wait.</param>
    /// <returns>A task that completes when the last commit is durable.</returns>
    public async ValueTask WaitAsync(CancellationToken token)
    {
        ValueTask pending = Last(token);
        if (pending.IsCompletedSuccessfully)
        {
            return; // The usual case (a synchronous store, or a background commit that finished): no timer.
        }

        try
        {
            await pending.AsTask().WaitAsync(timeout, time, token).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"The job store did not finish the commits of job {jobStoreId} within {timeout}.", ex);
        }
    }

    /// <summary>
    /// The wait at the end of the run, whatever the caller's token says: the commit is cancelled when the timeout passes
    /// (then a <see cref="TimeoutException"/>).
    /// </summary>
    /// <returns>A task that completes when the whole commit chain is durable.</returns>
    public async ValueTask WaitForAllAsync()
    {
        using var bound = new CancellationTokenSource(timeout, time);
        try
        {
            await Last(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            throw new TimeoutException($"The job store did not finish the commits of job {jobStoreId} within {timeout}.");
        }
    }
}
