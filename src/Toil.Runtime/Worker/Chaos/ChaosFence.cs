namespace Toil.Runtime.Worker;

/// <summary>
/// In-process chaos (Toil's <c>badWorker</c>): once tripped, the run is dead — every later job-store write fails and the
/// run's token is cancelled — so nothing after that point is committed, as if the process had been killed.
/// </summary>
internal sealed class ChaosFence : IDisposable
{
    private readonly CancellationTokenSource _abort = new();
    private ITimer? _timer;
    private int _tripped;

    public bool IsTripped => Volatile.Read(ref _tripped) != 0;

    public CancellationToken Token => _abort.Token;

    public void Arm(TimeProvider time, TimeSpan delay) => _timer = time.CreateTimer(static s => ((ChaosFence)s!).Trip(), this, delay, Timeout.InfiniteTimeSpan);

    public void Trip()
    {
        if (Interlocked.Exchange(ref _tripped, 1) == 0)
        {
            try
            {
                _abort.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    public void ThrowIfTripped()
    {
        if (IsTripped)
        {
            throw new SimulatedWorkerCrashException();
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _abort.Dispose();
    }
}
