namespace Toil.Runtime.Deferred;

/// <summary>The base of errors raised by the deferred-function system.</summary>
public class DeferredFunctionException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="DeferredFunctionException"/> class.</summary>
    public DeferredFunctionException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeferredFunctionException"/> class.</summary>
    /// <param name="message">The error message.</param>
    public DeferredFunctionException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeferredFunctionException"/> class.</summary>
    /// <param name="message">The error message.</param>
    /// <param name="innerException">The cause.</param>
    public DeferredFunctionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
