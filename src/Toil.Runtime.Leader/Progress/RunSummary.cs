using Toil.Runtime.Leader.Workflows;

namespace Toil.Runtime.Leader.Progress;

/// <summary>
/// What a run did and where its time went (<see cref="WorkflowResult.Summary"/>): jobs, chained jobs, retries,
/// failures with their reasons, wall and CPU time, the slowest jobs and job types, the bytes through the jobs' file
/// stores, and every attempt for the timeline.
/// Job names in it are user text: <see cref="ToText"/> and <see cref="ToTimelineHtml"/> escape them. See <c>docs/progress.md</c>.
/// </summary>
public sealed record RunSummary
{
    /// <summary>Gets how many issued jobs finished (chained jobs are in <see cref="ChainedJobs"/>).</summary>
    public int JobsCompleted { get; init; }

    /// <summary>Gets how many jobs the workers ran chained after an issued job.</summary>
    public long ChainedJobs { get; init; }

    /// <summary>Gets how many job bodies the workers reported running, chained ones included.</summary>
    public long JobBodiesRun { get; init; }

    /// <summary>Gets how many attempts the leader issued.</summary>
    public int AttemptsIssued { get; init; }

    /// <summary>Gets how many attempts were re-issues (after a failed attempt, or a checkpoint re-run).</summary>
    public int Retries { get; init; }

    /// <summary>Gets how many attempts failed.</summary>
    public int FailedAttempts { get; init; }

    /// <summary>Gets the jobs that failed for good, with why.</summary>
    public IReadOnlyList<FailedJob> Failures { get; init; } = [];

    /// <summary>Gets the run's wall-clock time.</summary>
    public TimeSpan WallTime { get; init; }

    /// <summary>Gets the CPU time the leader's process used (the leader and any in-process workers).</summary>
    public TimeSpan CpuTime { get; init; }

    /// <summary>Gets the CPU time the workers reported.</summary>
    public TimeSpan WorkerCpuTime { get; init; }

    /// <summary>
    /// Gets the bytes the jobs wrote to the job store through their file stores (global files written), as the workers
    /// counted them where the bytes passed; a worker whose stats did not arrive is not in it.
    /// </summary>
    public long BytesWritten { get; init; }

    /// <summary>Gets the bytes the jobs read from the job store through their file stores (global files read), as the workers counted them.</summary>
    public long BytesRead { get; init; }

    /// <summary>Gets the slowest job bodies, slowest first (at most <see cref="SlowestCount"/>).</summary>
    public IReadOnlyList<JobTiming> SlowestJobs { get; init; } = [];

    /// <summary>Gets every job type that ran, by total wall-clock time, largest first.</summary>
    public IReadOnlyList<JobTypeTiming> JobTypes { get; init; } = [];

    /// <summary>Gets every attempt, in issue order (at most <see cref="MaxTimelineAttempts"/>; see <see cref="TimelineTruncated"/>).</summary>
    public IReadOnlyList<JobAttempt> Attempts { get; init; } = [];

    /// <summary>Gets whether the run had more attempts than the timeline keeps.</summary>
    public bool TimelineTruncated { get; init; }

    /// <summary>Gets how many progress events observers did not receive because they fell behind.</summary>
    public long DroppedProgressEvents { get; init; }

    /// <summary>Gets how many slowest jobs a summary lists.</summary>
    public static int SlowestCount => 10;

    /// <summary>Gets how many attempts a run's timeline keeps (the counts go on past it).</summary>
    public static int MaxTimelineAttempts => 100_000;

    /// <summary>Renders the summary as plain text for a terminal or a log, job names escaped (<c>TerminalText</c>).</summary>
    /// <returns>The text, several lines.</returns>
    public string ToText() => RunSummaryText.Render(this);

    /// <summary>Renders the run's timeline: a self-contained HTML page with an inline SVG Gantt chart of every attempt by lane.</summary>
    /// <param name="title">The page's title (escaped); defaults to "Toil run".</param>
    /// <returns>The HTML text.</returns>
    public string ToTimelineHtml(string? title = null) => TimelineHtml.Render(this, title ?? "Toil run");

    /// <summary>Writes <see cref="ToTimelineHtml"/> to <paramref name="path"/>, atomically (a temporary file renamed over it).</summary>
    /// <param name="path">The file to write; its directory must exist.</param>
    /// <param name="title">The page's title; defaults to "Toil run".</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    public Task WriteTimelineAsync(string path, string? title = null, CancellationToken cancellationToken = default) =>
        TimelineHtml.WriteAsync(path, ToTimelineHtml(title), cancellationToken);
}
