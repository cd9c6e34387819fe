namespace Toil.Runtime.Fuzz;

/// <summary>An input broke a fuzz property (an untyped error, a result the parser should have refused, a write outside the temp area).</summary>
public sealed class FuzzPropertyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FuzzPropertyException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What broke.</param>
    public FuzzPropertyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the parser's error.</summary>
    /// <param name="message">What broke.</param>
    /// <param name="innerException">The parser's error.</param>
    public FuzzPropertyException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
