namespace Toil.Runtime.Authoring;

/// <summary>A job's body names a job type that the host did not register (docs/decisions.md#json-not-pickle): the job fails; nothing runs.</summary>
public sealed class UnknownJobTypeException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="typeName">The unregistered type name.</param>
    /// <param name="jobStoreId">The job whose body names it.</param>
    public UnknownJobTypeException(string typeName, string jobStoreId)
        : base($"Job {jobStoreId} names job type '{typeName}', which is not registered in this host. Register it with AddToilJob<T>().")
    {
        TypeName = typeName;
        JobStoreId = jobStoreId;
    }

    /// <summary>The unregistered type name.</summary>
    public string TypeName { get; }

    /// <summary>The job whose body names it.</summary>
    public string JobStoreId { get; }
}
