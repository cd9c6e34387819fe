using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Leader.Workflows;
using Toil.Runtime.Reliability.Host;

namespace Toil.Runtime.Reliability;

/// <summary>
/// Faults of the machine under a running workflow (docs/reliability.md, "Faults of the machine"): the disk fills up during
/// a commit, the store becomes read-only, a worker's directory is deleted under it. Root-only tests (mounts) skip with
/// a reason elsewhere; CI runs as root.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class MachineFaultTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("toil-machine-fault-").FullName;

    [TearDown]
    public void TearDown()
    {
        foreach (string mount in new[] { Path.Combine(_directory, "mnt"), Path.Combine(_directory, "store") })
        {
            if (File.ReadAllText("/proc/mounts").Contains(" " + mount + " ", StringComparison.Ordinal))
            {
                System.Diagnostics.Process.Start("umount", ["-l", mount])!.WaitForExit(30_000);
            }
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    [CancelAfter(5 * 60 * 1000)]
    public async Task RunWorkflowAsync_DiskFillsDuringACommit_AttemptFailsRecordsLoadAndTheWorkflowCompletesOnceSpaceReturns(CancellationToken cancellationToken)
    {
        MachineFaults.RequireRoot();
        string mnt = Directory.CreateDirectory(Path.Combine(_directory, "mnt")).FullName;
        MachineFaults.Run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mnt);
        string store = Path.Combine(mnt, "store");
        string work = Directory.CreateDirectory(Path.Combine(_directory, "work")).FullName;
        string effects = Directory.CreateDirectory(Path.Combine(_directory, "effects")).FullName;
        // Leave about 600 KiB: the store's skeleton fits, the commit of 100 children of 20 KB each (2 MB of records) does not.
        string filler = Path.Combine(mnt, "filler");
        await using (var fill = File.Create(filler))
        {
            fill.SetLength(new DriveInfo(mnt).AvailableFreeSpace - (600 << 10));
            await fill.WriteAsync(new byte[fill.Length], cancellationToken);
        }

        await using var leader = MachineFaults.Leader(store, work, retryCount: 30, backoffSeconds: 0.5);
        var run = leader.GetRequiredService<IWorkflowRunner>().RunWorkflowAsync<ManyChildrenJob, ManyChildrenInput>(new(100, 20_000, effects), cancellationToken);
        string attempts = Path.Combine(effects, "attempts");
        await MachineFaults.WaitUntilAsync(() => run.IsCompleted || (File.Exists(attempts) && File.ReadAllLines(attempts).Length >= 2), "the leader to retry the parent");
        run.IsCompleted.Should().BeFalse("the commit cannot fit while the disk is full");

        int records = await MachineFaults.LoadEveryRecordAsync(store);
        TestContext.Out.WriteLine($"records loadable while the disk is full: {records}");
        File.Delete(filler);
        var result = await run.WaitAsync(MachineFaults.Bound, cancellationToken);

        result.Succeeded.Should().BeTrue();
        result.FailedAttempts.Should().BeGreaterThan(0, "the attempts that ran out of space failed");
        Enumerable.Range(0, 100).Should().OnlyContain(i => File.Exists(Path.Combine(effects, "done-" + i)), "every child ran once space returned");
        MachineFaults.InstanceDirectories(store).Should().BeEmpty("a failed commit leaves no stranded child record");
        await MachineFaults.LoadEveryRecordAsync(store);
    }

    [Test]
    [CancelAfter(5 * 60 * 1000)]
    public async Task RunWorkflowAsync_StoreBecomesReadOnlyDuringAJob_ClearErrorNothingLostAndARestartCompletes(CancellationToken cancellationToken)
    {
        MachineFaults.RequireRoot();
        string store = Path.Combine(_directory, "store");
        string work = Directory.CreateDirectory(Path.Combine(_directory, "work")).FullName;
        string effects = Directory.CreateDirectory(Path.Combine(_directory, "effects")).FullName;
        Exception? failure = null;
        await using (var leader = MachineFaults.Leader(store, work, retryCount: 2, backoffSeconds: 0))
        {
            var run = leader.GetRequiredService<IWorkflowRunner>().RunWorkflowAsync<ManyChildrenJob, ManyChildrenInput>(new(20, 100, effects, "wait"), cancellationToken);
            await MachineFaults.WaitUntilAsync(() => File.Exists(Path.Combine(effects, "ready")), "the parent to start");
            MachineFaults.Run("mount", "--bind", store, store);
            MachineFaults.Run("mount", "-o", "remount,bind,ro", store);
            await File.WriteAllTextAsync(Path.Combine(effects, "go"), "go", cancellationToken);
            try
            {
                var result = await run.WaitAsync(MachineFaults.Bound, cancellationToken);
                result.Succeeded.Should().BeFalse("nothing can be written to a read-only store");
            }
            catch (Exception e) when (e is not AssertionException)
            {
                failure = e;
            }

            TestContext.Out.WriteLine($"the leader on a read-only store: {failure?.GetType().Name}: {failure?.Message}");
            failure.Should().NotBeNull("a read-only store ends the run with an error");
            failure!.ToString().Should().Contain("Read-only file system", "the error says what happened and where");
        }

        MachineFaults.Run("umount", store);
        (await MachineFaults.LoadEveryRecordAsync(store)).Should().BeGreaterThan(0, "the parent's record is still there and loads");
        await using (var restarted = MachineFaults.Leader(store, work, retryCount: 2, backoffSeconds: 0))
        {
            var result = await restarted.GetRequiredService<IWorkflowRunner>().RunWorkflowAsync<ManyChildrenJob, ManyChildrenInput>(new(20, 100, effects, "wait"), cancellationToken)
                .WaitAsync(MachineFaults.Bound, cancellationToken);
            result.Succeeded.Should().BeTrue();
        }

        Enumerable.Range(0, 20).Should().OnlyContain(i => File.Exists(Path.Combine(effects, "done-" + i)));
        MachineFaults.InstanceDirectories(store).Should().BeEmpty();
    }

    [Test]
    [CancelAfter(5 * 60 * 1000)]
    public async Task RunWorkflowAsync_WorkerDirectoryDeletedUnderTheJob_FileStoreMakesItAgainAndNothingIsLost(CancellationToken cancellationToken)
    {
        string store = Path.Combine(_directory, "store");
        string work = Directory.CreateDirectory(Path.Combine(_directory, "work")).FullName;
        string effects = Directory.CreateDirectory(Path.Combine(_directory, "effects")).FullName;
        await using var leader = MachineFaults.Leader(store, work, retryCount: 2, backoffSeconds: 0);

        var result = await leader.GetRequiredService<IWorkflowRunner>()
            .RunWorkflowAsync<ManyChildrenJob, ManyChildrenInput>(new(5, 100, effects, "delete-worker-dir"), cancellationToken).WaitAsync(MachineFaults.Bound, cancellationToken);

        result.Succeeded.Should().BeTrue();
        File.ReadAllLines(Path.Combine(effects, "attempts")).Should().HaveCount(1, "the file store makes the job's directory again (with its parents) when the job asks for local disk");
        Enumerable.Range(0, 5).Should().OnlyContain(i => File.Exists(Path.Combine(effects, "done-" + i)));
        MachineFaults.InstanceDirectories(store).Should().BeEmpty();
        Directory.EnumerateFileSystemEntries(work, "*", SearchOption.AllDirectories).Should().BeEmpty("nothing is left in the work directory");
    }
}
