namespace Toil.Runtime.JobStores;

/// <summary>
/// A directory or file of a <see cref="FileJobStore"/> is a symbolic link. The store never makes links, so one can only
/// have been planted, and following it could read or write outside the store: the operation is refused and nothing is
/// read or written through the link. See <c>docs/job-store-format.md</c>, "Symbolic links".
/// </summary>
public sealed class SymbolicLinkInJobStoreException : JobStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The path of the link.</param>
    /// <param name="locator">The store's locator.</param>
    public SymbolicLinkInJobStoreException(string path, string locator)
        : base($"'{path}' in the job store '{locator}' is a symbolic link; a job store never holds links, so it is not followed. Remove the link.")
    {
        Path = path;
    }

    /// <summary>The path of the link.</summary>
    public string Path { get; }
}
