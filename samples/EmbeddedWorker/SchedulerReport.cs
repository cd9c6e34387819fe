namespace EmbeddedWorker;

/// <summary>What <see cref="MiniScheduler"/> saw, in order.</summary>
public sealed class SchedulerReport
{
    /// <summary>The names of every job body that ran (chained ones included).</summary>
    public List<string> Ran { get; } = [];

    /// <summary>"predecessor -> successor" for every job that ran chained in the same worker run.</summary>
    public List<string> Chained { get; } = [];

    /// <summary>The names of jobs re-run after a failed attempt.</summary>
    public List<string> Retried { get; } = [];

    /// <summary>The names of checkpoint jobs re-run because their subtree failed.</summary>
    public List<string> CheckpointRestarts { get; } = [];

    /// <summary>The names of jobs that failed for good.</summary>
    public List<string> FailedJobs { get; } = [];
}
