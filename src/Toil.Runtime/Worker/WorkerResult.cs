using Toil.Runtime.Jobs;

namespace Toil.Runtime.Worker;

/// <summary>The outcome of one worker invocation.</summary>
public sealed record WorkerResult
{
    private readonly int? _jobsRunCount;

    /// <summary>0 when every job in the chain succeeded; 1 (or the code a job asked for) when the attempt failed.</summary>
    public required int ExitCode { get; init; }

    /// <summary>Whether the attempt failed (the last job's record then holds its log file ID and body).</summary>
    public required bool Failed { get; init; }

    /// <summary>
    /// The jobs whose bodies ran, in order (the first is the issued job; later ones were chained in): at most
    /// <see cref="WorkerOptions.MaxJobsRunListed"/> of them, the first ones. <see cref="JobsRunCount"/> counts them all.
    /// </summary>
    public required IReadOnlyList<JobNames> JobsRun { get; init; }

    /// <summary>
    /// How many job bodies ran, including those past the end of <see cref="JobsRun"/>. When not set, the number of
    /// entries of <see cref="JobsRun"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value set is negative.</exception>
    public int JobsRunCount
    {
        get => _jobsRunCount ?? JobsRun.Count;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _jobsRunCount = value;
        }
    }

    /// <summary>The job-store ID the run worked under (the issued ID).</summary>
    public required string JobStoreId { get; init; }

    /// <summary>Whether the whole subtree was done and every record of the chain was deleted.</summary>
    public bool SubtreeDeleted { get; init; }

    /// <summary>The failure, when the attempt failed with an exception.</summary>
    public Exception? Error { get; init; }

    /// <summary>
    /// Whether the chaos hook (<see cref="WorkerOptions.BadWorker"/>) killed the in-process run: nothing was written after
    /// that point (no failure log, no stats, no deletions), as after a real kill. <see cref="ExitCode"/> is then 137.
    /// </summary>
    public bool Crashed { get; init; }

    /// <summary>The file ID of the truncated worker log stored for a failed attempt (also in the job's record).</summary>
    public string? LogFileId { get; init; }

    /// <summary>The worker temporary directory, when it was kept (see <see cref="WorkerOptions.CleanWorkDir"/>).</summary>
    public string? RetainedTempDirectory { get; init; }
}
