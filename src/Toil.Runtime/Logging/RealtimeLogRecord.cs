using System.Collections;
using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Logging;

/// <summary>
/// One record a worker sent, as the leader re-emits it: the state of the <see cref="ILogger"/> call, so a structured
/// sink can read the worker's timestamp (<see cref="Created"/>), thread and process. Its text
/// (<see cref="ToString"/>) is the rendered message, followed by the exception text on a new line when there is one.
/// </summary>
public sealed class RealtimeLogRecord : IReadOnlyList<KeyValuePair<string, object?>>
{
    internal RealtimeLogRecord(string name, int levelNumber, string levelName, string message, string? exceptionText,
        DateTimeOffset? created, string? threadName, long? processId, string sender)
    {
        Name = name;
        LevelNumber = levelNumber;
        Level = ToilLogLevel.ToLogLevel(levelNumber);
        LevelName = levelName;
        Message = message;
        ExceptionText = exceptionText;
        Created = created;
        ThreadName = threadName;
        ProcessId = processId;
        Sender = sender;
    }

    /// <summary>Gets the worker's logger name (<c>toil-rt</c>, or a child of it); the leader logs under it.</summary>
    public string Name { get; }

    /// <summary>Gets the level the leader logs the record at.</summary>
    public LogLevel Level { get; }

    /// <summary>Gets the sender's level number (<c>levelno</c>).</summary>
    public int LevelNumber { get; }

    /// <summary>Gets the sender's level name (<c>levelname</c>).</summary>
    public string LevelName { get; }

    /// <summary>Gets the message, rendered (a Python sender's <c>%</c>-arguments substituted).</summary>
    public string Message { get; }

    /// <summary>Gets the sender's exception text (<c>exc_text</c>), or <see langword="null"/>.</summary>
    public string? ExceptionText { get; }

    /// <summary>Gets when the worker created the record (<c>created</c>, the worker's clock), or <see langword="null"/> if it did not say.</summary>
    public DateTimeOffset? Created { get; }

    /// <summary>Gets the worker's thread name (<c>threadName</c>), or <see langword="null"/>.</summary>
    public string? ThreadName { get; }

    /// <summary>Gets the worker's process ID (<c>process</c>), or <see langword="null"/>.</summary>
    public long? ProcessId { get; }

    /// <summary>Gets the sender's address, <c>ip:port</c>.</summary>
    public string Sender { get; }

    /// <inheritdoc />
    public int Count => 8;

    /// <inheritdoc />
    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new(nameof(Name), Name),
        1 => new(nameof(LevelName), LevelName),
        2 => new(nameof(Message), Message),
        3 => new(nameof(ExceptionText), ExceptionText),
        4 => new(nameof(Created), Created),
        5 => new(nameof(ThreadName), ThreadName),
        6 => new(nameof(ProcessId), ProcessId),
        7 => new(nameof(Sender), Sender),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    /// <inheritdoc />
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => ExceptionText is null ? Message : Message + "\n" + ExceptionText;
}
