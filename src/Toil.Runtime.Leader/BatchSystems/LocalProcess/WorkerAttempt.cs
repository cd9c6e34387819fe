using System.Diagnostics;

namespace Toil.Runtime.Leader.BatchSystems.LocalProcess;

/// <summary>One issued attempt of a <see cref="LocalProcessBatchSystem"/>: queued, then a running worker process, then ended.</summary>
internal sealed class WorkerAttempt(long id, BatchJobRequest request)
{
    public long Id { get; } = id;

    public BatchJobRequest Request { get; } = request;

    /// <summary>Gets or sets what the attempt holds of the pool while it runs.</summary>
    public ResourcePool.Reservation? Reservation { get; set; }

    public Process? Process { get; set; }

    /// <summary>Gets or sets the pooled serving worker that runs the attempt, when the warm worker pool does.</summary>
    public PooledWorker? Pooled { get; set; }

    public int ProcessId { get; set; }

    public long StartTimestamp { get; set; }

    public AttemptOutput? StandardOutput { get; set; }

    public AttemptOutput? StandardError { get; set; }

    /// <summary>Gets or sets whether the leader killed the attempt (it is then not reported).</summary>
    public bool KillRequested { get; set; }

    /// <summary>Gets or sets whether the batch system stopped the worker because it outlived the job's walltime.</summary>
    public bool OverWalltime { get; set; }

    /// <summary>Gets a task that completes when the worker process has been reaped.</summary>
    public TaskCompletionSource Exited { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets a task that completes when the attempt has ended (its process reaped, or it left the queue).</summary>
    public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
