using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Testing.Stores;

namespace Toil.Runtime.TestHost;

/// <summary>
/// A job store whose job updates each wait a fixed delay first (a slow disk): a chain's writes stay in flight while the
/// next jobs run, so a worker's group commits (docs/decisions.md#group-commits) coalesce several jobs per write.
/// </summary>
/// <param name="inner">The store that does the work (and is disposed with this one).</param>
/// <param name="delay">The wait before each job update.</param>
public sealed class SlowUpdateJobStore(IJobStore inner, TimeSpan delay) : ForwardingJobStore(inner)
{
    /// <summary>Waits the delay, then updates the job in the inner store.</summary>
    /// <param name="job">The job.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the update is durable.</returns>
    public override async ValueTask UpdateJobAsync(JobDescription job, CancellationToken cancellationToken = default)
    {
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        await Inner.UpdateJobAsync(job, cancellationToken).ConfigureAwait(false);
    }
}
