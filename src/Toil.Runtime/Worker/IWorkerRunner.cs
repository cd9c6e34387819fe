namespace Toil.Runtime.Worker;

/// <summary>
/// Runs one worker invocation: loads a job from a job store, runs it and the successors it can chain, commits the
/// results in order, and reports how it went (Toil's <c>workerScript</c>). Implementations keep all failure state on
/// the run, so several runs in one process never see each other's failures (docs/decisions.md#failure-state-per-run).
/// </summary>
public interface IWorkerRunner
{
    /// <summary>Runs the worker algorithm for <paramref name="request"/>.</summary>
    /// <param name="request">What to run and where.</param>
    /// <param name="cancellationToken">Cancels the run; the attempt then counts as failed.</param>
    /// <returns>The outcome: exit code, the chain of jobs run, and whether the attempt failed.</returns>
    /// <exception cref="InvalidOperationException">A process-mode run is requested while another one is active in this process.</exception>
    Task<WorkerResult> RunAsync(WorkerRequest request, CancellationToken cancellationToken = default);
}
