namespace Toil.Runtime.JobStores;

/// <summary>A job store already exists at the locator.</summary>
public sealed class JobStoreExistsException : JobStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="locator">The locator.</param>
    public JobStoreExistsException(string locator)
        : base($"The job store '{locator}' already exists. Restart the workflow to use it, or destroy it first.") => Locator = locator;

    /// <summary>The locator.</summary>
    public string Locator { get; }
}
