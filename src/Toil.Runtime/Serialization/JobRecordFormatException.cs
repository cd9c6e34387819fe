namespace Toil.Runtime.Serialization;

/// <summary>
/// A persisted document (job description, workflow configuration) is not valid: not JSON, truncated, of an unknown
/// schema version, or holding what the model refuses. Thrown by <see cref="JobDescriptionSerializer"/>; a job store
/// reports it to its callers as <c>Toil.Runtime.JobStores.CorruptJobRecordException</c> (which wraps this one), so the
/// serializer does not depend on the stores that use it.
/// </summary>
internal sealed class JobRecordFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="jobId">The ID of the job (or the name of the record) that could not be read.</param>
    /// <param name="reason">What is wrong.</param>
    /// <param name="innerException">The parser's error, if any.</param>
    public JobRecordFormatException(string jobId, string reason, Exception? innerException = null)
        : base($"The record of job '{jobId}' cannot be read: {reason}.", innerException)
    {
        JobId = jobId;
        Reason = reason;
    }

    /// <summary>The ID of the job (or the name of the record) that could not be read.</summary>
    public string JobId { get; }

    /// <summary>What is wrong.</summary>
    public string Reason { get; }
}
