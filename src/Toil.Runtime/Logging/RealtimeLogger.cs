using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Logging;

/// <summary>
/// The real-time logger job code uses (Toil's <c>RealtimeLogger</c>, without its static state): an
/// <see cref="ILogger"/> for the <c>toil-rt</c> category that applies the level the leader asked for before anything
/// else, so a record below it reaches neither the leader nor the worker's own log, whatever the factory's filters say.
/// In a job, use <c>JobContext.RealtimeLogger</c>; elsewhere take it from dependency injection
/// (<see cref="Microsoft.Extensions.Logging.ToilRealtimeLoggingBuilderExtensions"/> and <c>AddToilRuntime</c> register
/// it) or build it over any <see cref="ILoggerFactory"/>.
/// </summary>
public sealed class RealtimeLogger : ILogger
{
    /// <summary>The logger name of real-time records, as in Toil.</summary>
    public const string CategoryName = "toil-rt";

    private readonly ILogger _inner;

    /// <summary>Initializes a new instance of the <see cref="RealtimeLogger"/> class.</summary>
    /// <param name="loggerFactory">The factory the records go through (it should hold a <see cref="RealtimeLoggerProvider"/>).</param>
    /// <param name="request">What the leader asked for; its <see cref="RealtimeLoggingRequest.MinimumLevel"/> is applied first.</param>
    public RealtimeLogger(ILoggerFactory loggerFactory, RealtimeLoggingRequest request)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(request);
        Request = request;
        _inner = loggerFactory.CreateLogger(CategoryName);
    }

    /// <summary>Wraps a <c>toil-rt</c> logger the caller built (the worker's, which also writes the run's worker log).</summary>
    internal RealtimeLogger(ILogger inner, RealtimeLoggingRequest request)
    {
        _inner = inner;
        Request = request;
    }

    /// <summary>Gets the request whose level this logger applies.</summary>
    public RealtimeLoggingRequest Request { get; }

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => _inner.BeginScope(state);

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => Passes(logLevel) && _inner.IsEnabled(logLevel);

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (Passes(logLevel))
        {
            _inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }

    private bool Passes(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= Request.MinimumLevel;
}
