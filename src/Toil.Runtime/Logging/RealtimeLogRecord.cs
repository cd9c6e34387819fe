using System.Collections;
using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Logging;

/// <summary>
/// One record a worker sent, as the leader re-emits it: the state of the <see cref="ILogger"/> call. Its text
/// (<see cref="ToString"/>, what text sinks print) is made safe for a terminal; its properties and key/value pairs
/// (what structured sinks store) hold the values as the worker sent them. See docs/realtime-logging.md and docs/security.md.
/// </summary>
/// <remarks>
/// The key/value pairs are <c>Name</c>, <c>LevelName</c>, <c>OriginalMessage</c> (<see cref="Message"/>; not
/// <c>Message</c>, which a JSON formatter already writes for the text), <c>ExceptionText</c>, <c>StackInfo</c>,
/// <c>Created</c>, <c>ThreadName</c>, <c>ProcessId</c> and <c>Sender</c>.
/// </remarks>
internal sealed class RealtimeLogRecord : IReadOnlyList<KeyValuePair<string, object?>>
{
    private string? _text;

    internal RealtimeLogRecord(string name, int levelNumber, string levelName, string message, string? exceptionText,
        string? stackInfo, DateTimeOffset? created, string? threadName, long? processId, string sender)
    {
        Name = name;
        LevelNumber = levelNumber;
        Level = ToilLogLevel.ToLogLevel(levelNumber);
        LevelName = levelName;
        Message = message;
        ExceptionText = exceptionText;
        StackInfo = stackInfo;
        Created = created;
        ThreadName = threadName;
        ProcessId = processId;
        Sender = sender;
    }

    /// <summary>Gets the worker's logger name (<c>toil-rt</c>, or a child of it); the leader logs under it, escaped.</summary>
    public string Name { get; }

    /// <summary>Gets the level the leader logs the record at.</summary>
    public LogLevel Level { get; }

    /// <summary>Gets the sender's level number (<c>levelno</c>).</summary>
    public int LevelNumber { get; }

    /// <summary>Gets the sender's level name (<c>levelname</c>).</summary>
    public string LevelName { get; }

    /// <summary>Gets the message as the worker sent it, rendered (a Python sender's <c>%</c>-arguments substituted), not escaped.</summary>
    public string Message { get; }

    /// <summary>Gets the sender's exception text (<c>exc_text</c>), or <see langword="null"/>.</summary>
    public string? ExceptionText { get; }

    /// <summary>
    /// Gets the stack the sender attached (<c>stack_info</c>, what Python's <c>logger.info(..., stack_info=True)</c>
    /// sends: <c>Stack (most recent call last):</c> and the frames), or <see langword="null"/>.
    /// </summary>
    public string? StackInfo { get; }

    /// <summary>Gets when the worker created the record (<c>created</c>, the worker's clock), or <see langword="null"/> if it did not say.</summary>
    public DateTimeOffset? Created { get; }

    /// <summary>Gets the worker's thread name (<c>threadName</c>), or <see langword="null"/>.</summary>
    public string? ThreadName { get; }

    /// <summary>Gets the worker's process ID (<c>process</c>), or <see langword="null"/>.</summary>
    public long? ProcessId { get; }

    /// <summary>Gets the sender's address, <c>ip:port</c>.</summary>
    public string Sender { get; }

    /// <inheritdoc />
    public int Count => 9;

    /// <summary>
    /// Gets the text as Python's <c>logging.Formatter</c> renders a record's message: the message, then the exception
    /// text, then the stack, each starting on a new line; not escaped.
    /// </summary>
    internal string RawText => PythonFormatterText(Message, ExceptionText, StackInfo);

    /// <inheritdoc />
    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new(nameof(Name), Name),
        1 => new(nameof(LevelName), LevelName),
        2 => new("OriginalMessage", Message),
        3 => new(nameof(ExceptionText), ExceptionText),
        4 => new(nameof(StackInfo), StackInfo),
        5 => new(nameof(Created), Created),
        6 => new(nameof(ThreadName), ThreadName),
        7 => new(nameof(ProcessId), ProcessId),
        8 => new(nameof(Sender), Sender),
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

    /// <summary>
    /// Returns the record's text as Python's <c>logging.Formatter</c> renders it — the message, then the exception
    /// text, then the stack, each on a new line — made safe for a terminal with <see cref="TerminalText.Escape(string?)"/>:
    /// control characters escaped, every line after the first starting with <see cref="TerminalText.ContinuationMark"/>.
    /// </summary>
    /// <returns>The escaped text.</returns>
    public override string ToString() => _text ??= TerminalText.Escape(RawText);

    /// <summary>Python's <c>Formatter.format</c> after the message: a part is added when non-empty, after a line feed unless the text already ends with one.</summary>
    private static string PythonFormatterText(string message, string? exceptionText, string? stackInfo)
    {
        string text = message;
        foreach (string? part in (ReadOnlySpan<string?>)[exceptionText, stackInfo])
        {
            if (!string.IsNullOrEmpty(part))
            {
                text = text.EndsWith('\n') ? text + part : text + "\n" + part;
            }
        }

        return text;
    }
}
