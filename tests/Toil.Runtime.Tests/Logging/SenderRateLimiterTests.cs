using Microsoft.Extensions.Time.Testing;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Tests.Logging;

/// <summary>The per-sender token bucket of the real-time logging server, on a fake clock.</summary>
public sealed class SenderRateLimiterTests
{
    [Test]
    public void TryAcquire_BurstThenRate_PassesTheBurstThenOnePerInterval()
    {
        var time = new FakeTimeProvider();
        var limiter = new SenderRateLimiter(recordsPerSecond: 2, burst: 3, time);

        Enumerable.Range(0, 5).Select(_ => limiter.TryAcquire("a")).Should().Equal(true, true, true, false, false);
        time.Advance(TimeSpan.FromMilliseconds(500));
        limiter.TryAcquire("a").Should().BeTrue("half a second at 2/s is one token");
        limiter.TryAcquire("a").Should().BeFalse();
        time.Advance(TimeSpan.FromHours(1));
        Enumerable.Range(0, 4).Select(_ => limiter.TryAcquire("a")).Should().Equal(true, true, true, false);
    }

    [Test]
    public void TakeSummary_Drops_CountsPerSenderAndStartsANewPeriod()
    {
        var time = new FakeTimeProvider();
        var limiter = new SenderRateLimiter(1, 1, time);
        limiter.TryAcquire("a");
        limiter.TryAcquire("a");
        limiter.TryAcquire("a");
        limiter.TryAcquire("b");
        limiter.TryAcquire("b");
        limiter.SummaryDue(TimeSpan.FromSeconds(10)).Should().BeFalse();
        time.Advance(TimeSpan.FromSeconds(10));
        limiter.SummaryDue(TimeSpan.FromSeconds(10)).Should().BeTrue();

        var summary = limiter.TakeSummary();

        summary.Should().Be(new SenderRateLimiter.DropSummary(3, 2, TimeSpan.FromSeconds(10), "a", 2));
        limiter.HasDrops.Should().BeFalse();
        limiter.SummaryDue(TimeSpan.FromSeconds(10)).Should().BeFalse();
    }

    [Test]
    public void TryAcquire_MoreSendersThanTracked_IdleOnesForgottenBusyOnesShareABucket()
    {
        var time = new FakeTimeProvider();
        var limiter = new SenderRateLimiter(1, 1, time);
        for (int i = 0; i < SenderRateLimiter.MaxSenders; i++)
        {
            limiter.TryAcquire($"s{i}").Should().BeTrue();
        }

        // Every tracked sender is busy (its bucket empty): new senders share one bucket of the same size.
        limiter.TryAcquire("new 1").Should().BeTrue();
        limiter.TryAcquire("new 2").Should().BeFalse();
        limiter.TakeSummary().TopSender.Should().Be(SenderRateLimiter.OtherSenders);

        // Once they are idle (refilled), a new sender gets a bucket of its own again.
        time.Advance(TimeSpan.FromSeconds(2));
        limiter.TryAcquire("new 3").Should().BeTrue();
        limiter.TryAcquire("new 4").Should().BeTrue();
    }

    [Test]
    public void TryAcquire_NoRate_AlwaysPasses()
    {
        var limiter = new SenderRateLimiter(0, 1, new FakeTimeProvider());
        Enumerable.Range(0, 10_000).Should().OnlyContain(_ => limiter.TryAcquire("a"));
        limiter.HasDrops.Should().BeFalse();
    }
}
