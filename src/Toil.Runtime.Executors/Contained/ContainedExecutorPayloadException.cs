namespace Toil.Runtime.Executors.Contained;

/// <summary>The contained executor's argument is not a valid payload (not base64, not a JSON object, or without a command).</summary>
public sealed class ContainedExecutorPayloadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ContainedExecutorPayloadException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public ContainedExecutorPayloadException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ContainedExecutorPayloadException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
