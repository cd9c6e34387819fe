using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Tests.Logging;

/// <summary>One record a <see cref="CapturingLoggerProvider"/> saw.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, string Message, object? State, Exception? Exception);

/// <summary>A logger provider that keeps every record it is handed (after the factory's filters).</summary>
public class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _records = new();

    public IReadOnlyList<CapturedLog> Records => [.. _records];

    public IReadOnlyList<CapturedLog> In(string category) => [.. _records.Where(r => r.Category == category)];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() => GC.SuppressFinalize(this);

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds over the records, and returns them.</summary>
    public async Task<IReadOnlyList<CapturedLog>> WaitForAsync(Func<IReadOnlyList<CapturedLog>, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var snapshot = Records;
            if (condition(snapshot))
            {
                return snapshot;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"condition not met within the bound; records seen:\n{string.Join("\n", snapshot.Select(r => $"[{r.Level}] [{r.Category}] {r.Message}"))}");
            }

            await Task.Delay(10);
        }
    }

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider._records.Enqueue(new CapturedLog(category, logLevel, formatter(state, exception), state, exception));
    }
}

/// <summary>A second capturing provider type, so a test can give it rules of its own.</summary>
public sealed class StrictCapturingLoggerProvider : CapturingLoggerProvider
{
}

/// <summary>Test shortcuts.</summary>
public static class CapturingLoggerProviderExtensions
{
    public static ILoggerFactory Factory(this CapturingLoggerProvider provider) => LoggerFactory.Create(b => b.AddProvider(provider));
}
