namespace Toil.Runtime.IO;

/// <summary>
/// A group commit of directory syncs (<c>docs/decisions.md#group-commits</c>): writers that renamed, created or unlinked
/// an entry in the same directory share one <c>fsync</c> of it. A caller whose change is done asks for a sync; if none of
/// that directory is in flight one starts at once; if one is, the caller joins the <em>next</em> sync, which starts when
/// the current one ends and so covers every change made before it started. A call returns only after an <c>fsync</c> of
/// the directory that began after the caller's change, as a sync of its own would: durability is unchanged.
/// </summary>
/// <remarks>
/// <para>A sync's error reaches every caller that joined it (each may retry, which joins a later sync). A caller waits
/// for at most the sync in flight and the one it joined; its cancellation stops its own wait (its change is then not
/// known to be durable, as with a cancelled sync of its own), never the sync others wait for.</para>
/// <para>The first caller of an idle directory runs the sync on its own thread, as it did before grouping; a sync that
/// follows one in flight runs on the thread pool. A directory's entry is dropped once no sync of it is in flight or
/// queued, so the table holds only directories being synced.</para>
/// </remarks>
internal sealed class DirectorySyncGroup
{
    private readonly Action<string> _sync;
    private readonly Dictionary<string, Pending> _directories = new(StringComparer.Ordinal);
    private long _syncs;

    /// <summary>Creates a group that syncs a directory with <paramref name="sync"/>.</summary>
    /// <param name="sync">Makes a directory's entries durable (<see cref="DurableFile.FsyncDirectory"/>); a test passes a counting one.</param>
    public DirectorySyncGroup(Action<string> sync)
    {
        ArgumentNullException.ThrowIfNull(sync);
        _sync = sync;
    }

    /// <summary>The process's group, shared by every <c>FileJobStore</c> of the process (the in-process batch system's workers and the leader).</summary>
    public static DirectorySyncGroup Shared { get; } = new(DurableFile.FsyncDirectory);

    /// <summary>How many syncs have started (a test and benchmark seam).</summary>
    public long SyncCount => Interlocked.Read(ref _syncs);

    /// <summary>How many directories have a sync in flight (a test seam: zero when idle).</summary>
    internal int ActiveDirectories
    {
        get
        {
            lock (_directories)
            {
                return _directories.Count;
            }
        }
    }

    /// <summary>
    /// Returns once an <c>fsync</c> of <paramref name="directory"/> that began after this call has ended: call it after
    /// the change to be made durable.
    /// </summary>
    /// <exception cref="IOException">The sync this call joined failed (every caller that joined it sees the error).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public Task SyncAsync(string directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(directory);
        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource joined;
        lock (_directories)
        {
            if (_directories.TryGetValue(directory, out var pending))
            {
                pending.Next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return pending.Next.Task.WaitAsync(cancellationToken);
            }

            joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _directories.Add(directory, new Pending());
        }

        // No sync of this directory was in flight: this caller runs it now, inline.
        Run(directory, joined);
        return joined.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Runs one sync for the callers of <paramref name="current"/>, then hands the next (if any joined) to the thread pool.</summary>
    private void Run(string directory, TaskCompletionSource current)
    {
        Interlocked.Increment(ref _syncs);
        Exception? error = null;
        try
        {
            _sync(directory);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        TaskCompletionSource? next;
        lock (_directories)
        {
            var pending = _directories[directory];
            next = pending.Next;
            pending.Next = null;
            if (next is null)
            {
                _directories.Remove(directory);
            }
        }

        if (error is null)
        {
            current.SetResult();
        }
        else
        {
            current.SetException(error);
        }

        if (next is not null)
        {
            // Every change of next's callers was made before they joined, so before this sync starts.
            ThreadPool.UnsafeQueueUserWorkItem(state => Run(state.directory, state.next), (directory, next), preferLocal: false);
        }
    }

    /// <summary>A directory with a sync in flight, and the callers waiting for the one after it.</summary>
    private sealed class Pending
    {
        public TaskCompletionSource? Next { get; set; }
    }
}
