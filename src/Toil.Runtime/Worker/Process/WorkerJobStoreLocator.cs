using Toil.Runtime.JobStores;

namespace Toil.Runtime.Worker;

/// <summary>Opens the job store a worker command line names (Toil's <c>Toil.resumeJobStore</c>).</summary>
internal static class WorkerJobStoreLocator
{
    /// <summary>
    /// Opens an existing job store: <c>file:PATH</c> or a path (as in Toil, a locator without a scheme is a file job
    /// store) opens a <see cref="FileJobStore"/>.
    /// </summary>
    /// <param name="locator">The locator.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The store; the caller disposes it.</returns>
    /// <exception cref="UnsupportedJobStoreLocatorException">The locator names a kind of store this worker cannot open.</exception>
    /// <exception cref="NoSuchJobStoreException">No job store exists there.</exception>
    public static async ValueTask<IJobStore> OpenAsync(string locator, CancellationToken cancellationToken)
    {
        if (!FileJobStore.TryParseLocator(locator, out _))
        {
            throw new UnsupportedJobStoreLocatorException(locator);
        }

        return await FileJobStore.OpenAsync(locator, cancellationToken).ConfigureAwait(false);
    }
}
