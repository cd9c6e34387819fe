using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Leader.Progress;
using Toil.Runtime.Leader.Workflows;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Reliability.Host;

/// <summary>
/// The leader holding many pending jobs (docs/reliability.md, "Load"): a root adds <c>count</c> leaves in one commit to an
/// in-memory store; the leader issues them all to an in-process batch system with <c>slots</c> one-core slots, so nearly
/// all wait in its queue while the leaves finish one slot at a time. Sampled every <c>interval</c> for <c>hold</c>: the
/// attempts issued and not ended, the leaves finished, the managed heap (after a full collection) and the resident set.
/// Then the run is cancelled and the store alone is measured, which splits the growth into the store's records and the
/// leader with its batch system's queue.
/// </summary>
public static class PendingRun
{
    /// <summary>One sample.</summary>
    /// <param name="Seconds">Since the workflow started.</param>
    /// <param name="Issued">Attempts issued and not ended (queued or running in the batch system).</param>
    /// <param name="Completed">Leaves finished.</param>
    /// <param name="HeapBytes">The managed heap after a full collection.</param>
    /// <param name="RssBytes">The process's resident set.</param>
    public sealed record Sample(double Seconds, int Issued, long Completed, long HeapBytes, long RssBytes);

    /// <summary>What a run measured.</summary>
    /// <param name="Count">Leaves.</param>
    /// <param name="BaselineHeap">Heap before the workflow.</param>
    /// <param name="BaselineRss">Resident set before the workflow.</param>
    /// <param name="Samples">Every sample.</param>
    /// <param name="StoreOnlyHeapGrowth">Heap growth over the baseline once the run was cancelled and only the store (with <paramref name="RecordsLeft"/> records) was alive.</param>
    /// <param name="RecordsLeft">Leaf records in the store at that point.</param>
    public sealed record Outcome(int Count, long BaselineHeap, long BaselineRss, IReadOnlyList<Sample> Samples, long StoreOnlyHeapGrowth, long RecordsLeft)
    {
        /// <summary>Gets the first sample where every leaf was issued (issued + finished = count), or null.</summary>
        public Sample? Holding => Samples.FirstOrDefault(s => s.Issued + s.Completed >= Count);

        /// <summary>Gets the store's heap per record (from the measurement after cancelling).</summary>
        public double StoreBytesPerRecord => RecordsLeft == 0 ? 0 : (double)StoreOnlyHeapGrowth / RecordsLeft;

        /// <summary>Gets the heap growth of the leader and its batch system's queue at <see cref="Holding"/>: the whole growth minus the store's records.</summary>
        public double LeaderBytesAtHolding => Holding is { } h ? h.HeapBytes - BaselineHeap - (StoreBytesPerRecord * (Count - h.Completed)) : double.NaN;

        /// <summary>Gets <see cref="LeaderBytesAtHolding"/> per pending job.</summary>
        public double LeaderBytesPerPendingJob => Holding is { } h ? LeaderBytesAtHolding / (Count - h.Completed) : double.NaN;

        /// <summary>Gets the leaves finished in each interval after <see cref="Holding"/>.</summary>
        public IReadOnlyList<long> CompletionsPerIntervalAfterHolding
        {
            get
            {
                var after = Samples.SkipWhile(s => s != Holding).ToList();
                return [.. after.Zip(after.Skip(1), (a, b) => b.Completed - a.Completed)];
            }
        }

        /// <inheritdoc />
        public override string ToString()
        {
            var text = new StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"pending {Count}: baseline heap {Mib(BaselineHeap)} MiB, RSS {Mib(BaselineRss)} MiB");
            foreach (var s in Samples)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {s.Seconds,6:F1} s  issued {s.Issued,7}  finished {s.Completed,7}  heap {Mib(s.HeapBytes),7} MiB  RSS {Mib(s.RssBytes),7} MiB");
            }

