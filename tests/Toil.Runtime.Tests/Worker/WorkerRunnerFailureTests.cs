using System.Text;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Authoring;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

/// <summary>The failure path (docs/worker-algorithm.md §4) and failure state per run (docs/decisions.md#failure-state-per-run).</summary>
[TestFixture]
public sealed class WorkerRunnerFailureTests
{
    [Test]
    public async Task RunAsync_JobAsksForExitCode_ReturnsThatCode()
    {
        using var t = new WorkerTestContext();
        t.Invoker.On("A", _ => throw new JobExitException(7));
        var result = await t.RunAsync(await t.AddJobAsync("A"));
        result.ExitCode.Should().Be(7);
        result.Failed.Should().BeTrue();
    }

    [Test]
    public async Task RunAsync_UnregisteredJobType_FailsWithExitCode1AndKeepsTheBody()
    {
        using var t = new WorkerTestContext();
        string a = await t.AddJobAsync("Nobody");
        var result = await t.RunAsync(a);
        result.ExitCode.Should().Be(1);
        result.Error.Should().BeOfType<UnknownJobTypeException>();
        (await t.Store.LoadJobAsync(a)).HasBody.Should().BeTrue();
    }

    [Test]
    public async Task RunAsync_FailingJobWithLongLog_StoresTheTruncatedTailAsAJobOwnedFile()
    {
        using var t = new WorkerTestContext();
        t.Options.MaxLogFileSize = 300;
        t.Invoker.On("A", inv =>
        {
            for (int i = 0; i < 200; i++)
            {
                inv.Logger.LogInformation("line {Number} of a long log é€", i);
            }

            inv.Logger.LogError("the last words");
            throw new InvalidOperationException("boom");
        });
        string a = await t.AddJobAsync("A");

        var result = await t.RunAsync(a);

        var record = await t.Store.LoadJobAsync(a);
        record.LogJobStoreFileId.Should().Be(result.LogFileId).And.NotBeNull();
        byte[] log = await t.Store.ReadAllBytesAsync(record.LogJobStoreFileId!);
        log.Length.Should().BeLessThanOrEqualTo(300).And.BeGreaterThan(290);
        string text = Encoding.UTF8.GetString(log);
        text.Should().NotContain("\uFFFD").And.Contain("Exiting the worker because of a failed job", "the tail keeps the end of the log");
        text.Should().NotContain("line 0 ");

        await t.Store.DeleteJobAsync(a);
        (await t.Store.FileExistsAsync(record.LogJobStoreFileId!)).Should().BeFalse("the log is owned by the job and deleted with it");
    }

    [Test]
    public async Task RunAsync_CommitFails_TheJobsLogLinesWereInTheLogBeforeTheCommit()
    {
        // In-process the log is kept in memory (docs/decisions.md#log-capture): both of the job's lines must be in it when
        // the job's commit starts, since a crash there is diagnosed from them, and no worker_log.txt is made meanwhile.
        // A has a successor it does not chain into, so its own commit is written (a finished subtree's is left out:
        // docs/decisions.md#no-final-commit).
        using var t = new WorkerTestContext { UseNonCachingFileStore = true };
        t.Options.DisableChaining = true;
        t.Invoker.Succeeds("A");
        string a = await t.AddJobAsync("A");
        await t.LinkAsync(a, await t.AddJobAsync("B"));
        var store = new Toil.Runtime.Tests.FileStores.RecordingJobStore(t.Store);
        string? logAtCommit = null;
        store.BeforeUpdate = async (job, _) =>
        {
            if (job.JobStoreId == a && !job.HasBody)
            {
                Directory.GetFiles(t.WorkDir, "worker_log.txt", SearchOption.AllDirectories).Should().BeEmpty("an in-process run's log is in memory");
                logAtCommit = Encoding.UTF8.GetString(await AmbientWorkerLog.Current!.File.ReadKeptAsync(0));
                throw new IOException("the commit is refused");
            }
        };

        var result = await t.CreateRunner().RunAsync(new WorkerRequest(store, a));

        result.Failed.Should().BeTrue("the job's commit failed");
        logAtCommit.Should().NotBeNull("the job's commit was attempted");
        int working = logAtCommit!.IndexOf("Working on job 'A'", StringComparison.Ordinal);
        int completed = logAtCommit.IndexOf("Completed body for 'A'", StringComparison.Ordinal);
        working.Should().BeGreaterThan(0, "the job's first line is in the file before its commit");
        completed.Should().BeGreaterThan(working, "the body's completion follows it, also before the commit");
    }

    [Test]
    public async Task RunAsync_ChildOutputWrittenInProcess_LandsInTheStoredLog()
    {
        using var t = new WorkerTestContext();
        t.Invoker.On("A", async inv =>
        {
            inv.ChildOutput.Should().NotBeNull();
            await inv.ChildOutput!.WriteLineAsync("output of a child process");
            throw new InvalidOperationException("fail so the log is stored");
        });
        string a = await t.AddJobAsync("A");

        var result = await t.RunAsync(a);

        string log = Encoding.UTF8.GetString(await t.Store.ReadAllBytesAsync(result.LogFileId!));
        log.Should().Contain("output of a child process");
    }

