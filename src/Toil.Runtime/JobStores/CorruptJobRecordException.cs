using Toil.Runtime.Serialization;

namespace Toil.Runtime.JobStores;

/// <summary>
/// A persisted record (job description, configuration) is corrupt, truncated, or of an unknown schema version. The
/// record is left as it is on disk.
/// </summary>
public sealed class CorruptJobRecordException : JobStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="jobId">The ID of the job (or the name of the record) that could not be read.</param>
    /// <param name="reason">What is wrong.</param>
    /// <param name="innerException">The parser's error, if any.</param>
    public CorruptJobRecordException(string jobId, string reason, Exception? innerException = null)
        : base($"The record of job '{jobId}' cannot be read: {reason}.", innerException)
    {
        JobId = jobId;
        Reason = reason;
    }

    /// <summary>
    /// Creates the exception a job store reports for a document <see cref="JobDescriptionSerializer"/> refused: same job
    /// ID, reason and message, with <paramref name="formatError"/> as the inner exception.
    /// </summary>
    /// <param name="formatError">The serializer's error.</param>
    internal CorruptJobRecordException(JobRecordFormatException formatError)
        : this((formatError ?? throw new ArgumentNullException(nameof(formatError))).JobId, formatError.Reason, formatError)
    {
    }

    /// <summary>The ID of the job (or the name of the record) that could not be read.</summary>
    public string JobId { get; }

    /// <summary>What is wrong.</summary>
    public string Reason { get; }
}
