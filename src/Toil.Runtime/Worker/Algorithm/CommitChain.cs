using Toil.Runtime.FileStores;
using Toil.Runtime.Jobs;

namespace Toil.Runtime.Worker;

/// <summary>
/// Toil's <c>blockFn</c>: the wait on the last commit of the run (<c>docs/worker-algorithm.md</c>, "Commit order"). Every
/// new file store waits on <see cref="Last"/> before it writes, then becomes the last itself, so a later chained job is
/// never recorded before an earlier one; every wait here is bounded by <see cref="WorkerOptions.CommitWaitTimeout"/>.
/// </summary>
/// <remarks>
/// It also coalesces chained commits (<c>docs/decisions.md#group-commits</c>): while a write is in flight, a chained job's
/// commit may be left to a later write of the same record instead of being written itself
/// (<see cref="CanCoalesce"/>, <see cref="Coalesce"/>); the newest such commit supersedes the ones before it, and the
/// running job is at most <see cref="WorkerOptions.MaxUncommittedJobs"/> + 1 jobs past the durable record (so a kill
/// reruns at most that many + 2), and no commit waits longer than <see cref="WorkerOptions.MaxUncommittedTime"/>.
/// A commit left so is written by the next job's commit (which records everything since), or by
/// <see cref="FlushAsync"/> at the end of the chain.
/// </remarks>
/// <param name="timeout">The bound of each wait.</param>
/// <param name="time">The clock of the bound.</param>
/// <param name="jobStoreId">The issued job, named in the timeout's message.</param>
/// <param name="maxUncommittedJobs">How many jobs the running one may be past the durable record beyond the one an asynchronous commit allows (0: every commit is written).</param>
/// <param name="maxUncommittedTime">How long the oldest unwritten commit may wait at most.</param>
internal sealed class CommitChain(TimeSpan timeout, TimeProvider time, string jobStoreId, int maxUncommittedJobs = 0, TimeSpan maxUncommittedTime = default)
{
    private static readonly Func<CancellationToken, ValueTask> Nothing = static _ => ValueTask.CompletedTask;

    // The store of the last write that was started (kept as the store: a delegate per job would allocate), and the ID
    // of the job it chained in (the last merged name it lists).
    private IChainingFileStore? _written;
    private string? _writtenTail;

    // How many jobs the last started write records done (the commits it superseded and its own).
    private int _writtenGroup;

    // The newest commit left unwritten: the store that would have written it and what it would have written.
    private IChainingFileStore? _pendingStore;
    private JobDescription? _pendingSuccessor;
    private long _uncommittedSince;

    /// <summary>Completes when the last commit is durable; rethrows its failure. Nothing to wait for at first.</summary>
    public Func<CancellationToken, ValueTask> Last { get; private set; } = Nothing;

    /// <summary>How many chained jobs' commits were left to a later write since the last write started.</summary>
    public int Uncommitted { get; private set; }

    /// <summary>How many commits were left to a later write in the whole run (each saved one durable write).</summary>
    public int CoalescedTotal { get; private set; }

    /// <summary>
    /// Whether the run's last job left its commit out because the run deletes the whole chain's records right after
    /// (<see cref="SkipFinal"/>; <c>docs/decisions.md#no-final-commit</c>).
    /// </summary>
    public bool FinalCommitSkipped { get; private set; }

    /// <summary>
    /// Whether the last job of a chain may leave its commit out (<c>docs/decisions.md#no-final-commit</c>): its subtree
    /// is done (no body, successors or services: the run deletes every record of the chain once the earlier writes are
    /// durable), its commit deletes no files (a journal would have to be durable before they go), and it is not a
    /// checkpoint (whose record keeps the files to delete when its subtree is done).
    /// </summary>
    /// <param name="job">The job whose body just ran, body detached.</param>
    /// <param name="fileStore">Its file store.</param>
    /// <returns><see langword="true"/> when nothing the commit would write is needed after the deletion.</returns>
    public static bool CanSkipFinal(JobDescription job, IChainingFileStore fileStore) =>
        job is not CheckpointJobDescription && job.IsSubtreeDone() && !job.HasFilesToDelete && !fileStore.HasPendingDeletes;

    /// <summary>
    /// Leaves the chain's final commit out (<see cref="CanSkipFinal"/>): the commit left pending by an earlier chained job
    /// is dropped with it, since the deletion of the chain supersedes both. Until the deletion the record stays at the
    /// last durable write, so a crash reruns the jobs since then, as a crash before the commit would.
    /// </summary>
    public void SkipFinal()
    {
        FinalCommitSkipped = true;
        _pendingStore = null;
        _pendingSuccessor = null;
        Uncommitted = 0;
    }

    /// <summary>Makes the commit <paramref name="waitForCommit"/> waits on the last one.</summary>
    /// <param name="waitForCommit">The wait of the file store created last (<see cref="IFileStore.WaitForCommitAsync"/>).</param>
    public void Follow(Func<CancellationToken, ValueTask> waitForCommit) => Last = waitForCommit;

