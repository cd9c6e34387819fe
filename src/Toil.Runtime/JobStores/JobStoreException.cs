namespace Toil.Runtime.JobStores;

/// <summary>The base of every error a job store raises on purpose.</summary>
public class JobStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JobStoreException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public JobStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public JobStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
