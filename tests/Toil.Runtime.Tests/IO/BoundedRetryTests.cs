using Microsoft.Extensions.Time.Testing;
using Toil.Runtime.IO;
using Toil.Runtime.Testing.Time;

namespace Toil.Runtime.Tests.IO;

[CancelAfter(60_000)]
public sealed class BoundedRetryTests
{
    [Test]
    public void DelayBefore_Attempts_DoubleFromTheFirstUpToTheMaximumAndNeverPastTheBound()
    {
        var retry = new BoundedRetry(new FakeTimeProvider(), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1), _ => true);

        Enumerable.Range(0, 9).Select(a => retry.DelayBefore(a, TimeSpan.MaxValue).TotalMilliseconds)
            .Should().Equal(10, 20, 40, 80, 160, 320, 640, 1000, 1000);
        retry.DelayBefore(3, TimeSpan.FromMilliseconds(25)).Should().Be(TimeSpan.FromMilliseconds(25));
        retry.DelayBefore(0, TimeSpan.FromMilliseconds(-5)).Should().Be(TimeSpan.Zero);
    }

    [Test]
    public async Task ExecuteAsync_NeverSucceeds_WaitsBackingOffUntilTheBoundThenRethrows()
    {
        var time = new SteppingClock();
        var delays = new List<TimeSpan>();
        var retry = new BoundedRetry(time, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1), e => e is FileNotFoundException, (_, d) => delays.Add(d));
        int attempts = 0;
        long start = time.GetTimestamp();

        var run = retry.ExecuteAsync<int>(() => { attempts++; throw new FileNotFoundException("not yet"); }, "probe", CancellationToken.None).AsTask();
        var waited = await time.RunAsync(run);

        var act = () => run;
        await act.Should().ThrowAsync<FileNotFoundException>();
        waited.Should().Equal(delays);
        delays.Select(d => d.TotalMilliseconds).Should().Equal(10, 20, 40, 80, 100);
        attempts.Should().Be(6);
        time.GetElapsedTime(start).Should().Be(TimeSpan.FromMilliseconds(250));
    }

    [Test]
    public async Task ExecuteAsync_SucceedsOnTheThirdAttempt_ReturnsItsResultAfterTwoDelays()
    {
        var time = new SteppingClock();
        var delays = new List<TimeSpan>();
        var retry = new BoundedRetry(time, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(50), e => e is IOException, (_, d) => delays.Add(d));
        int attempts = 0;

        var run = retry.ExecuteAsync(() => ++attempts < 3 ? throw new IOException("held") : ValueTask.FromResult(attempts), "probe", CancellationToken.None).AsTask();
        var waited = await time.RunAsync(run);

        (await run).Should().Be(3);
        delays.Select(d => d.TotalMilliseconds).Should().Equal(1, 2);
        waited.Should().Equal(delays);
    }

    [Test]
    public async Task ExecuteAsync_ExceptionNotHandled_PropagatesWithoutRetry()
    {
        var retry = new BoundedRetry(new FakeTimeProvider(), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(50), e => e is FileNotFoundException);
        int attempts = 0;

        var act = async () => await retry.ExecuteAsync<int>(() => { attempts++; throw new InvalidDataException("bad"); }, "probe", CancellationToken.None);

        await act.Should().ThrowAsync<InvalidDataException>();
        attempts.Should().Be(1);
    }

    [Test]
    public async Task ExecuteAsync_ZeroBound_MakesOneAttempt()
    {
        var retry = new BoundedRetry(new FakeTimeProvider(), TimeSpan.Zero, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1), _ => true);
        int attempts = 0;

        var act = async () => await retry.ExecuteAsync<int>(() => { attempts++; throw new FileNotFoundException("not yet"); }, "probe", CancellationToken.None);

        await act.Should().ThrowAsync<FileNotFoundException>();
        attempts.Should().Be(1);
    }

    [Test]
    public async Task ExecuteAsync_StartInThePast_CountsTheTimeAlreadySpentAgainstTheBound()
    {
        var time = new FakeTimeProvider();
        long start = time.GetTimestamp();
        time.Advance(TimeSpan.FromSeconds(31));
        var retry = new BoundedRetry(time, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(50), _ => true);
        int attempts = 0;

        var act = async () => await retry.ExecuteAsync<int, int>(_ => { attempts++; throw new IOException("held"); }, 0, "probe", start, CancellationToken.None);

        await act.Should().ThrowAsync<IOException>();
        attempts.Should().Be(1);
    }
}
