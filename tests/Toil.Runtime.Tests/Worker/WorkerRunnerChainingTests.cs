using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

/// <summary>Chaining through the runner (docs/worker-algorithm.md §3 and "Chaining commits"), with Toil's chaining checks.</summary>
[TestFixture]
public sealed class WorkerRunnerChainingTests
{
    [Test]
    public async Task RunAsync_ChainOfThreeLeaf_RunsAllInOneWorkerAndDeletesEveryRecord()
    {
        using var t = new WorkerTestContext();
        t.Options.LogLevel = Microsoft.Extensions.Logging.LogLevel.Debug;
        t.Invoker.Succeeds("A", "B", "C");
        string a = await t.AddJobAsync("A");
        string b = await t.AddJobAsync("B");
        string c = await t.AddJobAsync("C");
        await t.LinkAsync(a, b);
        await t.LinkAsync(b, c);
        var bBody = (await t.Store.LoadJobAsync(b)).Body!.FileId!;

        var result = await t.RunAsync(a);

        result.ExitCode.Should().Be(0);
        result.Failed.Should().BeFalse();
        result.SubtreeDeleted.Should().BeTrue();
        result.JobsRun.Select(n => n.JobName).Should().Equal("A", "B", "C");
        result.JobsRun.Select(n => n.JobStoreId).Should().Equal(a, b, c);
        t.Invoker.Ran.Should().Equal("A", "B", "C");
        foreach (var id in new[] { a, b, c })
        {
            (await t.Store.JobExistsAsync(id)).Should().BeFalse($"record {id} is part of the finished chain");
        }

        (await t.Store.FileExistsAsync(bBody)).Should().BeFalse("a chained-in job's body file goes with its record");
        var stats = (await t.ReadStatsAsync()).Should().ContainSingle().Subject;
        stats.Workers.JobsRun.Should().Be(3);
        stats.Jobs.Select(j => j.ClassName).Should().Equal("A", "B", "C");
        stats.Jobs.Should().OnlyContain(j => j.Succeeded == "True");
        stats.Logs!.Names.Should().Equal("A", "B", "C");
    }

    [Test]
    public async Task RunAsync_Static2Shape_RunsABCDInOrderInOneWorker()
    {
        // A has child B and follow-on C; C has child D : one worker runs A, B, C, D.
        using var t = new WorkerTestContext();
        t.Invoker.Succeeds("A", "B", "D");
        string d = await t.AddJobAsync("D");
        t.Invoker.On("C", async inv =>
        {
            // C creates its child at run time, as user code would.
            var child = await inv.JobStore.LoadJobAsync(d);
            inv.Job.AddChild(child.JobStoreId);
        });
        string a = await t.AddJobAsync("A");
        string b = await t.AddJobAsync("B");
        string c = await t.AddJobAsync("C");
        await t.LinkAsync(a, b);
        await t.LinkAsync(a, c, followOn: true);

        var result = await t.RunAsync(a);

        result.ExitCode.Should().Be(0);
        t.Invoker.Ran.Should().Equal("A", "B", "C", "D");
        result.SubtreeDeleted.Should().BeTrue();
        await foreach (var job in t.Store.ListJobsAsync())
        {
            Assert.Fail($"job {job} was left behind");
        }
    }

