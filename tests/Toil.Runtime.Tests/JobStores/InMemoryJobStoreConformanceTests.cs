using Toil.Runtime.JobStores;
using Toil.Runtime.Testing;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>Runs the job-store conformance suite against <see cref="InMemoryJobStore"/>.</summary>
public sealed class InMemoryJobStoreConformanceTests : JobStoreConformanceTests
{
    protected override ValueTask<IJobStore> CreateStoreAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IJobStore>(new InMemoryJobStore());

    // The in-memory store has no storage beyond the instance: the "second instance" is the instance itself.
    protected override ValueTask<IJobStore> OpenSecondInstanceAsync(IJobStore first, CancellationToken cancellationToken) =>
        ValueTask.FromResult(first);

    protected override ValueTask OverwriteJobRecordAsync(IJobStore store, string jobId, ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        ((InMemoryJobStore)store).OverwriteRecord(jobId, record.ToArray());
        return ValueTask.CompletedTask;
    }
}
