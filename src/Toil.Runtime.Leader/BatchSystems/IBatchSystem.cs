namespace Toil.Runtime.Leader.BatchSystems;

/// <summary>
/// Runs worker attempts for the leader (Toil's <c>AbstractBatchSystem</c>): it admits each issued job when its
/// requirements fit, runs one worker invocation for it, and reports the attempt's end. The leader never waits on a
/// job itself; it issues, then reads <see cref="WaitForUpdateAsync"/>. See <c>docs/batch-systems.md</c>.
/// </summary>
/// <remarks>
/// <para>
/// The contract is shaped for schedulers that run elsewhere (Slurm, Kubernetes, Mesos): a request carries the
/// worker's command-line arguments, its environment and its resource requirements, and an implementation reports
/// each attempt exactly once, by its own ID, with an exit code and a <see cref="Jobs.BatchJobExitReason"/>. Whether
/// the attempt did its work is decided by the leader from the job store, never from the exit code alone.
/// </para>
/// <para>Implementations are thread-safe: the leader may issue and kill while another thread waits for updates.</para>
/// </remarks>
public interface IBatchSystem : IAsyncDisposable
{
    /// <summary>Gets a short name for logs (<c>in-process</c>, <c>local-process</c>, <c>slurm</c>, ...).</summary>
    string Name { get; }

    /// <summary>
    /// Checks that a job with <paramref name="resources"/> could ever run here (the largest slot the batch system
    /// offers); the leader calls it before it issues a job, so an impossible request fails that job, not the run.
    /// </summary>
    /// <param name="resources">The job's requirements.</param>
    /// <exception cref="InsufficientResourcesException">No slot can ever hold the job.</exception>
    void CheckResourceRequest(JobResources resources);

    /// <summary>
    /// Queues one worker attempt. It returns as soon as the attempt is queued (not when it starts or ends); the attempt
    /// starts when its requirements fit.
    /// </summary>
    /// <param name="request">The job, its requirements, and the worker's arguments and environment.</param>
    /// <param name="cancellationToken">Cancels queuing (not the attempt once queued).</param>
    /// <returns>The batch system's ID of the attempt, unique for the batch system's lifetime.</returns>
    /// <exception cref="InsufficientResourcesException">No slot can ever hold the job.</exception>
    /// <exception cref="ObjectDisposedException">The batch system was shut down.</exception>
    ValueTask<long> IssueJobAsync(BatchJobRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Kills attempts and returns once each has stopped (an implementation bounds this wait; a process gets SIGTERM,
    /// then SIGKILL after a grace period). A killed attempt is not reported by <see cref="WaitForUpdateAsync"/>
    /// afterwards; an attempt that had already ended may still be. Unknown IDs are ignored.
    /// </summary>
    /// <param name="batchJobIds">The attempts.</param>
    /// <param name="cancellationToken">Cancels the wait (the kill is still delivered).</param>
    /// <returns>A task that completes when every attempt has stopped.</returns>
    ValueTask KillJobsAsync(IReadOnlyCollection<long> batchJobIds, CancellationToken cancellationToken = default);

    /// <summary>Gets the attempts issued and not yet reported (queued or running).</summary>
    /// <returns>Their IDs.</returns>
    IReadOnlyCollection<long> GetIssuedJobIds();

    /// <summary>Gets the attempts running now, with how long each has been running.</summary>
    /// <returns>The running attempts' IDs and run times.</returns>
    IReadOnlyDictionary<long, TimeSpan> GetRunningJobs();

    /// <summary>
    /// Waits for the next attempt to end and returns it. Each attempt is returned once. Cancelling the wait loses no
    /// update: a later call returns it.
    /// </summary>
    /// <param name="cancellationToken">Ends the wait with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The ended attempt.</returns>
    ValueTask<BatchJobUpdate> WaitForUpdateAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Shuts the batch system down: kills what still runs (bounded as <see cref="KillJobsAsync"/>), then runs the
    /// deferred functions that workers on its nodes left behind (Toil's <c>workerCleanup</c>). Idempotent.
    /// </summary>
    /// <param name="cancellationToken">Cancels the clean-up (orphaned functions not yet run stay persisted).</param>
    /// <returns>A task that completes when nothing of the workflow runs any longer.</returns>
    ValueTask ShutdownAsync(CancellationToken cancellationToken = default);
}