    [Test]
    public async Task RunAsync_ChainOfFour_RecordUnderIssuedIdListsOnlyChainedInRecordsThatStillExist()
    {
        using var t = new WorkerTestContext();
        t.Options.ChainedRecordDeleteBatch = 1;
        t.Invoker.Succeeds("A", "B", "C");
        string a = await t.AddJobAsync("A");
        string b = await t.AddJobAsync("B");
        string c = await t.AddJobAsync("C");
        string d = await t.AddJobAsync("D");
        await t.LinkAsync(a, b);
        await t.LinkAsync(b, c);
        await t.LinkAsync(c, d);
        IReadOnlyList<string>? persistedDuringD = null;
        bool bExistsDuringD = true, cExistsDuringD = true;
        t.Invoker.On("D", async inv =>
        {
            persistedDuringD = [.. (await t.Store.LoadJobAsync(a)).GetChain().Select(n => n.JobStoreId)];
            bExistsDuringD = await t.Store.JobExistsAsync(b);
            cExistsDuringD = await t.Store.JobExistsAsync(c);
        });

        var result = await t.RunAsync(a);

        result.ExitCode.Should().Be(0);
        result.JobsRun.Select(n => n.JobStoreId).Should().Equal(a, b, c, d);
        persistedDuringD.Should().Equal([a, c, d], "B's record was deleted when D chained, since the write that chained C recorded B done");
        bExistsDuringD.Should().BeFalse();
        cExistsDuringD.Should().BeTrue("C's record goes at the next chaining step, once a write recording C done is durable");
        foreach (var id in new[] { a, b, c, d })
        {
            (await t.Store.JobExistsAsync(id)).Should().BeFalse($"record {id} is part of the finished chain");
        }
    }

    [Test]
    public async Task RunAsync_LongChainDefaultBatch_DeletesChainedInRecordsEightAtATimeSoTheRecordStaysBounded()
    {
        using var t = new WorkerTestContext();
        var ids = await ChainAsync(t, 20);
        var persisted = new List<int>();
        bool firstBatchGoneDuringJ10 = false;
        foreach (var (name, _) in ids)
        {
            t.Invoker.On(name, async inv =>
            {
                persisted.Add((await t.Store.LoadJobAsync(ids[0].Id)).GetChain().Count);
                if (name == "J10")
                {
                    firstBatchGoneDuringJ10 = true;
                    for (int i = 1; i <= 8; i++)
                    {
                        firstBatchGoneDuringJ10 &= !await t.Store.JobExistsAsync(ids[i].Id);
                    }
                }
            });
        }

        var result = await t.RunAsync(ids[0].Id);

        result.ExitCode.Should().Be(0, result.Error?.ToString());
        t.Invoker.Ran.Should().Equal(ids.Select(i => i.Name));
        t.Options.ChainedRecordDeleteBatch.Should().Be(8, "the default");
        persisted.Max().Should().Be(10, "the owner, eight chained-in records waiting for their batch, and the running job");
        firstBatchGoneDuringJ10.Should().BeTrue("J1..J8 were deleted in one batch when J10 chained");
        foreach (var (_, id) in ids)
        {
            (await t.Store.JobExistsAsync(id)).Should().BeFalse();
        }
    }

    [Test]
    public async Task RunAsync_AsynchronousCommitsOnANonCachingFileStore_RunsTheChainInOrderDeletesEverythingAndKeepsTheRecordBounded()
    {
        using var t = new WorkerTestContext { UseNonCachingFileStore = true };
        t.Options.AsynchronousCommits = true;

        // Every commit written: with group commits the record may list up to MaxUncommittedJobs more (WorkerRunnerGroupCommitTests).
        t.Options.MaxUncommittedJobs = 0;
        var ids = await ChainAsync(t, 40);
        var persisted = new List<int>();
        foreach (var (name, _) in ids)
        {
            t.Invoker.On(name, async inv => persisted.Add((await t.Store.LoadJobAsync(ids[0].Id)).GetChain().Count));
        }

        // Any store but the in-memory one gets background commits and deletions.
        var store = new Toil.Runtime.Tests.FileStores.RecordingJobStore(t.Store);
        var result = await t.CreateRunner().RunAsync(new WorkerRequest(store, ids[0].Id));

        result.ExitCode.Should().Be(0, result.Error?.ToString());
        result.SubtreeDeleted.Should().BeTrue();
        t.Invoker.Ran.Should().Equal(ids.Select(i => i.Name));
        persisted.Max().Should().BeLessThanOrEqualTo((2 * 8) + 2, "the owner, one batch in flight, the next accumulating, and the running job");
        store.EventList.Should().Contain(e => e.StartsWith("delete-job:", StringComparison.Ordinal));
        foreach (var (_, id) in ids)
        {
            (await t.Store.JobExistsAsync(id)).Should().BeFalse();
        }
    }

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

