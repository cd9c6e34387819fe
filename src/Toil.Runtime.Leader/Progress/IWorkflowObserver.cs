using Toil.Runtime.Leader.Workflows;

namespace Toil.Runtime.Leader.Progress;

/// <summary>
/// Watches workflow runs: register implementations as singletons (<c>services.AddSingleton&lt;IWorkflowObserver&gt;(...)</c>)
/// and every run of <see cref="IWorkflowRunner"/> tells each of them its progress. Calls come from one background task
/// per run, in order, never from the scheduling loop: a slow observer falls behind (its oldest events are dropped and
/// counted in <see cref="WorkflowCounts.DroppedEvents"/>) and never stalls the run. An exception an observer throws is
/// logged and the run goes on. See <c>docs/progress.md</c>.
/// </summary>
public interface IWorkflowObserver
{
    /// <summary>Called for every progress event that was not dropped, in order.</summary>
    /// <param name="progress">The event.</param>
    void OnProgress(in WorkflowProgress progress);

    /// <summary>Called once when the run ends (after its last progress event), failed or not; not called when it was cancelled.</summary>
    /// <param name="result">The run's result, with its <see cref="WorkflowResult.Summary"/>.</param>
    void OnCompleted(WorkflowResult result);
}
