using Microsoft.Extensions.Logging;

namespace EmbeddedWorker;

/// <summary>The sample jobs' log messages (source-generated).</summary>
internal static partial class SampleLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Greeting {Name}")]
    public static partial void LogGreeting(this ILogger logger, string name);
}