            var rates = CompletionsPerIntervalAfterHolding;
            text.AppendLine(CultureInfo.InvariantCulture, $"holding all from {Holding?.Seconds:F1} s; finished per interval after: min {(rates.Count > 0 ? rates.Min() : 0)}, max {(rates.Count > 0 ? rates.Max() : 0)}, intervals {rates.Count}");
            text.AppendLine(CultureInfo.InvariantCulture, $"peak heap {Mib(Samples.Max(s => s.HeapBytes))} MiB, peak RSS {Mib(Samples.Max(s => s.RssBytes))} MiB");
            text.AppendLine(CultureInfo.InvariantCulture, $"store alone: {Mib(StoreOnlyHeapGrowth)} MiB for {RecordsLeft} records = {StoreBytesPerRecord:F0} bytes/record");
            text.Append(CultureInfo.InvariantCulture, $"leader + queue at holding: {LeaderBytesAtHolding / 1048576.0:F1} MiB = {LeaderBytesPerPendingJob:F0} bytes per pending job");
            return text.ToString();
        }

        private static string Mib(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Runs it: <paramref name="count"/> leaves of <paramref name="milliseconds"/> each, <paramref name="slots"/> at a time,
    /// sampled for <paramref name="hold"/>, or until <paramref name="stopAfterHolding"/> samples after every leaf was issued.
    /// </summary>
    public static async Task<Outcome> RunAsync(int count, int milliseconds, int slots, TimeSpan hold, TimeSpan interval, TextWriter? progress = null, CancellationToken cancellationToken = default, int stopAfterHolding = int.MaxValue)
    {
        string work = Directory.CreateTempSubdirectory("toil-pending-").FullName;
        try
        {
            PendingJobs.Reset();
            var observer = new LatestCounts();
            var store = new InMemoryJobStore(new WorkflowConfig { RetryCount = 0 });
            long baselineHeap;
            long baselineRss;
            var samples = new List<Sample>();
            await using (var provider = PendingJobs.Register(new ServiceCollection().AddLogging())
                .AddToilLeader(o => o.Clean = CleanPolicy.Never)
                .AddSingleton<IWorkflowObserver>(observer)
                .ConfigureInProcessBatchSystem(o => { o.MaxCores = slots; o.MaxMemory = 1L << 40; o.MaxDisk = 1L << 40; })
                .Configure<WorkerOptions>(o => { o.WorkDir = work; o.CoordinationDir = work; })
                .BuildServiceProvider())
            {
                var registry = new JobTypeRegistry(PendingRootJob.Registration, PendingLeafJob.Registration);
                await store.CreateRootJobAsync<PendingRootJob, PendingInput>(registry, new(count, milliseconds), cancellationToken: cancellationToken);
                var runner = provider.GetRequiredService<IWorkflowRunner>();
                (baselineHeap, baselineRss) = Measure();
                progress?.WriteLine(FormattableString.Invariant($"baseline heap {baselineHeap / 1048576.0:F1} MiB, RSS {baselineRss / 1048576.0:F1} MiB"));
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var clock = Stopwatch.StartNew();
                var run = runner.RunStoreAsync(store, stop.Token);
                int afterHolding = 0;
                while (clock.Elapsed < hold && !run.IsCompleted && afterHolding <= stopAfterHolding)
                {
                    await Task.WhenAny(run, Task.Delay(interval, cancellationToken));
                    var (heap, rss) = Measure();
                    var sample = new Sample(clock.Elapsed.TotalSeconds, observer.Issued, PendingJobs.Completed, heap, rss);
                    samples.Add(sample);
                    afterHolding += afterHolding > 0 || sample.Issued + sample.Completed >= count ? 1 : 0;
                    progress?.WriteLine(FormattableString.Invariant($"  {sample.Seconds,6:F1} s  issued {sample.Issued,7}  finished {sample.Completed,7}  heap {heap / 1048576.0,7:F1} MiB  RSS {rss / 1048576.0,7:F1} MiB"));
                }

                await stop.CancelAsync();
                try
                {
                    await run.WaitAsync(TimeSpan.FromMinutes(5), cancellationToken);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Expected: the run is stopped once it has been sampled.
                }
            }

            // The leader and its batch system are gone; the store still holds the leaves that did not finish.
            long left = count - PendingJobs.Completed;
            var (storeHeap, _) = Measure();
            GC.KeepAlive(store);
            return new Outcome(count, baselineHeap, baselineRss, samples, storeHeap - baselineHeap, left);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static (long Heap, long Rss) Measure()
    {
        long heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return (heap, process.WorkingSet64);
    }

    /// <summary>Keeps the latest counts the leader published.</summary>
    private sealed class LatestCounts : IWorkflowObserver
    {
        private int _issued;

        public int Issued => Volatile.Read(ref _issued);

        public void OnProgress(in WorkflowProgress progress) => Volatile.Write(ref _issued, progress.Counts.Issued);

        public void OnCompleted(WorkflowResult result)
        {
        }
    }
}