    [Test]
    public async Task RunAsync_MidChainDeleteFails_ChainSucceedsAndTheRecordIsDeletedAtTheEnd()
    {
        using var t = new WorkerTestContext();
        t.Options.ChainedRecordDeleteBatch = 1;
        t.Invoker.Succeeds("A", "B", "C", "D");
        string a = await t.AddJobAsync("A");
        string b = await t.AddJobAsync("B");
        string c = await t.AddJobAsync("C");
        string d = await t.AddJobAsync("D");
        await t.LinkAsync(a, b);
        await t.LinkAsync(b, c);
        await t.LinkAsync(c, d);
        var store = new Toil.Runtime.Tests.FileStores.RecordingJobStore(t.Store);
        int failures = 0;
        store.BeforeDeleteJob = id => id == b && failures++ == 0 ? throw new IOException("disk hiccup") : Task.CompletedTask;
        IReadOnlyList<string>? persistedDuringD = null;
        t.Invoker.On("D", async inv => persistedDuringD = [.. (await t.Store.LoadJobAsync(a)).GetChain().Select(n => n.JobStoreId)]);

        var result = await t.CreateRunner().RunAsync(new WorkerRequest(store, a));

        result.ExitCode.Should().Be(0, "a failed delete of a chained-in record must not fail the attempt");
        failures.Should().Be(2, "the mid-chain delete failed once and the final delete retried it");
        persistedDuringD.Should().Equal([a, b, c, d], "a record that could not be deleted stays listed, so it cannot leak");
        foreach (var id in new[] { a, b, c, d })
        {
            (await t.Store.JobExistsAsync(id)).Should().BeFalse($"record {id} is part of the finished chain");
        }
    }

    [Test]
    public async Task RunAsync_LastChainedJobAddsSuccessors_KeepsOwnerRecordAndDeletesChainedInRecords()
    {
        using var t = new WorkerTestContext();
        t.Invoker.Succeeds("A", "X", "Y");
        string x = await t.AddJobAsync("X");
        string y = await t.AddJobAsync("Y");
        t.Invoker.On("B", inv =>
        {
            inv.Job.AddChild(x);
            inv.Job.AddChild(y);
            return ValueTask.CompletedTask;
        });
        string a = await t.AddJobAsync("A");
        string b = await t.AddJobAsync("B");
        await t.LinkAsync(a, b);

        var result = await t.RunAsync(a);

        result.ExitCode.Should().Be(0);
        result.SubtreeDeleted.Should().BeFalse();
        var owner = await t.Store.LoadJobAsync(a);
        owner.JobName.Should().Be("B", "the issued ID now describes the chained job");
        owner.HasBody.Should().BeFalse();
        owner.NextSuccessors().Should().BeEquivalentTo([x, y]);
        owner.GetChain().Select(n => n.JobStoreId).Should().Equal(a, b);
        (await t.Store.JobExistsAsync(b)).Should().BeFalse("a chained-in record whose body ran is deleted (docs/decisions.md#chaining)");
    }

    [Test]
    public async Task RunAsync_DisableChaining_RunsOnlyTheIssuedJob()
    {
        using var t = new WorkerTestContext();
        t.Options.DisableChaining = true;
        t.Invoker.Succeeds("A", "B");
        string a = await t.AddJobAsync("A");
        string b = await t.AddJobAsync("B");
        await t.LinkAsync(a, b);

        var result = await t.RunAsync(a);

        result.JobsRun.Should().ContainSingle();
        var record = await t.Store.LoadJobAsync(a);
        record.JobName.Should().Be("A");
        record.HasBody.Should().BeFalse();
        (await t.Store.LoadJobAsync(b)).HasBody.Should().BeTrue();
    }

