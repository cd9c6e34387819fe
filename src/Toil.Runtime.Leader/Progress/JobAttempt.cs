using Toil.Runtime.Jobs;

namespace Toil.Runtime.Leader.Progress;

/// <summary>One worker attempt as the leader saw it: a bar of the run's timeline (<see cref="RunSummary.Attempts"/>).</summary>
public sealed record JobAttempt
{
    /// <summary>Gets the batch system's ID of the attempt.</summary>
    public required long BatchJobId { get; init; }

    /// <summary>Gets the issued job's ID.</summary>
    public required string JobStoreId { get; init; }

    /// <summary>Gets the issued job's name (its registered type name). User text.</summary>
    public required string JobName { get; init; }

    /// <summary>Gets the issued job's display name. User text.</summary>
    public required string DisplayName { get; init; }

    /// <summary>Gets whether the attempt re-ran the job (after a failed attempt, or a checkpoint re-run).</summary>
    public bool Retry { get; init; }

    /// <summary>Gets when the leader issued the attempt.</summary>
    public DateTimeOffset Issued { get; init; }

    /// <summary>Gets when the attempt started running (its end less the run time the batch system reported; else when first seen running; else <see cref="Issued"/>).</summary>
    public DateTimeOffset Started { get; init; }

    /// <summary>Gets when the leader saw the attempt end; <see langword="null"/> when it never did (killed at the end of the run).</summary>
    public DateTimeOffset? Ended { get; init; }

    /// <summary>Gets the attempt's exit code (0 when it succeeded).</summary>
    public int ExitCode { get; init; }

    /// <summary>Gets why the attempt ended, as the batch system reported it.</summary>
    public BatchJobExitReason ExitReason { get; init; }

    /// <summary>Gets whether the leader counted the attempt as failed (a non-zero exit, or no visible commit).</summary>
    public bool Failed { get; init; }

    /// <summary>
    /// Gets the timeline lane of the attempt: attempts are packed, in start order, into the lowest lane free at their
    /// start, so lanes stand for the batch system's concurrent worker slots (one worker at a time per lane).
    /// </summary>
    public int Lane { get; init; }

    /// <summary>Gets the issued job's own body, from the worker's stats; <see langword="null"/> when no stats arrived.</summary>
    public JobTiming? Body { get; init; }

    /// <summary>Gets the jobs the worker ran chained after the issued one, in order, from its stats.</summary>
    public IReadOnlyList<JobTiming> ChainedJobs { get; init; } = [];
}
