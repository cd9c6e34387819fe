using Microsoft.Extensions.Logging;
using Toil.Runtime.Logging;

namespace Toil.Runtime.TestHost;

/// <summary>
/// A worker process whose job logs in real time, as Toil's upstream test job does: it configures logging from its
/// environment (<c>TOIL_RT_LOGGING_*</c>, set by the test), writes its own log to standard output in Toil's format, logs
/// "This should be logged at info level" at info and "This should be logged at debug level" at debug, then
/// "job done" at critical, and exits with 0.
/// </summary>
public sealed class RealtimeLoggingJobScenario : IHostScenario
{
    /// <inheritdoc />
    public string Name => "rt-logging-job";

    /// <inheritdoc />
    public Task<int> RunAsync(string[] args)
    {
        var request = RealtimeLoggingRequest.FromEnvironment();
        using (var factory = LoggerFactory.Create(b => b.AddProvider(new ToilTextLoggerProvider(Console.Out)).AddToilRealtimeLogging(request)))
        {
            var realtime = new RealtimeLogger(factory, request);
            realtime.LogInformation("This should be logged at info level");
            realtime.LogDebug("This should be logged at debug level");
            realtime.LogCritical("job done");
        }

        Console.Out.Flush();
        return Task.FromResult(0);
    }
}