    [Test]
    public async Task RunAsync_OutputCaptureDisabled_StoresNoLog()
    {
        using var t = new WorkerTestContext();
        t.Options.DisableWorkerOutputCapture = true;
        t.Invoker.On("A", _ => throw new InvalidOperationException("boom"));
        string a = await t.AddJobAsync("A");
        var result = await t.RunAsync(a);
        result.Failed.Should().BeTrue();
        (await t.Store.LoadJobAsync(a)).LogJobStoreFileId.Should().BeNull();
    }

    [Test]
    public async Task RunAsync_CommitFails_AttemptFailsAndTheRecordKeepsItsBody()
    {
        using var t = new WorkerTestContext();
        t.FileStores.FailCommitOf = "A";
        t.Invoker.Succeeds("A");
        string a = await t.AddJobAsync("A");
        var result = await t.RunAsync(a);
        result.Failed.Should().BeTrue();
        result.ExitCode.Should().Be(1);
        var record = await t.Store.LoadJobAsync(a);
        record.HasBody.Should().BeTrue();
        record.LogJobStoreFileId.Should().NotBeNull();
    }

    [Test]
    public async Task RunAsync_JobDeletedDuringItsFailedAttempt_StillWritesStats()
    {
        using var t = new WorkerTestContext();
        t.Invoker.On("A", async inv =>
        {
            await inv.JobStore.DeleteJobAsync(inv.Job.JobStoreId);
            throw new InvalidOperationException("and then it failed");
        });
        var result = await t.RunAsync(await t.AddJobAsync("A"));
        result.Failed.Should().BeTrue();
        (await t.ReadStatsAsync()).Should().ContainSingle().Which.Jobs.Single().Succeeded.Should().Be("False");
    }

    [Test]
    public async Task RunAsync_TwoRunnersInOneProcess_FailIndependently()
    {
        using var t = new WorkerTestContext();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        t.Invoker.On("Bad", async inv =>
        {
            await gate.Task;
            throw new InvalidOperationException("only this run fails");
        });
        t.Invoker.On("Good", async inv =>
        {
            gate.TrySetResult();
            await Task.Yield();
        });
        string bad = await t.AddJobAsync("Bad");
        string good = await t.AddJobAsync("Good");
        string good2 = await t.AddJobAsync("Good");

        var badRun = t.CreateRunner().RunAsync(new WorkerRequest(t.Store, bad));
        var goodRun = t.CreateRunner().RunAsync(new WorkerRequest(t.Store, good));
        var results = await Task.WhenAll(badRun, goodRun).WaitAsync(TimeSpan.FromMinutes(1));

        results[0].Failed.Should().BeTrue();
        results[1].Failed.Should().BeFalse();
        results[1].ExitCode.Should().Be(0);

        // The same runner instance after a failure: nothing sticks (Toil's global terminate flag).
        var runner = t.CreateRunner();
        (await runner.RunAsync(new WorkerRequest(t.Store, await t.AddJobAsync("Bad")))).Failed.Should().BeTrue();
        (await runner.RunAsync(new WorkerRequest(t.Store, good2))).Failed.Should().BeFalse();
    }

    [Test]
    public async Task RunAsync_Cancelled_FailsTheAttemptAndLeavesTheStoreConsistent()
    {
        using var t = new WorkerTestContext();
        using var cts = new CancellationTokenSource();
        t.Invoker.On("A", async (inv, ct) =>
        {
            await cts.CancelAsync();
            await Task.Delay(Timeout.Infinite, ct);
            return new JobBodyOutcome();
        });
        string a = await t.AddJobAsync("A");
        var result = await t.RunAsync(a, cancellationToken: cts.Token);
        result.Failed.Should().BeTrue();
        var record = await t.Store.LoadJobAsync(a);
        record.HasBody.Should().BeTrue();
        record.LogJobStoreFileId.Should().NotBeNull();
    }

    [Test]
    public async Task RunAsync_MissingJob_FailsWithExitCode1AndStillWritesStats()
    {
        using var t = new WorkerTestContext();
        var result = await t.RunAsync("kind-gone/instance-ffffffff");
        result.ExitCode.Should().Be(1);
        result.Error.Should().BeOfType<NoSuchJobException>();
        (await t.ReadStatsAsync()).Should().ContainSingle();
    }

    [Test]
    public async Task RunAsync_CommitNeverFinishes_FailsAfterTheCommitWaitTimeout()
    {
        using var t = new WorkerTestContext();
        t.Options.CommitWaitTimeout = TimeSpan.FromMilliseconds(200);
        t.FileStores.Asynchronous = true;
        t.FileStores.HangCommitOf = "A";
        t.Invoker.Succeeds("A");
        var result = await t.RunAsync(await t.AddJobAsync("A")).WaitAsync(TimeSpan.FromMinutes(1));
        result.Failed.Should().BeTrue();
        result.Error.Should().BeOfType<TimeoutException>();
    }
}
