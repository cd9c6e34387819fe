namespace Toil.Runtime.JobStores;

/// <summary>
/// A job's lock could not be taken in time: another writer (in this or another process) holds it. Nothing was written.
/// A process that dies releases its locks, so a lasting timeout means a live writer is stuck (for example on a hung
/// shared filesystem).
/// </summary>
public sealed class JobStoreLockTimeoutException : JobStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="jobId">The job's ID.</param>
    /// <param name="lockPath">The lock file.</param>
    /// <param name="timeout">How long the caller waited.</param>
    public JobStoreLockTimeoutException(string jobId, string lockPath, TimeSpan timeout)
        : base($"Could not lock job '{jobId}' within {timeout}: another writer holds '{lockPath}'. Raise FileJobStoreOptions.LockTimeout, or find the stuck process (e.g. with 'fuser {lockPath}').")
    {
        JobId = jobId;
        LockPath = lockPath;
        Timeout = timeout;
    }

    /// <summary>The job's ID.</summary>
    public string JobId { get; }

    /// <summary>The lock file.</summary>
    public string LockPath { get; }

    /// <summary>How long the caller waited.</summary>
    public TimeSpan Timeout { get; }
}
