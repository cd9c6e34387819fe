namespace EmbeddedWorker;

/// <summary>The outcome of <see cref="EmbeddedWorkflow.RunAsync"/>.</summary>
/// <param name="Succeeded">Whether no job failed for good.</param>
/// <param name="Report">What ran, chained, was retried or restarted.</param>
/// <param name="TotalWords">The total the summing job wrote, or <see langword="null"/> if it never ran.</param>
/// <param name="JobsLeft">Jobs still in the store at the end (0 when everything finished and was deleted).</param>
public sealed record EmbeddedWorkflowResult(bool Succeeded, SchedulerReport Report, int? TotalWords, int JobsLeft);
