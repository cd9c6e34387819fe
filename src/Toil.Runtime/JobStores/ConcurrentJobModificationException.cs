using System.Globalization;

namespace Toil.Runtime.JobStores;

/// <summary>
/// An update carried a stale version: someone else wrote the job since it was loaded (docs/decisions.md#optimistic-concurrency). Reload and retry,
/// or give up; the store was not changed.
/// </summary>
public sealed class ConcurrentJobModificationException : JobStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="jobId">The job's ID.</param>
    /// <param name="expectedVersion">The version the writer had read.</param>
    /// <param name="actualVersion">The version in the store.</param>
    public ConcurrentJobModificationException(string jobId, long expectedVersion, long actualVersion)
        : base(string.Create(CultureInfo.InvariantCulture, $"The job '{jobId}' was modified concurrently: the update was based on version {expectedVersion}, but the store holds version {actualVersion}."))
    {
        JobId = jobId;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    /// <summary>The job's ID.</summary>
    public string JobId { get; }

    /// <summary>The version the writer had read.</summary>
    public long ExpectedVersion { get; }

    /// <summary>The version in the store.</summary>
    public long ActualVersion { get; }
}
