namespace Toil.Runtime.Logging;

/// <summary>
/// The exception thrown when a log-level name is not one of Toil's names (see <see cref="ToilLogLevel"/>).
/// The message is Toil's: <c>Unknown level: 'FOO'</c>, with the upper-cased value.
/// </summary>
public sealed class UnknownLogLevelException : ArgumentException
{
    /// <summary>Initializes a new instance of the <see cref="UnknownLogLevelException"/> class.</summary>
    public UnknownLogLevelException()
        : this(null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="UnknownLogLevelException"/> class for a rejected value.</summary>
    /// <param name="value">The rejected value, as given.</param>
    public UnknownLogLevelException(string? value)
        : base(MessageFor(value))
    {
        Value = value;
    }

    /// <summary>Initializes a new instance of the <see cref="UnknownLogLevelException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public UnknownLogLevelException(string? message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the rejected value, as given (not upper-cased); <see langword="null"/> if none was given.</summary>
    public string? Value { get; }

    private static string MessageFor(string? value) =>
        value is null
            ? "Unknown level: None (a level name is required; accepted: " + ToilLogLevel.AcceptedNamesText + ")"
            : $"Unknown level: '{value.ToUpperInvariant()}' (accepted, in any case: {ToilLogLevel.AcceptedNamesText})";
}
