namespace Toil.Runtime.Deferred;

/// <summary>
/// A deferred function name is not in the <see cref="DeferredFunctionRegistry"/>: thrown by
/// <see cref="IDeferredFunctionScope.DeferAsync{TArgs}"/>, and logged (with the call set aside, not lost)
/// when found in a persisted state file.
/// </summary>
public class DeferredFunctionNotRegisteredException : DeferredFunctionException
{
    /// <summary>Initializes a new instance of the <see cref="DeferredFunctionNotRegisteredException"/> class.</summary>
    public DeferredFunctionNotRegisteredException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeferredFunctionNotRegisteredException"/> class.</summary>
    /// <param name="message">The error message.</param>
    public DeferredFunctionNotRegisteredException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeferredFunctionNotRegisteredException"/> class.</summary>
    /// <param name="message">The error message.</param>
    /// <param name="innerException">The cause.</param>
    public DeferredFunctionNotRegisteredException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the unregistered function name.</summary>
    public string? FunctionName { get; init; }

    internal static DeferredFunctionNotRegisteredException For(string name)
        => new($"no deferred function is registered as '{name}'") { FunctionName = name };
}
