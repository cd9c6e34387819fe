using Toil.Runtime.JobStores;

namespace Toil.Runtime.Executors.Resources;

/// <summary>Ready-made <see cref="JobResourceReader"/>s.</summary>
public static class JobResourceReaders
{
    /// <summary>Reads resources from an open job store; a resource that names another store is refused.</summary>
    /// <param name="store">The job store; the caller keeps ownership.</param>
    /// <returns>The reader.</returns>
    public static JobResourceReader FromJobStore(IJobStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return (resource, cancellationToken) =>
        {
            if (!string.Equals(resource.JobStore, store.Locator, StringComparison.Ordinal))
            {
                throw new JobResourceException($"resource '{resource.Name}' is stored in '{resource.JobStore}', not in '{store.Locator}'");
            }

            return store.OpenReadFileAsync(resource.FileId, cancellationToken);
        };
    }
}
