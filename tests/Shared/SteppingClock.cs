using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Toil.Runtime.Testing.Time;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that steps itself under a task that waits on it: each time the task starts a timer
/// (a retry's delay), the clock moves forward by exactly that delay, so the task runs through all its waits at once and
/// the test sees each one.
/// </summary>
internal sealed class SteppingClock : FakeTimeProvider
{
    private readonly SemaphoreSlim _created = new(0);
    private readonly ConcurrentQueue<TimeSpan> _dues = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ITimer timer = base.CreateTimer(callback, state, dueTime, period);
        _dues.Enqueue(dueTime);
        _created.Release();
        return timer;
    }

    /// <summary>Steps the clock through every timer <paramref name="task"/> starts until it completes; returns each timer's delay, in order.</summary>
    public async Task<List<TimeSpan>> RunAsync(Task task)
    {
        var waited = new List<TimeSpan>();
        while (true)
        {
            Task created = _created.WaitAsync();
            if (await Task.WhenAny(task, created) == task && !created.IsCompleted)
            {
                return waited;
            }

            _dues.TryDequeue(out TimeSpan due).Should().BeTrue();
            waited.Add(due);
            Advance(due);
            waited.Count.Should().BeLessThan(100_000, "the retry must end");
        }
    }
}
