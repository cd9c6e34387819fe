using System.Text;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Tests.FileStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

/// <summary>
/// The last job of a finished chain leaves its commit out and the run deletes the chain's records
/// (docs/decisions.md#no-final-commit): the issued record goes first and alone; a kill or failure before that leaves the
/// last durable write, so the job reruns and nothing it needs is lost; a failed deletion writes the commit instead; a job
/// whose commit deletes files still commits.
/// </summary>
[TestFixture]
public sealed class WorkerRunnerFinalCommitTests
{
    [TestCase(false)]
    [TestCase(true)]
    public async Task RunAsync_FinishedChain_NoWriteOfTheFinishedRecordAndTheIssuedRecordGoesFirstAlone(bool asynchronousCommits)
    {
        using var t = NewContext(asynchronousCommits);
        var (a, b, _) = await ChainWithInputAsync(t);
        var store = new RecordingJobStore(t.Store);

        var result = await t.CreateRunner().RunAsync(new WorkerRequest(store, a));

        result.ExitCode.Should().Be(0, result.Error?.ToString());
        result.SubtreeDeleted.Should().BeTrue();
        t.Invoker.Ran.Should().Equal("A", "B");
        var events = store.EventList;
        events.Where(e => e.StartsWith("update:", StringComparison.Ordinal)).Should().ContainSingle(
            "the write that chains B is the only one: the finished record is deleted, not written first");
        events.Where(e => e.StartsWith("delete-job:", StringComparison.Ordinal)).Should().Equal(
            ["delete-job:" + a, "delete-job:" + b], "the issued record goes first, then the chained-in one");
        (await t.Store.JobExistsAsync(a)).Should().BeFalse();
        (await t.Store.JobExistsAsync(b)).Should().BeFalse();
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task RunAsync_KilledBetweenTheLastBodyAndTheDeletion_TheJobRerunsAndNothingIsLost(bool asynchronousCommits)
    {
        using var t = NewContext(asynchronousCommits);
        var (a, b, input) = await ChainWithInputAsync(t);

        // The kill: from the first deletion on, the store takes nothing more (a dead worker writes nothing).
        var store = new RecordingJobStore(t.Store);
        bool killed = false;
        store.BeforeDeleteJob = _ =>
        {
            killed = true;
            throw new IOException("the worker was killed");
        };
        store.BeforeUpdate = (_, _) => killed ? throw new IOException("the worker was killed") : Task.CompletedTask;

        var first = await t.CreateRunner().RunAsync(new WorkerRequest(store, a));

        first.SubtreeDeleted.Should().BeFalse();
        killed.Should().BeTrue("the run reached the deletion");
        t.Invoker.Ran.Should().Equal("A", "B");

        // What the leader finds: the last durable write, which chained B in with its body attached, B's own record with
        // its body file, and the input B read.
        var record = await t.Store.LoadJobAsync(a);
        record.HasBody.Should().BeTrue("the record still says B is to run: the leader retries it");
        record.GetChain()[^1].JobStoreId.Should().Be(b);
        (await t.Store.JobExistsAsync(b)).Should().BeTrue();
        (await t.Store.FileExistsAsync(record.Body!.FileId!)).Should().BeTrue("the body of the job to rerun is kept");
        (await t.Store.FileExistsAsync(input)).Should().BeTrue();

        // The leader's retry: B runs again and finishes the chain.
        var retry = await t.RunAsync(a);

        retry.ExitCode.Should().Be(0, retry.Error?.ToString());
        retry.SubtreeDeleted.Should().BeTrue();
        t.Invoker.Ran.Should().Equal("A", "B", "B");
        (await t.Store.JobExistsAsync(a)).Should().BeFalse();
        (await t.Store.JobExistsAsync(b)).Should().BeFalse();
    }

    [Test]
    public async Task RunAsync_FailsBetweenTheLastBodyAndTheDeletion_TheRecordIsTheLastDurableWriteAndTheJobReruns()
    {
        // The write that chains B runs in the background while B runs and leaves its commit out; that write then fails,
        // which the run sees only after B's body, at its wait for the whole commit chain.
        using var t = NewContext(asynchronousCommits: true);
        t.Options.MaxUncommittedJobs = 4;
        t.Options.MaxUncommittedTime = TimeSpan.FromMinutes(1);
        var (a, b, input) = await ChainWithInputAsync(t);
        var store = new RecordingJobStore(t.Store)
        {
            BeforeUpdate = async (_, ct) =>
            {
                await Task.Delay(50, ct);
                throw new IOException("the write that chains B failed");
            },
        };

        var first = await t.CreateRunner().RunAsync(new WorkerRequest(store, a));

        first.Failed.Should().BeTrue();
        first.SubtreeDeleted.Should().BeFalse();
        t.Invoker.Ran.Should().Equal("A", "B");
        store.EventList.Should().NotContain(e => e.StartsWith("delete-job:", StringComparison.Ordinal), "a failed run deletes no finished record");
        var record = await t.Store.LoadJobAsync(a);
        record.HasBody.Should().BeTrue("the record is the last durable write: the issue of A");
        record.GetChain().Should().ContainSingle().Which.JobStoreId.Should().Be(a);
        (await t.Store.JobExistsAsync(b)).Should().BeTrue();
        (await t.Store.FileExistsAsync(input)).Should().BeTrue();

        var retry = await t.RunAsync(a);

        retry.ExitCode.Should().Be(0, retry.Error?.ToString());
        t.Invoker.Ran.Should().Equal("A", "B", "A", "B");
        (await t.Store.JobExistsAsync(a)).Should().BeFalse();
        (await t.Store.JobExistsAsync(b)).Should().BeFalse();
    }

    [Test]
    public async Task RunAsync_DeletionOfTheIssuedRecordFails_TheLeftOutCommitIsWrittenInstead()
    {
        using var t = NewContext(asynchronousCommits: false);
        var (a, _, _) = await ChainWithInputAsync(t);
        var store = new RecordingJobStore(t.Store) { BeforeDeleteJob = _ => throw new IOException("the disk refused") };

        var result = await t.CreateRunner().RunAsync(new WorkerRequest(store, a));

        result.ExitCode.Should().Be(0, "a failed deletion does not fail the attempt");
        result.SubtreeDeleted.Should().BeFalse();
        var record = await t.Store.LoadJobAsync(a);
        record.HasBody.Should().BeFalse("the record says the job ran, so the leader takes it for done instead of retrying it");
        record.IsSubtreeDone().Should().BeTrue();
    }

    [Test]
    public async Task RunAsync_LastJobDeletesAFile_ItsCommitAndJournalAreWrittenBeforeTheFileGoes()
    {
        using var t = NewContext(asynchronousCommits: false);
        string shared = await t.Store.WriteFileAsync((s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes("x"), ct));
        t.Invoker.On("A", async inv => await inv.FileStore.DeleteGlobalFileAsync(shared));
        string a = await t.AddJobAsync("A");
        var store = new RecordingJobStore(t.Store);

        var result = await t.CreateRunner().RunAsync(new WorkerRequest(store, a));

        result.ExitCode.Should().Be(0, result.Error?.ToString());
        var events = store.EventList;
        int journal = events.IndexOf($"update:{a}:journal={shared}");
        journal.Should().BeGreaterThanOrEqualTo(0, "a commit that deletes files is never left out");
        events.IndexOf("delete-file:" + shared).Should().BeGreaterThan(journal, "the file goes only once a durable record names it");
        events.IndexOf("delete-job:" + a).Should().BeGreaterThan(journal);
        (await t.Store.FileExistsAsync(shared)).Should().BeFalse();
    }

    private static WorkerTestContext NewContext(bool asynchronousCommits)
    {
        var t = new WorkerTestContext { UseNonCachingFileStore = true };
        t.Options.AsynchronousCommits = asynchronousCommits;
        return t;
    }

    /// <summary>A chains into B; B reads a store file that the test wrote (its input).</summary>
    private static async Task<(string A, string B, string Input)> ChainWithInputAsync(WorkerTestContext t)
    {
        string input = await t.Store.WriteFileAsync((s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes("input"), ct));
        string a = await t.AddJobAsync("A");
        string b = await t.AddJobAsync("B");
        await t.LinkAsync(a, b);
        t.Invoker.Succeeds("A");
        t.Invoker.On("B", async inv =>
        {
            await using var stream = await inv.JobStore.OpenReadFileAsync(input);
            using var reader = new StreamReader(stream);
            (await reader.ReadToEndAsync()).Should().Be("input");
        });
        return (a, b, input);
    }
}
