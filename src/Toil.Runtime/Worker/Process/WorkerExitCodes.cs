using Toil.Runtime.JobStores;

namespace Toil.Runtime.Worker;

/// <summary>The exit codes of a worker (docs/decisions.md#exit-codes).</summary>
public static class WorkerExitCodes
{
    /// <summary>Every job in the chain succeeded.</summary>
    public const int Success = 0;

    /// <summary>A job failed (the default failure code; a job may ask for another with <c>JobExitException</c>).</summary>
    public const int Failed = 1;

    /// <summary>The job store could not be opened (Toil's <c>TOIL_WORKER_NO_JOB_STORE_EXIT_CODE</c>; hint: a shared filesystem).</summary>
    public const int NoJobStore = 76;

    /// <summary>
    /// The attempt lost an optimistic-concurrency race: another writer (an orphaned attempt of the same job) updated the
    /// job's record first (<see cref="ConcurrentJobModificationException"/>); nothing of this attempt's commit was recorded.
    /// 75 is <c>EX_TEMPFAIL</c>. The leader counts it and follows the record as stored (docs/decisions.md#exit-codes).
    /// </summary>
    public const int ConcurrentModification = 75;

    /// <summary>
    /// The leader that launched this worker process is gone, so the worker did nothing: a restarted leader's fence may
    /// already have cleaned up (docs/decisions.md#restart-fence). 69 is <c>EX_UNAVAILABLE</c>; nobody waits for it.
    /// </summary>
    public const int LeaderGone = 69;

    /// <summary>The in-process run was killed by the chaos hook: 128 + SIGKILL, what a batch system reports for a killed process.</summary>
    public const int Killed = 137;

    /// <summary>The exit code of an attempt that failed with <paramref name="error"/>: <see cref="ConcurrentModification"/> for a lost race, else <see cref="Failed"/>.</summary>
    internal static int ForFailure(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is ConcurrentJobModificationException)
            {
                return ConcurrentModification;
            }
        }

        return Failed;
    }
}
