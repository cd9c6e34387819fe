using System.Runtime.CompilerServices;
using Toil.Runtime.Authoring;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Leader.Workflows;

/// <summary>
/// Runs whole workflows: creates the root job in the configured job store (or continues the workflow in it), schedules
/// every job on the batch system until nothing is left, and reports the outcome. See <c>docs/leader.md</c>.
/// </summary>
public interface IWorkflowRunner
{
    /// <summary>Runs a workflow from a root job, named by its registration token, and returns the root job's value:
    /// <c>await runner.RunAsync(CountWords.Type, input)</c>.</summary>
    /// <typeparam name="TJob">The root job class (inferred from <paramref name="type"/>).</typeparam>
    /// <typeparam name="TInput">Its input type (inferred).</typeparam>
    /// <typeparam name="TOutput">Its return type (inferred).</typeparam>
    /// <param name="type">The root job's registration token; its name must be registered.</param>
    /// <param name="input">The root job's input (ignored on a restart, which continues the stored workflow).</param>
    /// <param name="cancellationToken">Stops the run: running attempts are killed; the store is kept for a restart.</param>
    /// <returns>The root job's return value.</returns>
    /// <exception cref="UnknownJobTypeException">No job type is registered under the token's name.</exception>
    /// <exception cref="ArgumentException">The token's name is registered with another class, input or return type.</exception>
    /// <exception cref="FailedJobsException">Jobs failed for good; the exception carries the run's result.</exception>
    /// <exception cref="JobStoreExistsException">The store already holds a workflow and <see cref="LeaderOptions.Restart"/> is off.</exception>
    /// <exception cref="LeaderAlreadyRunningException">Another leader runs on the store.</exception>
    [OverloadResolutionPriority(-1)]
    Task<TOutput> RunAsync<TJob, TInput, TOutput>(JobType<TJob, TInput, TOutput> type, TInput input, CancellationToken cancellationToken = default)
        where TJob : class, IJob<TInput, TOutput>;

    /// <summary>Runs a workflow from a root job with a return value and returns that value.</summary>
    /// <typeparam name="TJob">The registered root job class.</typeparam>
    /// <typeparam name="TInput">Its input type.</typeparam>
    /// <typeparam name="TOutput">Its return type.</typeparam>
    /// <param name="input">The root job's input (ignored on a restart, which continues the stored workflow).</param>
    /// <param name="cancellationToken">Stops the run: running attempts are killed; the store is kept for a restart.</param>
    /// <returns>The root job's return value.</returns>
    /// <exception cref="FailedJobsException">Jobs failed for good; the exception carries the run's result.</exception>
    /// <exception cref="JobStoreExistsException">The store already holds a workflow and <see cref="LeaderOptions.Restart"/> is off.</exception>
    /// <exception cref="LeaderAlreadyRunningException">Another leader runs on the store.</exception>
    Task<TOutput> RunAsync<TJob, TInput, TOutput>(TInput input, CancellationToken cancellationToken = default)
        where TJob : class, IJob<TInput, TOutput>;

    /// <summary>Runs a workflow from a root job and returns the run's result, failed or not.</summary>
    /// <typeparam name="TJob">The registered root job class.</typeparam>
    /// <typeparam name="TInput">Its input type.</typeparam>
    /// <param name="input">The root job's input (ignored on a restart, which continues the stored workflow).</param>
    /// <param name="cancellationToken">Stops the run: running attempts are killed; the store is kept for a restart.</param>
    /// <returns>The result.</returns>
    /// <exception cref="JobStoreExistsException">The store already holds a workflow and <see cref="LeaderOptions.Restart"/> is off.</exception>
    /// <exception cref="LeaderAlreadyRunningException">Another leader runs on the store.</exception>
    Task<WorkflowResult> RunWorkflowAsync<TJob, TInput>(TInput input, CancellationToken cancellationToken = default)
        where TJob : class;

    /// <summary>
    /// Runs the workflow held in a job store the caller opened (its root job created with <c>CreateRootJobAsync</c>, or
    /// left by a leader that died): cleans it as a restart does, schedules it to the end, and writes the store's
    /// finished marker. The store is neither destroyed nor disposed.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="cancellationToken">Stops the run: running attempts are killed.</param>
    /// <returns>The result.</returns>
    /// <exception cref="InvalidOperationException">The store has no root job.</exception>
    /// <exception cref="LeaderAlreadyRunningException">Another leader runs on the store.</exception>
    Task<WorkflowResult> RunStoreAsync(IJobStore store, CancellationToken cancellationToken = default);
}
