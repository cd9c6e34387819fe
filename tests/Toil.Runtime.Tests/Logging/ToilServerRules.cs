using System.Text;
using System.Text.Json;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Tests.Logging;

/// <summary>What Toil's Python leader makes of a datagram, written down as checks.</summary>
public static class ToilServerRules
{
    /// <summary>Python 3.11 <c>LogRecord</c> attributes (plus 3.12's <c>taskName</c>): a key outside this set would be a surprise to Toil.</summary>
    public static readonly IReadOnlySet<string> LogRecordAttributes = new HashSet<string>(StringComparer.Ordinal)
    {
        "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module", "exc_info", "exc_text",
        "stack_info", "lineno", "funcName", "created", "msecs", "relativeCreated", "thread", "threadName",
        "processName", "process", "taskName",
    };

    /// <summary>Decodes like <c>LoggingDatagramHandler.handle</c> and formats like a default <c>logging.Formatter</c>.</summary>
    /// <returns>The logger name, the level number, and the formatted message (with exception text).</returns>
    public static (string Name, double LevelNo, string Message) Handle(byte[] datagram)
    {
        // socketserver's UDP server reads at most 8192 bytes of a datagram.
        datagram.Length.Should().BeLessThanOrEqualTo(8192, "Toil's server would read a truncated datagram");
        string text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(datagram);
        using var doc = JsonDocument.Parse(text);
        var record = doc.RootElement;
        record.ValueKind.Should().Be(JsonValueKind.Object, "makeLogRecord needs a dict");

        // Handlers compare levelno with their level; the formatter reads created, msecs and the names.
        record.GetProperty("levelno").ValueKind.Should().Be(JsonValueKind.Number);
        record.GetProperty("created").ValueKind.Should().Be(JsonValueKind.Number);
        record.GetProperty("msecs").ValueKind.Should().Be(JsonValueKind.Number);
        record.GetProperty("name").ValueKind.Should().Be(JsonValueKind.String);
        record.GetProperty("threadName").ValueKind.Should().Be(JsonValueKind.String);
        record.GetProperty("levelname").GetString().Should().Be(ToilLogLevel.GetName(record.GetProperty("levelno").GetInt32()));
        foreach (var property in record.EnumerateObject())
        {
            LogRecordAttributes.Should().Contain(property.Name);
        }

        // getMessage: str(msg), then msg % args only if args is truthy (a list becomes a tuple first).
        string message = record.TryGetProperty("msg", out var msg) ? PythonText.Str(msg) : "";
        if (record.TryGetProperty("args", out var args) && PythonText.IsTruthy(args))
        {
            message = PythonPercentFormatter.Format(message, args);
        }

        // Formatter.format: exc_info is falsy, so a cached exc_text is appended on a new line.
        record.TryGetProperty("exc_info", out var excInfo).Should().BeTrue();
        PythonText.IsTruthy(excInfo).Should().BeFalse();
        if (record.TryGetProperty("exc_text", out var excText) && PythonText.IsTruthy(excText))
        {
            message += "\n" + excText.GetString();
        }

        return (record.GetProperty("name").GetString()!, record.GetProperty("levelno").GetDouble(), message);
    }
}
