using Toil.Runtime.Leader.Workflows;

namespace Toil.Runtime.Hosting.Workflows;

/// <summary>The outcome of the workflow a host runs (<c>AddToilWorkflow</c>); a singleton of the host's services.</summary>
public sealed class ToilWorkflowRun
{
    private readonly TaskCompletionSource<WorkflowResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Gets a task that completes with the run's <see cref="WorkflowResult"/> (failed jobs included), is cancelled when the
    /// host stopped the run, and faults when the leader could not run it (the store exists without
    /// <see cref="LeaderOptions.Restart"/>, another leader holds it, ...).
    /// </summary>
    public Task<WorkflowResult> Completion => _completion.Task;

    internal void Succeeded(WorkflowResult result) => _completion.TrySetResult(result);

    internal void Cancelled(CancellationToken token) => _completion.TrySetCanceled(token);

    internal void Failed(Exception error) => _completion.TrySetException(error);
}
