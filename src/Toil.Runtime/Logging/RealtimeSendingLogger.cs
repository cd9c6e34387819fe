using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Logging;

/// <summary>The logger <see cref="RealtimeLoggerProvider"/> hands out for a real-time category.</summary>
internal sealed class RealtimeSendingLogger(RealtimeLoggerProvider provider, string category) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) =>
        logLevel != LogLevel.None && logLevel >= provider.Request.MinimumLevel && provider.Sends;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        try
        {
            provider.Send(category, logLevel, Render(state, exception, formatter), exception);
        }
#pragma warning disable CA1031 // A logging sink must never throw into the code that logs.
        catch (Exception)
#pragma warning restore CA1031
        {
            provider.CountUnsendable();
        }
    }

    private static string Render<TState>(TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            return formatter(state, exception);
        }
#pragma warning disable CA1031 // A message that cannot be rendered is still sent, described.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            string text;
            try
            {
                text = state?.ToString() ?? "";
            }
#pragma warning disable CA1031
            catch (Exception)
#pragma warning restore CA1031
            {
                text = typeof(TState).FullName ?? "?";
            }

            return $"{text} (the message could not be rendered: {ex.GetType().Name}: {ex.Message})";
        }
    }
}
