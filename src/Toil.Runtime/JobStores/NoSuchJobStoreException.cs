namespace Toil.Runtime.JobStores;

/// <summary>No job store exists at the locator.</summary>
public sealed class NoSuchJobStoreException : JobStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="locator">The locator.</param>
    public NoSuchJobStoreException(string locator)
        : base($"The job store '{locator}' does not exist, so there is nothing to restart.") => Locator = locator;

    /// <summary>The locator.</summary>
    public string Locator { get; }
}
