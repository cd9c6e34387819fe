namespace Toil.Runtime.Deferred;

/// <summary>
/// A persisted deferred-function state file could not be read (bad JSON, unknown schema version, or a
/// worker ID that does not match its name). It is logged and the file is moved to the
/// <c>deferred/set-aside</c> directory (<see cref="SetAsidePath"/>), never deleted.
/// </summary>
public class DeferredStateCorruptException : DeferredFunctionException
{
    /// <summary>Initializes a new instance of the <see cref="DeferredStateCorruptException"/> class.</summary>
    public DeferredStateCorruptException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeferredStateCorruptException"/> class.</summary>
    /// <param name="message">The error message.</param>
    public DeferredStateCorruptException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeferredStateCorruptException"/> class.</summary>
    /// <param name="message">The error message.</param>
    /// <param name="innerException">The cause.</param>
    public DeferredStateCorruptException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the path of the state file that could not be read.</summary>
    public string? StatePath { get; init; }

    /// <summary>Gets the path the file was moved to, or <see langword="null"/> if it could not be moved.</summary>
    public string? SetAsidePath { get; init; }
}
