namespace Toil.Runtime.Cli.Store;

/// <summary>A job that failed for good, as <c>toil status</c> shows it.</summary>
internal sealed class FailedJobStatus
{
    /// <summary>The job's ID.</summary>
    public required string JobStoreId { get; init; }

    /// <summary>The job's name (its registered type name).</summary>
    public required string JobName { get; init; }

    /// <summary>The job's display name.</summary>
    public required string DisplayName { get; init; }

    /// <summary>Why it counts as failed.</summary>
    public required string Reason { get; init; }

    /// <summary>The last lines of its stored worker log (empty when it has none).</summary>
    public IReadOnlyList<string> LogTail { get; init; } = [];
}
