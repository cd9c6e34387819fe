namespace Toil.Runtime.Leader.BatchSystems;

/// <summary>
/// A batch system that can stop the workers an earlier leader of a workflow left running (the restart fence,
/// docs/decisions.md#restart-fence). A leader killed with SIGKILL leaves its running attempts behind; if they go on
/// committing while a restarted leader cleans up the job graph, the clean-up can delete a job such an orphan has just
/// created. Before it cleans up or issues anything, the leader calls <see cref="StopEarlierWorkersAsync"/> on a batch
/// system that implements this interface. One that does not leaves earlier workers alone, as Toil does.
/// </summary>
/// <remarks>
/// The local-process batch system finds its earlier workers by their liveness locks on this machine; the Slurm batch
/// system by the workflow named in each job's comment. An implementation kills what it finds and returns once those
/// have ended, within a bound of its own (it logs any that outlived the bound rather than waiting forever).
/// </remarks>
public interface IRestartFence
{
    /// <summary>Kills the workers of <paramref name="workflowId"/> that an earlier leader left running and waits for them to end.</summary>
    /// <param name="workflowId">The workflow's ID (the job store's <c>WorkflowConfig.WorkflowId</c>).</param>
    /// <param name="cancellationToken">Cancels the wait (not the kills already sent).</param>
    /// <returns>How many earlier workers were found alive.</returns>
    ValueTask<int> StopEarlierWorkersAsync(string workflowId, CancellationToken cancellationToken = default);
}
