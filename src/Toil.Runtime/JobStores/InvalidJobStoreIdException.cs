namespace Toil.Runtime.JobStores;

/// <summary>A job ID, file ID or shared-file name is malformed or points outside the job store.</summary>
public sealed class InvalidJobStoreIdException : JobStoreException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="id">The offending ID or name.</param>
    /// <param name="reason">Why it is rejected.</param>
    public InvalidJobStoreIdException(string id, string reason)
        : base($"Invalid job-store ID '{id}': {reason}.")
    {
        Id = id;
        Reason = reason;
    }

    /// <summary>The offending ID or name.</summary>
    public string Id { get; }

    /// <summary>Why it is rejected.</summary>
    public string Reason { get; }
}
