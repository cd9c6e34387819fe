namespace Toil.Runtime.Authoring;

/// <summary>What a body run leaves for the worker's commit.</summary>
public sealed class JobBodyOutcome
{
    /// <summary>
    /// Files of promises this job consumed, to be deleted with the commit (or, for a checkpoint job, recorded as its
    /// checkpoint files to delete — Toil's <c>checkpointFilesToDelete</c>).
    /// </summary>
    public IReadOnlyList<string> ConsumedPromiseFileIds { get; init; } = [];

    /// <summary>How many new jobs the body created (for logging and stats).</summary>
    public int JobsCreated { get; init; }
}
