namespace Toil.Runtime.Leader.BatchSystems;

/// <summary>
/// Keeps the process's thread-pool minimum high enough for the in-process jobs that run at once
/// (<c>docs/decisions.md#thread-pool-reserve</c>).
/// </summary>
/// <remarks>
/// <para>A worker run holds its thread while it is in synchronous file I/O: the file job store writes its small records
/// synchronously, because an asynchronous write's hop through the thread pool costs more than the write. The pool starts
/// with one thread per processor and, when its threads are all blocked, adds about two a second, so twenty running jobs
/// on a two-processor machine leave the cores idle while they wait for threads.</para>
/// <para>Each <see cref="InProcessBatchSystem"/> holds a <see cref="Lease"/>. A lease reserves as many threads as its
/// batch system has had jobs running at once (the most so far, never lowered while it lives). The minimum becomes the
/// processor count plus every lease's reservation, but at most <see cref="MaxReserved"/> (twice the processor count)
/// above it, and never less than the minimum the host had set. A job's blocking calls are short, so only a few of the
/// running jobs are in one at any moment; a thread for every running job only adds idle threads that spin, for the same
/// throughput (<c>docs/performance.md</c>, "The thread pool's minimum"). Raising a minimum creates no thread: the pool
/// only starts threads, at once instead of slowly, when it has queued work. When every lease is released the host's
/// minimum is put back, unless something else changed the minimum meanwhile.</para>
/// </remarks>
internal sealed class ThreadPoolReserve
{
    private readonly int _processors;
    private readonly Func<(int Worker, int CompletionPort)> _getMinimum;
    private readonly Func<int, int, bool> _setMinimum;
    private readonly Lock _gate = new();
    private int _reserved;
    private int _hostWorkerMinimum;
    private int _applied;

    /// <summary>Creates a reserve over a thread pool given by its minimum's getter and setter (a test seam).</summary>
    /// <param name="processors">The processor count: threads kept for everything that is not a job.</param>
    /// <param name="getMinimum">Reads the pool's minimum worker and I/O completion threads.</param>
    /// <param name="setMinimum">Sets them (as <see cref="ThreadPool.SetMinThreads"/>, which returns whether it did).</param>
    public ThreadPoolReserve(int processors, Func<(int Worker, int CompletionPort)> getMinimum, Func<int, int, bool> setMinimum)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(processors, 1);
        ArgumentNullException.ThrowIfNull(getMinimum);
        ArgumentNullException.ThrowIfNull(setMinimum);
        _processors = processors;
        MaxReserved = 2 * processors;
        _getMinimum = getMinimum;
        _setMinimum = setMinimum;
    }

    /// <summary>The reserve of this process's thread pool.</summary>
    public static ThreadPoolReserve Shared { get; } = new(Environment.ProcessorCount, GetMinimum, ThreadPool.SetMinThreads);

    /// <summary>The most threads all leases together add above the processor count: twice the processor count.</summary>
    public int MaxReserved { get; }

    /// <summary>The threads all leases reserve now (before the cap of <see cref="MaxReserved"/>).</summary>
    public int Reserved
    {
        get
        {
            lock (_gate)
            {
                return _reserved;
            }
        }
    }

    /// <summary>A lease that reserves nothing until its holder's jobs start.</summary>
    public Lease Open() => new(this);

    private static (int Worker, int CompletionPort) GetMinimum()
    {
        ThreadPool.GetMinThreads(out int worker, out int completionPort);
        return (worker, completionPort);
    }

    private void Change(int delta)
    {
        lock (_gate)
        {
            _reserved += delta;
            var current = _getMinimum();
            if (_reserved == 0)
            {
                // The last reservation went: the host's minimum comes back, unless someone else set one meanwhile.
                if (_applied != 0 && current.Worker == _applied && _applied != _hostWorkerMinimum)
                {
                    _setMinimum(_hostWorkerMinimum, current.CompletionPort);
                }

                _applied = 0;
                return;
            }

            if (_applied == 0)
            {
                _hostWorkerMinimum = current.Worker;
            }
            else if (current.Worker != _applied)
            {
                // Someone else set the minimum since: theirs is now the floor this never goes below.
                _hostWorkerMinimum = current.Worker;
            }

            int target = Math.Max(_hostWorkerMinimum, _processors + Math.Min(_reserved, MaxReserved));
            if (target == current.Worker || _setMinimum(target, current.CompletionPort))
            {
                _applied = target;
            }
        }
    }

    /// <summary>
    /// One batch system's share of the reserve. <see cref="Cover"/> is called by one thread at a time (the batch system
    /// calls it under its own lock).
    /// </summary>
    public sealed class Lease : IDisposable
    {
        private readonly ThreadPoolReserve _reserve;
        private int _highWater;
        private bool _disposed;

        internal Lease(ThreadPoolReserve reserve) => _reserve = reserve;

        /// <summary>The most jobs this lease has covered at once.</summary>
        public int HighWater => _highWater;

        /// <summary>Makes sure the reserve covers <paramref name="running"/> jobs of this lease's holder at once.</summary>
        /// <param name="running">How many jobs of the holder run now.</param>
        public void Cover(int running)
        {
            if (running <= _highWater || _disposed)
            {
                return;
            }

            _reserve.Change(running - _highWater);
            _highWater = running;
        }

        /// <summary>Gives the lease's threads back (the host's minimum returns with the last lease).</summary>
        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_highWater > 0)
            {
                _reserve.Change(-_highWater);
            }
        }
    }
}
