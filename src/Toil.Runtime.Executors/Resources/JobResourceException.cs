namespace Toil.Runtime.Executors.Resources;

/// <summary>A job resource is malformed, cannot be fetched, or its content does not match its hash.</summary>
public sealed class JobResourceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JobResourceException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public JobResourceException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public JobResourceException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
