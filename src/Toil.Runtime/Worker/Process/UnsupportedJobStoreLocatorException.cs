namespace Toil.Runtime.Worker;

/// <summary>A worker command line names a job store this worker cannot open (a usage error, not an unreachable store).</summary>
internal sealed class UnsupportedJobStoreLocatorException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="locator">The locator.</param>
    public UnsupportedJobStoreLocatorException(string locator)
        : base($"unsupported job store locator '{locator}': a worker opens file job stores, 'file:/path/to/store' (or a bare path)")
        => Locator = locator;

    /// <summary>The locator.</summary>
    public string Locator { get; }
}
