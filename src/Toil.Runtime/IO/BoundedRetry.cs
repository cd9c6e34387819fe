using Polly;
using Polly.Retry;

namespace Toil.Runtime.IO;

/// <summary>
/// A retry that waits on another process or the filesystem (<c>docs/decisions.md#bounded-waits</c>): a Polly
/// <see cref="ResiliencePipeline"/> whose delays double from <c>firstDelay</c> up to <c>maxDelay</c>, never sleeping past
/// the bound, and which gives up (rethrowing the last handled exception) once <c>bound</c> has passed since the start the
/// caller gives. Time comes from the <see cref="TimeProvider"/>, so a test drives it with a fake clock.
/// </summary>
/// <remarks>The bound is measured from a start the caller passes, so time spent before the first attempt (queueing for
/// an in-process stripe, say) counts against it, as it always did.</remarks>
internal sealed class BoundedRetry
{
    private static readonly ResiliencePropertyKey<long> s_start = new("Toil.BoundedRetry.Start");

    private readonly ResiliencePipeline _pipeline;
    private readonly TimeProvider _time;
    private readonly TimeSpan _bound;
    private readonly TimeSpan _firstDelay;
    private readonly TimeSpan _maxDelay;

    /// <summary>Creates the retry.</summary>
    /// <param name="time">The clock of delays and of the bound.</param>
    /// <param name="bound">How long after the start attempts may still be retried; zero makes one attempt.</param>
    /// <param name="firstDelay">The delay before the first retry; positive.</param>
    /// <param name="maxDelay">The longest delay; at least <paramref name="firstDelay"/>.</param>
    /// <param name="handles">Which exceptions mean "not yet" (retried); any other propagates at once.</param>
    /// <param name="onRetry">Told the operation key and the delay before each retry (for logging); optional.</param>
    public BoundedRetry(TimeProvider time, TimeSpan bound, TimeSpan firstDelay, TimeSpan maxDelay, Func<Exception, bool> handles, Action<string?, TimeSpan>? onRetry = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(handles);
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(firstDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, firstDelay);
        _time = time;
        _bound = bound;
        _firstDelay = firstDelay;
        _maxDelay = maxDelay;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && handles(e) && Left(args.Context) > TimeSpan.Zero),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                Delay = firstDelay,
                MaxDelay = maxDelay,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(DelayBefore(args.AttemptNumber, Left(args.Context))),
                OnRetry = args =>
                {
                    onRetry?.Invoke(args.Context.OperationKey, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>The delay before retry <paramref name="attempt"/> (0 for the first): <c>firstDelay</c> doubled per attempt, at most <c>maxDelay</c>, at most <paramref name="left"/>.</summary>
    public TimeSpan DelayBefore(int attempt, TimeSpan left)
    {
        TimeSpan delay = _firstDelay;
        for (int i = 0; i < attempt && delay < _maxDelay; i++)
        {
            delay *= 2;
        }

        delay = delay < _maxDelay ? delay : _maxDelay;
        return delay < left ? delay : (left > TimeSpan.Zero ? left : TimeSpan.Zero);
    }

    /// <summary>Runs <paramref name="probe"/> until it succeeds, throws an exception the retry does not handle, or the bound passes (then its last exception propagates).</summary>
    /// <param name="probe">The attempt.</param>
    /// <param name="state">Passed to <paramref name="probe"/>.</param>
    /// <param name="what">Names the operation in retry logs.</param>
    /// <param name="startTimestamp">A <see cref="TimeProvider.GetTimestamp"/> of <see cref="_time"/> the bound counts from.</param>
    /// <param name="cancellationToken">Cancels the delays.</param>
    /// <returns>What the successful attempt returned.</returns>
    public async ValueTask<T> ExecuteAsync<T, TState>(Func<TState, ValueTask<T>> probe, TState state, string what, long startTimestamp, CancellationToken cancellationToken)
    {
        ResilienceContext context = ResilienceContextPool.Shared.Get(what, cancellationToken);
        context.Properties.Set(s_start, startTimestamp);
        try
        {
            return await _pipeline.ExecuteAsync(static (_, s) => s.probe(s.state), context, (probe, state)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Runs <paramref name="probe"/> with the bound counted from now; see <see cref="ExecuteAsync{T, TState}(Func{TState, ValueTask{T}}, TState, string, long, CancellationToken)"/>.</summary>
    /// <param name="probe">The attempt.</param>
    /// <param name="what">Names the operation in retry logs.</param>
    /// <param name="cancellationToken">Cancels the delays.</param>
    /// <returns>What the successful attempt returned.</returns>
    public ValueTask<T> ExecuteAsync<T>(Func<ValueTask<T>> probe, string what, CancellationToken cancellationToken) =>
        ExecuteAsync(static p => p(), probe, what, _time.GetTimestamp(), cancellationToken);

    private TimeSpan Left(ResilienceContext context) =>
        _bound - _time.GetElapsedTime(context.Properties.GetValue(s_start, _time.GetTimestamp()));
}
