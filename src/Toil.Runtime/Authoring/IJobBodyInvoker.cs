namespace Toil.Runtime.Authoring;

/// <summary>
/// Runs a job's body for the worker: the part of Toil's <c>_runner</c> that touches user code. It resolves the
/// registered job type named by <see cref="Jobs.JobBody.TypeName"/>, reads the body's JSON input, runs the job with a
/// <see cref="JobContext"/>, saves the job graph the body built (validated, IDs assigned, bodies saved, every new job
/// created in one batch, the running job's successor phases updated in memory), fulfils the job's promises with its
/// return value, and detaches the body from <see cref="JobInvocation.Job"/>. It never writes the running job's own
/// record: the worker's commit does that.
/// </summary>
/// <remarks>
/// Exceptions from user code propagate unchanged; <see cref="JobExitException"/> asks the worker for a specific exit
/// code. An unregistered type name fails with <see cref="UnknownJobTypeException"/> before any user code runs.
/// </remarks>
public interface IJobBodyInvoker
{
    /// <summary>Runs the body of <paramref name="invocation"/>'s job.</summary>
    /// <param name="invocation">The job and what it runs with.</param>
    /// <param name="cancellationToken">Cancels the body (passed to user code).</param>
    /// <returns>What the worker needs to finish the job's commit.</returns>
    ValueTask<JobBodyOutcome> InvokeAsync(JobInvocation invocation, CancellationToken cancellationToken = default);
}
