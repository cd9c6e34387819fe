namespace Toil.Runtime.JobStores;

/// <summary>The job does not exist in the job store.</summary>
public sealed class NoSuchJobException : JobStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="jobId">The missing job's ID.</param>
    public NoSuchJobException(string jobId)
        : base($"The job '{jobId}' does not exist.") => JobId = jobId;

    /// <summary>Creates the exception with a custom message.</summary>
    /// <param name="jobId">The missing job's ID.</param>
    /// <param name="message">The message.</param>
    public NoSuchJobException(string jobId, string message)
        : base(message) => JobId = jobId;

    /// <summary>The missing job's ID.</summary>
    public string JobId { get; }
}
