using Toil.Runtime.Executors.Mesos;
using Toil.Runtime.Testing.Time;

namespace Toil.Runtime.Executors.Tests.Mesos;

/// <summary>The executor's resubscription back-off as a pipeline on its own, on a clock the test steps.</summary>
[CancelAfter(60_000)]
public sealed class MesosResubscriptionTests
{
    private static readonly MesosSession Refused = new(WasSubscribed: false, Shutdown: false, "refused");

    [Test]
    public async Task RunAsync_AgentNeverBack_BacksOffWithinTheMaximumAndStopsAtTheRecoveryTimeout()
    {
        var time = new SteppingClock();
        var logged = new List<(TimeSpan Delay, int Attempt)>();
        var loop = new MesosResubscription(time, checkpoint: true, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(200), (d, a, _) => logged.Add((d, a)));
        int sessions = 0;
        long start = time.GetTimestamp();

        var run = loop.RunAsync(_ => { sessions++; return ValueTask.FromResult(Refused); }, CancellationToken.None).AsTask();
        var waited = await time.RunAsync(run);

        (await run).Should().Be(Refused);
        time.GetElapsedTime(start).Should().Be(TimeSpan.FromSeconds(2));
        waited.Should().OnlyContain(d => d > TimeSpan.Zero && d <= TimeSpan.FromMilliseconds(200));
        waited[0].Should().BeLessThanOrEqualTo(TimeSpan.FromMilliseconds(200) / 16, "the first wait is at most a sixteenth of the maximum");
        sessions.Should().Be(waited.Count + 1).And.BeGreaterThanOrEqualTo(10);
        logged.Select(l => l.Attempt).Should().Equal(Enumerable.Range(1, waited.Count));
    }

    [Test]
    public async Task RunAsync_WithoutCheckpoint_MakesOneSession()
    {
        var time = new SteppingClock();
        var loop = new MesosResubscription(time, checkpoint: false, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(200), (_, _, _) => { });
        int sessions = 0;

        var session = await loop.RunAsync(_ => { sessions++; return ValueTask.FromResult(Refused); }, CancellationToken.None);

        session.Should().Be(Refused);
        sessions.Should().Be(1);
    }

    [Test]
    public async Task RunAsync_Shutdown_ReturnsItAtOnce()
    {
        var loop = new MesosResubscription(new SteppingClock(), checkpoint: true, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(200), (_, _, _) => { });
        var shutdown = new MesosSession(WasSubscribed: true, Shutdown: true, string.Empty);

        (await loop.RunAsync(_ => ValueTask.FromResult(shutdown), CancellationToken.None)).Should().Be(shutdown);
    }

    [Test]
    public async Task RunAsync_SubscribedAgainInsideTheWindow_StartsTheWindowAndTheBackoffAgain()
    {
        var time = new SteppingClock();
        var attempts = new List<int>();
        var loop = new MesosResubscription(time, checkpoint: true, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(200), (_, a, _) => attempts.Add(a));
        int sessions = 0;
        long start = time.GetTimestamp();

        // Refused five times, then subscribed (and lost again), then never back.
        var run = loop.RunAsync(_ => ValueTask.FromResult(++sessions == 6 ? new MesosSession(true, false, "dropped") : Refused), CancellationToken.None).AsTask();
        var waited = await time.RunAsync(run);

        await run;
        attempts.Take(7).Should().Equal(1, 2, 3, 4, 5, 1, 2);
        time.GetElapsedTime(start).Should().Be(waited.Take(5).Aggregate(TimeSpan.Zero, (a, b) => a + b) + TimeSpan.FromSeconds(2));
    }
}
