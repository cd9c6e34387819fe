using Polly;
using Polly.Retry;

namespace Toil.Runtime.Executors.Mesos;

/// <summary>
/// The executor's subscription loop as a Polly pipeline (<c>docs/decisions.md#mesos-executor</c>,
/// <c>docs/decisions.md#bounded-waits</c>): a session that ends without a shutdown is followed by a new subscription, after
/// a jittered delay doubling from a sixteenth of <see cref="MesosExecutorOptions.SubscriptionBackoffMax"/> up to it, as
/// long as the executor checkpoints and <see cref="MesosExecutorOptions.RecoveryTimeout"/> has not passed since the agent
/// was lost. A session that had subscribed starts the back-off and the recovery window again.
/// </summary>
internal sealed class MesosResubscription
{
    private static readonly ResiliencePropertyKey<long> s_lostAt = new("Toil.Mesos.LostAt");
    private static readonly ResiliencePropertyKey<int> s_firstAttempt = new("Toil.Mesos.FirstAttempt");

    private readonly ResiliencePipeline<MesosSession> _pipeline;
    private readonly TimeProvider _time;
    private readonly TimeSpan _recoveryTimeout;
    private readonly TimeSpan _backoffMax;

    /// <summary>Creates the loop.</summary>
    /// <param name="time">The clock of the delays and of the recovery window.</param>
    /// <param name="checkpoint">Whether the executor checkpoints (<c>MESOS_CHECKPOINT</c>); without it a lost agent is never waited for.</param>
    /// <param name="recoveryTimeout">How long after losing the agent subscriptions are still tried.</param>
    /// <param name="backoffMax">The longest delay between two subscriptions.</param>
    /// <param name="onResubscribing">Told the delay, the attempt (from 1) and the time left before each new subscription.</param>
    public MesosResubscription(TimeProvider time, bool checkpoint, TimeSpan recoveryTimeout, TimeSpan backoffMax, Action<TimeSpan, int, TimeSpan> onResubscribing)
    {
        _time = time;
        _recoveryTimeout = recoveryTimeout;
        _backoffMax = backoffMax;
        _pipeline = new ResiliencePipelineBuilder<MesosSession> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<MesosSession>
            {
                ShouldHandle = args => ValueTask.FromResult(checkpoint && ShouldResubscribe(args.Outcome, args.AttemptNumber, args.Context)),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = backoffMax / 16,
                MaxDelay = backoffMax,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(DelayBefore(args.AttemptNumber, args.Context)),
                OnRetry = args =>
                {
                    onResubscribing(args.RetryDelay, args.AttemptNumber - args.Context.Properties.GetValue(s_firstAttempt, 0) + 1, Remaining(args.Context));
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>
    /// Runs <paramref name="session"/> (subscribe, serve until disconnected) again and again until it ends with a shutdown,
    /// the executor does not checkpoint, or the recovery window passes; returns the last session's outcome.
    /// </summary>
    /// <param name="session">One subscription and what follows it.</param>
    /// <param name="cancellationToken">Cancels the delays.</param>
    /// <returns>The last session: <see cref="MesosSession.Shutdown"/> tells a shutdown from a lost agent.</returns>
    public async ValueTask<MesosSession> RunAsync(Func<CancellationToken, ValueTask<MesosSession>> session, CancellationToken cancellationToken)
    {
        ResilienceContext context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            return await _pipeline.ExecuteAsync(static (ctx, s) => s(ctx.CancellationToken), context, session).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Whether the recovery window has passed for the loop of <paramref name="context"/>.</summary>
    internal TimeSpan Remaining(ResilienceContext context) =>
        context.Properties.TryGetValue(s_lostAt, out long lostAt) ? _recoveryTimeout - _time.GetElapsedTime(lostAt) : _recoveryTimeout;

    /// <summary>The wait before subscription attempt <paramref name="attempt"/> (from 0): doubling from a sixteenth of the
    /// maximum, with jitter, never more than the maximum (so a reconnecting agent hears from us at least once per window).</summary>
    internal static TimeSpan Backoff(int attempt, TimeSpan max)
    {
        double factor = Math.Pow(2, Math.Min(attempt, 16)) / 16;
        double ticks = Math.Min(max.Ticks, max.Ticks * factor) * (0.5 + (Random.Shared.NextDouble() / 2));
        return TimeSpan.FromTicks(Math.Max(1, (long)ticks));
    }

    private bool ShouldResubscribe(Outcome<MesosSession> outcome, int attempt, ResilienceContext context)
    {
        if (outcome.Exception is not null || outcome.Result.Shutdown)
        {
            return false;
        }

        if (outcome.Result.WasSubscribed || !context.Properties.TryGetValue(s_lostAt, out _))
        {
            // Lost now: the window and the back-off start again.
            context.Properties.Set(s_lostAt, _time.GetTimestamp());
            context.Properties.Set(s_firstAttempt, attempt);
        }

        return Remaining(context) > TimeSpan.Zero;
    }

    private TimeSpan DelayBefore(int attempt, ResilienceContext context)
    {
        TimeSpan delay = Backoff(attempt - context.Properties.GetValue(s_firstAttempt, 0), _backoffMax);
        TimeSpan remaining = Remaining(context);
        return delay < remaining ? delay : remaining;
    }
}