    [Test]
    public async Task RunAsync_TwoChildren_DoesNotChain()
    {
        using var t = new WorkerTestContext();
        t.Invoker.Succeeds("A", "B", "C");
        string a = await t.AddJobAsync("A");
        await t.LinkAsync(a, await t.AddJobAsync("B"));
        await t.LinkAsync(a, await t.AddJobAsync("C"));

        var result = await t.RunAsync(a);

        t.Invoker.Ran.Should().Equal("A");
        result.SubtreeDeleted.Should().BeFalse();
        (await t.Store.LoadJobAsync(a)).NextSuccessors().Should().HaveCount(2);
    }

    [Test]
    [Repeat(5)]
    public async Task RunAsync_AsynchronousCommitsWithRandomDelays_CommitsStrictlyInChainOrder()
    {
        using var t = new WorkerTestContext();
        t.FileStores.Asynchronous = true;
        string[] names = ["J0", "J1", "J2", "J3", "J4", "J5"];
        t.Invoker.Succeeds(names);
        var ids = new List<string>();
        foreach (var n in names)
        {
            ids.Add(await t.AddJobAsync(n));
        }

        for (int i = 0; i + 1 < ids.Count; i++)
        {
            await t.LinkAsync(ids[i], ids[i + 1]);
        }

        var result = await t.RunAsync(ids[0]);

        result.ExitCode.Should().Be(0);
        var commits = t.FileStores.Commits.ToList();
        commits.Should().OnlyContain(c => c.JobStoreId == ids[0], "every commit of a chain writes the issued ID");

        // One write per job: each job's completion is folded into the write of its successor (body attached) under the
        // issued ID; only the last job is written with its body detached.
        var expected = new List<(string, bool)>();
        for (int i = 1; i < names.Length; i++)
        {
            expected.Add((names[i], true));
        }

        expected.Add((names[^1], false));
        commits.Select(c => (c.JobName, c.HasBody)).Should().Equal(expected);
        t.FileStores.ChainedCommits.Should().Be(names.Length - 1);
        commits.Select(c => c.Version).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
    }

    [Test]
    public async Task RunAsync_ChainedJobFails_RecordUnderIssuedIdDescribesItWithBodyAndLog()
    {
        using var t = new WorkerTestContext();
        t.Invoker.Succeeds("A");
        t.Invoker.On("B", inv =>
        {
            inv.Logger.LogBFailing();
            throw new InvalidOperationException("B broke");
        });
        string a = await t.AddJobAsync("A");
        string b = await t.AddJobAsync("B");
        await t.LinkAsync(a, b);
        int tries = (await t.Store.LoadJobAsync(b)).RemainingTryCount;

        var result = await t.RunAsync(a);

        result.ExitCode.Should().Be(1);
        result.Failed.Should().BeTrue();
        result.Error.Should().BeOfType<InvalidOperationException>();
        var record = await t.Store.LoadJobAsync(a);
        record.JobName.Should().Be("B");
        record.HasBody.Should().BeTrue();
        record.RemainingTryCount.Should().Be(tries, "the leader charges the retry, not the worker");
        record.LogJobStoreFileId.Should().NotBeNull().And.Be(result.LogFileId);
        var log = System.Text.Encoding.UTF8.GetString(await t.Store.ReadAllBytesAsync(record.LogJobStoreFileId!));
        log.Should().Contain("B is about to fail").And.Contain("B broke");
        (await t.Store.JobExistsAsync(b)).Should().BeTrue("B's body file is stored under its own record");
        var stats = (await t.ReadStatsAsync()).Should().ContainSingle().Subject;
        stats.Jobs.Select(j => j.Succeeded).Should().Equal("True", "False");
        stats.Logs.Should().BeNull("a failed attempt's lines travel only through the log file");
        stats.Workers.JobsRun.Should().BeNull("the chain did not finish");
    }
}

internal static partial class WorkerTestLog
{
    [Microsoft.Extensions.Logging.LoggerMessage(1, Microsoft.Extensions.Logging.LogLevel.Warning, "B is about to fail")]
    public static partial void LogBFailing(this Microsoft.Extensions.Logging.ILogger logger);
}
