namespace Toil.Runtime.Authoring;

/// <summary>
/// A job's input cannot be read or written: its body document is malformed, its JSON does not match the registered
/// input type, or a promise in it cannot be resolved. The job fails; nothing of its body runs.
/// </summary>
public sealed class InvalidJobInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="jobStoreId">The job whose input is bad (a temporary ID for a job not saved yet).</param>
    /// <param name="typeName">The job's registered type name.</param>
    /// <param name="reason">What is wrong.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public InvalidJobInputException(string jobStoreId, string typeName, string reason, Exception? innerException = null)
        : base($"The input of job {jobStoreId} (type '{typeName}') is invalid: {reason}", innerException)
    {
        JobStoreId = jobStoreId;
        TypeName = typeName;
    }

    /// <summary>Gets the job whose input is bad.</summary>
    public string JobStoreId { get; }

    /// <summary>Gets the job's registered type name.</summary>
    public string TypeName { get; }
}
