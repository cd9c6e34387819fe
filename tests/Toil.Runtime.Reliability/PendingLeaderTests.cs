using Toil.Runtime.Reliability.Host;

namespace Toil.Runtime.Reliability;

/// <summary>
/// The CI version of the leader holding many pending jobs (docs/reliability.md, "Load"): 20,000 leaves of one root's
/// commit behind one slot. What a user relies on: every leaf is issued, leaves keep finishing while the rest wait, and
/// the memory per pending job stays bounded (a ratio, not a time). The 100,000-job run is
/// <c>dotnet run -c Release --project tests/Toil.Runtime.Reliability.Host -- pending 100000 120</c>.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class PendingLeaderTests
{
    /// <summary>
    /// Heap per pending job, leader + batch-system queue + in-memory store record: the 100,000-job run measured about
    /// 2,500 bytes (docs/reliability.md, "Load"); 4 KiB leaves room for run-to-run spread, not for a per-job leak.
    /// </summary>
    private const double MaxHeapBytesPerPendingJob = 4096;

    [Test]
    [CancelAfter(5 * 60 * 1000)]
    public async Task RunStoreAsync_TwentyThousandPendingBehindOneSlot_AllIssuedKeepFinishingBoundedMemory(CancellationToken cancellationToken)
    {
        var outcome = await PendingRun.RunAsync(20_000, milliseconds: 2, slots: 1, hold: TimeSpan.FromSeconds(60), interval: TimeSpan.FromSeconds(1), cancellationToken: cancellationToken, stopAfterHolding: 5);

        TestContext.Out.WriteLine(outcome);
        var holding = outcome.Holding;
        holding.Should().NotBeNull("the leader issued every pending job");
        outcome.CompletionsPerIntervalAfterHolding.Should().HaveCountGreaterThanOrEqualTo(5)
            .And.OnlyContain(n => n > 0, "jobs keep finishing while the rest wait in the queue");
        double perPending = (double)(holding!.HeapBytes - outcome.BaselineHeap) / (outcome.Count - holding.Completed);
        perPending.Should().BeLessThan(MaxHeapBytesPerPendingJob, "the heap grows by a bounded amount per pending job");
    }
}
