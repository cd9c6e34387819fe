using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Leader.Workflows;

namespace Toil.Runtime.Leader.Progress;

/// <summary>
/// Hands a run's progress events to its observers without ever making the scheduling loop wait: events go into a
/// bounded queue (<see cref="Capacity"/>) drained by one background task; when the observers fall behind, the oldest
/// queued events are dropped and counted (every event carries the counts, so the newest one is always up to date).
/// An observer's exception is logged and the next observer still called. With no observer, nothing is queued at all.
/// See <c>docs/progress.md</c>, "Events".
/// </summary>
internal sealed class ProgressPublisher
{
    /// <summary>How many events wait for slow observers before the oldest are dropped.</summary>
    public const int Capacity = 4096;

    private readonly IWorkflowObserver[] _observers;
    private readonly ILogger _log;
    private readonly Channel<WorkflowProgress>? _channel;
    private readonly Task _pump = Task.CompletedTask;
    private WorkflowResult? _result;
    private long _dropped;

    public ProgressPublisher(IEnumerable<IWorkflowObserver> observers, ILogger log)
    {
        _observers = [.. observers];
        _log = log;
        if (_observers.Length > 0)
        {
            _channel = Channel.CreateBounded<WorkflowProgress>(
                new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
                _ => Interlocked.Increment(ref _dropped));
            _pump = Task.Run(PumpAsync);
        }
    }

    /// <summary>A publisher with no observers: every call is a no-op.</summary>
    public static ProgressPublisher None { get; } = new([], Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

    /// <summary>Whether any observer listens.</summary>
    public bool Enabled => _channel is not null;

    /// <summary>How many events were dropped so far.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues an event; never waits.</summary>
    public void Publish(in WorkflowProgress progress) => _channel?.Writer.TryWrite(progress);

    /// <summary>
    /// Ends the event stream: the observers get what is queued, then <see cref="IWorkflowObserver.OnCompleted"/> with
    /// <paramref name="result"/> (unless it is <see langword="null"/>: a cancelled run). Waits at most <paramref name="bound"/>
    /// for them; a stuck observer is logged and left behind.
    /// </summary>
    public async Task CompleteAsync(WorkflowResult? result, TimeSpan bound)
    {
        if (_channel is null)
        {
            return;
        }

        _result = result;
        _channel.Writer.TryComplete();
        try
        {
            await _pump.WaitAsync(bound).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            ProgressLog.ObserversSlow(_log, bound);
        }
    }

    private async Task PumpAsync()
    {
        var reader = _channel!.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var progress))
            {
                foreach (var observer in _observers)
                {
                    try
                    {
                        observer.OnProgress(progress);
                    }
#pragma warning disable CA1031 // An observer's failure is logged, never fatal to the run.
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        ProgressLog.ObserverFailed(_log, e, observer.GetType().Name);
                    }
                }
            }
        }

        if (_result is { } result)
        {
            foreach (var observer in _observers)
            {
                try
                {
                    observer.OnCompleted(result);
                }
#pragma warning disable CA1031 // As above.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    ProgressLog.ObserverFailed(_log, e, observer.GetType().Name);
                }
            }
        }
    }
}
