using Toil.Runtime.FileStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

/// <summary>
/// Group commits of a chain (docs/decisions.md#group-commits): while a write of the issued record is in flight, chained
/// jobs leave their commits to the next write, which supersedes them, within <see cref="WorkerOptions.MaxUncommittedJobs"/>;
/// whatever ends the chain, the record ends up saying what it would have said with every commit written.
/// </summary>
[TestFixture]
public sealed class WorkerRunnerGroupCommitTests
{
    private const int MaxUncommitted = 4;

    [Test]
    public async Task RunAsync_WritesSlowerThanJobs_FewerWritesThanJobsAndTheDurableRecordNeverFallsBehindTheBound()
    {
        using var t = NewContext();
        var ids = await ChainAsync(t, 40);
        int behind = 0;
        for (int k = 0; k < ids.Count; k++)
        {
            int index = k;
            t.Invoker.On(ids[k].Name, async inv =>
            {
                // The durable record names the last job a write chained in: every job after it would rerun after a kill.
                var chain = (await t.Store.LoadJobAsync(ids[0].Id)).GetChain();
                int durable = ids.FindIndex(i => i.Id == chain[^1].JobStoreId);
                behind = Math.Max(behind, index - durable);
            });
        }

        var store = SlowStore(t);
        var result = await t.CreateRunner().RunAsync(new WorkerRequest(store, ids[0].Id));

        result.ExitCode.Should().Be(0, result.Error?.ToString());
        result.SubtreeDeleted.Should().BeTrue();
        t.Invoker.Ran.Should().Equal(ids.Select(i => i.Name));
        int writes = store.EventList.Count(e => e.StartsWith($"update:{ids[0].Id}:", StringComparison.Ordinal));
        writes.Should().BeLessThan(ids.Count / 2, "jobs that finish while a write is in flight share the next one");
        writes.Should().BeGreaterThanOrEqualTo(ids.Count / (MaxUncommitted + 1), "one write records at most the bound plus one jobs done");
        behind.Should().BeGreaterThan(2, "some jobs ran more than an asynchronous commit's two jobs past the durable record");
        behind.Should().BeLessThanOrEqualTo(MaxUncommitted + 1, "a kill reruns at most the bound plus two jobs: the durable record's job up to the running one");
        foreach (var (_, id) in ids)
        {
            (await t.Store.JobExistsAsync(id)).Should().BeFalse();
        }
    }

    [Test]
    public async Task RunAsync_CoalescingOff_EveryChainedJobIsWritten()
    {
        using var t = NewContext();
        t.Options.MaxUncommittedJobs = 0;
        var ids = await ChainAsync(t, 12);
        t.Invoker.Succeeds([.. ids.Select(i => i.Name)]);
        var store = SlowStore(t);

        var result = await t.CreateRunner().RunAsync(new WorkerRequest(store, ids[0].Id));

        result.ExitCode.Should().Be(0, result.Error?.ToString());
        store.EventList.Count(e => e.StartsWith($"update:{ids[0].Id}:", StringComparison.Ordinal)).Should().BeGreaterThanOrEqualTo(
            ids.Count - 1, "every write that chains a job is made; the last job's commit is left out for the chain's deletion (docs/decisions.md#no-final-commit)");
        result.SubtreeDeleted.Should().BeTrue();
        foreach (var (_, id) in ids)
        {
            (await t.Store.JobExistsAsync(id)).Should().BeFalse();
        }
    }

