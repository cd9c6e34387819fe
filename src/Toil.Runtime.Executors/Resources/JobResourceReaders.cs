using Toil.Runtime.JobStores;

namespace Toil.Runtime.Executors.Resources;

/// <summary>Ready-made <see cref="JobResourceReader"/>s.</summary>
public static class JobResourceReaders
{
    /// <summary>Reads resources from an open job store; a resource that names another store is refused.</summary>
    /// <param name="store">The job store; the caller keeps ownership.</param>
    /// <returns>The reader.</returns>
    /// <remarks>Two file job store locators name the same store when they name the same path, so a resource that
    /// names its store by a bare path is read from the store whose locator is <c>file:</c> and that path.</remarks>
    public static JobResourceReader FromJobStore(IJobStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return (resource, cancellationToken) =>
        {
            if (!SameStore(resource.JobStore, store.Locator))
            {
                throw new JobResourceException($"resource '{resource.Name}' is stored in '{resource.JobStore}', not in '{store.Locator}'");
            }

            return store.OpenReadFileAsync(resource.FileId, cancellationToken);
        };
    }

    /// <summary>Reads resources from the job stores their locators name, opening each store once; what an executor
    /// process uses (the <c>toil</c> command does).</summary>
    /// <returns>The reader; pass its <see cref="LocatorJobResourceReader.ReadAsync"/> as the executor's
    /// <c>ResourceReader</c> and dispose it (closing the stores) when the executor has returned.</returns>
    public static LocatorJobResourceReader FromLocator() => new();

    private static bool SameStore(string resourceLocator, string storeLocator) =>
        string.Equals(resourceLocator, storeLocator, StringComparison.Ordinal)
        || (FileJobStore.TryParseLocator(resourceLocator, out string? a)
            && FileJobStore.TryParseLocator(storeLocator, out string? b)
            && string.Equals(a, b, StringComparison.Ordinal));
}
