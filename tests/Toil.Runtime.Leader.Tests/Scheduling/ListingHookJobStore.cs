using System.Runtime.CompilerServices;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Testing.Stores;

namespace Toil.Runtime.Leader.Tests.Scheduling;

/// <summary>
/// A job store that runs a hook once, right after its first listing of the jobs: another writer (an orphaned worker of a
/// killed leader) committing between a restart clean-up's listing and its walk.
/// </summary>
/// <param name="inner">The store that does the work (and is disposed with this one).</param>
/// <param name="afterListing">What the other writer does.</param>
internal sealed class ListingHookJobStore(IJobStore inner, Func<ValueTask> afterListing) : ForwardingJobStore(inner)
{
    private Func<ValueTask>? _afterListing = afterListing;

    /// <summary>Lists the inner store's jobs, then runs the hook once (before the enumeration ends).</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The jobs.</returns>
    public override async IAsyncEnumerable<JobDescription> ListJobsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var job in Inner.ListJobsAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return job;
        }

        if (Interlocked.Exchange(ref _afterListing, null) is { } hook)
        {
            await hook().ConfigureAwait(false);
        }
    }
}