    /// <summary>
    /// Records that <paramref name="fileStore"/> started its commit (after <see cref="IFileStore.StartCommitAsync"/>):
    /// it writes everything left unwritten before it, so the commit left pending is dropped.
    /// </summary>
    /// <param name="fileStore">The store whose commit started.</param>
    /// <param name="tail">The ID of the job the write chains in (its last merged name), or null when it chains none.</param>
    public void Started(IChainingFileStore fileStore, string? tail)
    {
        _written = fileStore;
        _writtenTail = tail;
        _writtenGroup = Uncommitted + 1;
        _pendingStore = null;
        _pendingSuccessor = null;
        Uncommitted = 0;
    }

    /// <summary>
    /// Whether the next chained job's commit may be left to a later write: a write is in flight (its failure, if any,
    /// then surfaces at the write that follows it) and the bound is not reached.
    /// </summary>
    /// <returns><see langword="true"/> when the commit may be coalesced.</returns>
    public bool CanCoalesce()
    {
        // The jobs past the durable record: the write in flight's group, those left since, and the one that would run
        // next. Without coalescing that is 1 (the running job; its predecessor's write in flight).
        if (_writtenGroup + Uncommitted > maxUncommittedJobs)
        {
            return false;
        }

        if (Uncommitted > 0 && time.GetElapsedTime(_uncommittedSince) >= maxUncommittedTime)
        {
            return false;
        }

        // Task.WaitAsync without a token or timeout hands back the commit's own task: no allocation.
        return _written is not null && !_written.WaitForCommitAsync(CancellationToken.None).IsCompleted;
    }

    /// <summary>
    /// Records that <paramref name="fileStore"/>'s commit, chaining <paramref name="successor"/> in, is left to a later
    /// write. Its snapshot is what <see cref="FlushAsync"/> writes if no later commit supersedes it.
    /// </summary>
    /// <param name="fileStore">The store that did not start its commit.</param>
    /// <param name="successor">The successor after <see cref="JobDescription.Replace"/> (copied here).</param>
    public void Coalesce(IChainingFileStore fileStore, JobDescription successor)
    {
        if (Uncommitted == 0)
        {
            _uncommittedSince = time.GetTimestamp();
        }

        Uncommitted++;
        CoalescedTotal++;
        _pendingStore = fileStore;
        _pendingSuccessor = successor.Clone();
    }

    /// <summary>
    /// How many of <paramref name="merged"/>'s leading entries the last started write made unreachable: every entry
    /// before the job that write chained in (whose body that write still references). Without coalesced commits that
    /// is every entry but the last.
    /// </summary>
    /// <param name="merged">The chaining job's merged names.</param>
    /// <returns>The number of leading entries whose records may go once that write is durable.</returns>
    public int UnreachableCount(List<JobNames> merged)
    {
        if (Uncommitted == 0)
        {
            return merged.Count - 1;
        }

        for (int i = merged.Count - 1; i >= 0; i--)
        {
            if (string.Equals(merged[i].JobStoreId, _writtenTail, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return 0;
    }

    /// <summary>
    /// Writes the commit left pending, if any (at the end of a chain: the last chained job had no body, or it failed),
    /// so the record says what it would have said without coalescing.
    /// </summary>
    /// <returns>A task that completes when the write has started.</returns>
    public async ValueTask FlushAsync()
    {
        if (_pendingStore is not { } store || _pendingSuccessor is not { } successor)
        {
            return;
        }

        await store.StartCommitAsync(successor, CancellationToken.None).ConfigureAwait(false);
        Started(store, successor.MergedJobNamesOrNull is { Count: > 0 } names ? names[^1].JobStoreId : null);
    }

    /// <summary>Waits for the last commit, at most the timeout (then a <see cref="TimeoutException"/>).</summary>
    /// <param name="token">Cancels the wait.</param>
    /// <returns>A task that completes when the last commit is durable.</returns>
    public async ValueTask WaitAsync(CancellationToken token)
    {
        ValueTask pending = Last(token);
        if (pending.IsCompletedSuccessfully)
        {
            return; // The usual case (a synchronous store, or a background commit that finished): no timer.
        }

        try
        {
            await pending.AsTask().WaitAsync(timeout, time, token).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"The job store did not finish the commits of job {jobStoreId} within {timeout}.", ex);
        }
    }

    /// <summary>
    /// The wait at the end of the run, whatever the caller's token says: the commit is cancelled when the timeout passes
    /// (then a <see cref="TimeoutException"/>).
    /// </summary>
    /// <returns>A task that completes when the whole commit chain is durable.</returns>
    public async ValueTask WaitForAllAsync()
    {
        using var bound = new CancellationTokenSource(timeout, time);
        try
        {
            await Last(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            throw new TimeoutException($"The job store did not finish the commits of job {jobStoreId} within {timeout}.");
        }
    }
}
