using System.Diagnostics.Tracing;

namespace Toil.Runtime.Logging;

/// <summary>
/// Where the worker side of real-time logging reports its own failures. It cannot log them through
/// <c>ILogger</c> (it is a logger provider: a record about a failed record would go back through the factory that
/// failed) and it never writes to the console; listen with <c>dotnet-trace</c>, <c>dotnet-counters</c> or an
/// <see cref="EventListener"/> to the source named <c>Toil-Runtime-RealtimeLogging</c>. See docs/realtime-logging.md.
/// </summary>
[EventSource(Name = SourceName)]
internal sealed class RealtimeLoggingEventSource : EventSource
{
    public const string SourceName = "Toil-Runtime-RealtimeLogging";

    public const int SendFailedEventId = 1;

    public static readonly RealtimeLoggingEventSource Log = new();

    private RealtimeLoggingEventSource()
    {
    }

    /// <summary>A record could not be sent to the leader (unknown host, no route, ...); it is lost and counted.</summary>
    /// <param name="address">The leader's <c>host:port</c>.</param>
    /// <param name="error">The exception's type and message.</param>
    /// <param name="failures">How many records this provider failed to send so far, this one included.</param>
    [Event(SendFailedEventId, Level = EventLevel.Warning, Message = "Could not send a real-time log record to {0}: {1} ({2} records failed so far)")]
    public void SendFailed(string address, string error, long failures)
    {
        if (IsEnabled())
        {
            WriteEvent(SendFailedEventId, address, error, failures);
        }
    }
}