    [Test]
    public async Task RunAsync_ChainEndsInAJobWithoutBodyAfterCoalescedCommits_TheRecordIsThatJobWithItsSuccessors()
    {
        using var t = NewContext();
        var ids = await ChainAsync(t, 8);
        t.Invoker.Succeeds([.. ids.Select(i => i.Name)]);
        t.Invoker.Succeeds("C1", "C2");
        string end = await t.AddJobAsync("End", body: false);
        string c1 = await t.AddJobAsync("C1");
        string c2 = await t.AddJobAsync("C2");
        await t.LinkAsync(ids[^1].Id, end);
        await t.LinkAsync(end, c1);
        await t.LinkAsync(end, c2);

        var result = await t.CreateRunner().RunAsync(new WorkerRequest(SlowStore(t), ids[0].Id));

        result.ExitCode.Should().Be(0, result.Error?.ToString());
        t.Invoker.Ran.Should().Equal(ids.Select(i => i.Name));
        var record = await t.Store.LoadJobAsync(ids[0].Id);
        record.HasBody.Should().BeFalse("the chain's last job has no body: nothing of it is left to run");
        record.GetChain()[^1].JobStoreId.Should().Be(end, "the commit left pending when the chain ended was written");
        record.NextSuccessors().Should().BeEquivalentTo([c1, c2]);
    }

    [Test]
    public async Task RunAsync_JobFailsAfterCoalescedCommits_TheRecordIsTheFailedJobAndEarlierRecordsGo()
    {
        using var t = NewContext();
        var ids = await ChainAsync(t, 10);
        t.Invoker.Succeeds([.. ids.Take(9).Select(i => i.Name)]);
        t.Invoker.On(ids[9].Name, _ => throw new InvalidOperationException("the last job fails"));

        var result = await t.CreateRunner().RunAsync(new WorkerRequest(SlowStore(t), ids[0].Id));

        result.Failed.Should().BeTrue();
        t.Invoker.Ran.Should().Equal(ids.Select(i => i.Name));
        var record = await t.Store.LoadJobAsync(ids[0].Id);
        record.GetChain()[^1].JobStoreId.Should().Be(ids[9].Id, "the jobs before the failed one are recorded done, as without coalescing");
        record.HasBody.Should().BeTrue("the failed job runs again on retry");
        foreach (var (_, id) in ids.Skip(1).Take(8))
        {
            (await t.Store.JobExistsAsync(id)).Should().BeFalse($"{id} finished before the failure");
        }

        (await t.Store.JobExistsAsync(ids[9].Id)).Should().BeTrue("the failed job's own record stays while its body is pending");
    }

    [Test]
    public async Task RunAsync_JobDeletesAFileWhileAWriteIsInFlight_ItsCommitIsWrittenWithTheJournal()
    {
        using var t = NewContext();
        var ids = await ChainAsync(t, 6);
        string fileId = await t.Store.WriteFileAsync((s, ct) => s.WriteAsync("x"u8.ToArray(), ct));
        t.Invoker.Succeeds([.. ids.Select(i => i.Name).Where(n => n != ids[3].Name)]);
        t.Invoker.On(ids[3].Name, inv => inv.FileStore.DeleteGlobalFileAsync(fileId));
        var store = SlowStore(t);

        var result = await t.CreateRunner().RunAsync(new WorkerRequest(store, ids[0].Id));

        result.ExitCode.Should().Be(0, result.Error?.ToString());
        store.EventList.Should().Contain($"update:{ids[0].Id}:journal={fileId}", "a commit that deletes files is never left to a later write");
        (await t.Store.FileExistsAsync(fileId)).Should().BeFalse();
    }

    private static WorkerTestContext NewContext()
    {
        var t = new WorkerTestContext { UseNonCachingFileStore = true };
        t.Options.AsynchronousCommits = true;
        t.Options.MaxUncommittedJobs = MaxUncommitted;
        t.Options.MaxUncommittedTime = TimeSpan.FromMinutes(1);
        return t;
    }

    // Any store but the in-memory one gets background commits; each job update waits a little, like a slow disk.
    private static Toil.Runtime.Tests.FileStores.RecordingJobStore SlowStore(WorkerTestContext t) =>
        new(t.Store) { BeforeUpdate = (_, ct) => Task.Delay(20, ct) };

    private static async Task<List<(string Name, string Id)>> ChainAsync(WorkerTestContext t, int length)
    {
        var ids = new List<(string Name, string Id)>();
        for (int i = 0; i < length; i++)
        {
            ids.Add(($"J{i}", await t.AddJobAsync($"J{i}")));
            if (i > 0)
            {
                await t.LinkAsync(ids[i - 1].Id, ids[i].Id);
            }
        }

        return ids;
    }
}
