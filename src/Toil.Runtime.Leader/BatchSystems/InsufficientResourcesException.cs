namespace Toil.Runtime.Leader.BatchSystems;

/// <summary>A job needs more than any slot of the batch system can ever offer (Toil's <c>InsufficientSystemResources</c>).</summary>
public sealed class InsufficientResourcesException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InsufficientResourcesException()
        : base("The job needs more resources than the batch system offers.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What does not fit.</param>
    public InsufficientResourcesException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What does not fit.</param>
    /// <param name="innerException">The cause.</param>
    public InsufficientResourcesException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
