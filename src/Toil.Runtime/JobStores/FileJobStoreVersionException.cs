namespace Toil.Runtime.JobStores;

/// <summary>
/// The directory holds a file job store of an earlier on-disk format version than this library reads
/// (<c>docs/job-store-format.md</c>, "Format versions"). Nothing in it was changed: finish or restart its workflow with
/// the Toil.Runtime release that made it, or destroy it and run the workflow again.
/// </summary>
public sealed class FileJobStoreVersionException : JobStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="locator">The store's locator.</param>
    /// <param name="foundVersion">The format version the store holds.</param>
    /// <param name="supportedVersion">The format version this library creates stores in (it also opens some earlier ones).</param>
    public FileJobStoreVersionException(string locator, int foundVersion, int supportedVersion)
        : base(
            $"The job store '{locator}' has on-disk format version {foundVersion}; this library creates version {supportedVersion} and does not open version {foundVersion}. " +
            $"Stores are not migrated: finish or restart its workflow with the Toil.Runtime release that created it, or destroy the store " +
            $"(FileJobStore.DestroyAsync, or delete the directory) and run the workflow again. Nothing in the store was changed.")
    {
        Locator = locator;
        FoundVersion = foundVersion;
        SupportedVersion = supportedVersion;
    }

    /// <summary>The store's locator.</summary>
    public string Locator { get; }

    /// <summary>The format version the store holds (its <c>format.json</c>'s <c>schemaVersion</c>).</summary>
    public int FoundVersion { get; }

    /// <summary>The format version this library creates stores in (docs/job-store-format.md, "Format versions", lists those it opens).</summary>
    public int SupportedVersion { get; }
}
