using System.Diagnostics;
using System.Text;
using Toil.Runtime.JobStores;
using Toil.Runtime.Testing.Processes;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>
/// Store format 2 (docs/job-store-format.md, "Format versions"; docs/decisions.md#file-job-store-format-2): the lock on
/// the job's directory, a job's cleanup files in its directory, no directory per file, and the refusal of version 1.
/// </summary>
[CancelAfter(120_000)]
public sealed class FileJobStoreFormat2Tests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private FileJobStoreTestDirectory _t = null!;

    [SetUp]
    public void SetUp() => _t = new FileJobStoreTestDirectory();

    [TearDown]
    public void TearDown() => _t.Dispose();

    [Test]
    public async Task OpenAsync_Version1Store_ThrowsTypedErrorNamingBothVersionsAndChangesNothing()
    {
        await using (var store = await _t.CreateAsync())
        {
            await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        }

        await File.WriteAllTextAsync(Path.Combine(_t.StorePath, "format.json"), """{"schemaVersion":1,"layout":"toil-runtime-file-job-store"}""");
        var before = Snapshot(_t.StorePath);

        var open = async () => await _t.OpenAsync();

        var thrown = (await open.Should().ThrowAsync<FileJobStoreVersionException>()).Which;
        thrown.FoundVersion.Should().Be(1);
        thrown.SupportedVersion.Should().Be(3);
        thrown.Locator.Should().Be("file:" + _t.StorePath);
        thrown.Message.Should().Contain("version 1").And.Contain("version 3").And.Contain("destroy");
        thrown.Should().BeAssignableTo<JobStoreException>();
        Snapshot(_t.StorePath).Should().Equal(before, "a refused store is not touched");
    }

    [Test]
    public async Task CreateAsync_LocalDisk_RecordsTheDirectoryLock()
    {
        await using var store = await _t.CreateAsync();

        using var format = System.Text.Json.JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(_t.StorePath, "format.json")));
        format.RootElement.GetProperty("jobLock").GetString().Should().Be("directory");
    }

    [Test]
    public async Task UpdateJobAsync_StoreMadeWithLockFiles_LocksTheJobsLockFileAndDeletesItWithTheJob()
    {
        await (await _t.CreateAsync()).DisposeAsync();
        await File.WriteAllTextAsync(Path.Combine(_t.StorePath, "format.json"), """{"schemaVersion":2,"layout":"toil-runtime-file-job-store","jobLock":"file"}""");
        await using var store = await _t.OpenAsync(o => o.LockTimeout = TimeSpan.FromMilliseconds(200));
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        var job = await store.LoadJobAsync(id);
        string lockFile = Path.Combine(_t.StorePath, "jobs", id, "job.lock");
        File.Exists(lockFile).Should().BeTrue();

        using (new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            var update = async () => await store.UpdateJobAsync(job);
            (await update.Should().ThrowAsync<JobStoreLockTimeoutException>()).Which.LockPath.Should().Be(lockFile);
        }

        using (FileJobStoreDirectoryLock.TryLock(Path.Combine(_t.StorePath, "jobs", id))!)
        {
            await store.UpdateJobAsync(job); // a directory lock is not this store's lock
        }

        await store.DeleteJobAsync(id);
        Directory.Exists(Path.Combine(_t.StorePath, "jobs", id)).Should().BeFalse();
    }

    [Test]
    public async Task OpenAsync_UnknownJobLock_ThrowsCorruptRecord()
    {
        await (await _t.CreateAsync()).DisposeAsync();
        await File.WriteAllTextAsync(Path.Combine(_t.StorePath, "format.json"), """{"schemaVersion":2,"layout":"toil-runtime-file-job-store","jobLock":"fcntl"}""");

        var open = async () => await _t.OpenAsync();

        (await open.Should().ThrowAsync<CorruptJobRecordException>()).Which.Message.Should().Contain("fcntl");
    }

    [Test]
    public async Task LockJobAsync_DirectoryLockedByAnotherProcess_WaitsForItAndTakesItOnceReleased()
    {
        await using var store = await _t.CreateAsync(o => o.LockTimeout = TimeSpan.FromMilliseconds(300));
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        var job = await store.LoadJobAsync(id);
        job.UnitName = "changed";

        var psi = TestHostProcess.StartInfo("job-lock-hold", _t.StorePath, id);
        psi.RedirectStandardInput = true;
        using var holder = Process.Start(psi)!;
        try
        {
            using (var held = new CancellationTokenSource(Bound))
            {
                (await holder.StandardOutput.ReadLineAsync(held.Token)).Should().Be("HELD");
            }

            var update = async () => await store.UpdateJobAsync(job);
            var delete = async () => await store.DeleteJobAsync(id);
            (await update.Should().ThrowAsync<JobStoreLockTimeoutException>()).Which.LockPath.Should().Be(Path.Combine(_t.StorePath, "jobs", id));
            await delete.Should().ThrowAsync<JobStoreLockTimeoutException>();
            (await store.LoadJobAsync(id)).UnitName.Should().BeEmpty("nothing is written without the lock");

            holder.StandardInput.Close();
            using (var exit = new CancellationTokenSource(Bound))
            {
                await holder.WaitForExitAsync(exit.Token);
            }

            holder.ExitCode.Should().Be(0, await holder.StandardError.ReadToEndAsync());
            await store.UpdateJobAsync(job);
            (await store.LoadJobAsync(id)).UnitName.Should().Be("changed");
        }
        finally
        {
            if (!holder.HasExited)
            {
                holder.Kill();
            }
        }
    }

    [Test]
    public async Task DeleteJobAsync_TrivialJobWithItsBody_FreesAtMostFourInodesAndLeavesNothing()
    {
        await using var store = await _t.CreateAsync();
        await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob("trivial")); // jobs/kind-trivial/ is shared by the kind's jobs
        var empty = Snapshot(_t.StorePath);

        var job = FileJobStoreTestDirectory.NewJob("trivial");
        string id = await store.AssignJobIdAsync(job);
        string body = await store.WriteFileAsync(Encoding.UTF8.GetBytes("{}"), id, cleanup: true, baseName: "body");
        await store.CreateJobsAsync([job]);
        var created = Snapshot(_t.StorePath);

        await store.DeleteJobAsync(id);

        var inodes = created.Keys.Except(empty.Keys).ToList();
        inodes.Should().BeEquivalentTo(["jobs/" + id, "jobs/" + id + "/job", body], "a trivial job is its directory, its record and its body");
        inodes.Count.Should().BeLessThanOrEqualTo(4);
        Snapshot(_t.StorePath).Should().Equal(empty, "deleting the job frees every one of them (the trash included)");
        (await store.FileExistsAsync(body)).Should().BeFalse();
    }

    [Test]
    public async Task DeleteJobAsync_JobWithKeptAndCleanupFiles_KeepsOnlyTheKeptOnes()
    {
        await using var store = await _t.CreateAsync();
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        string kept = await store.WriteFileAsync("kept"u8.ToArray(), id);
        string cleanup = await store.WriteFileAsync("cleanup"u8.ToArray(), id, cleanup: true);
        string gone = await store.WriteFileAsync("gone"u8.ToArray(), id);
        await store.DeleteFileAsync(gone);

        await store.DeleteJobAsync(id);

        (await store.FileExistsAsync(kept)).Should().BeTrue();
        (await store.FileExistsAsync(cleanup)).Should().BeFalse();
        await store.DeleteFileAsync(kept);
        _t.RelativeEntries().Should().NotContain(e => e.Contains("instance-", StringComparison.Ordinal), "the job's last directory goes with its last kept file");
    }

    [TestCase("job")]
    [TestCase("job.0123456789abcdef0123456789abcdef.tmp")]
    [TestCase("file-0123456789abcdef0123456789abcdef.tmp")]
    [TestCase("file-0123456789ABCDEF0123456789ABCDEF-body")]
    [TestCase("file-0123456789abcdef-body")]
    [TestCase("")]
    public async Task FileOperations_IdInsideAJobDirectoryThatIsNoCleanupFile_NameNoFileAndTouchNothing(string leaf)
    {
        await using var store = await _t.CreateAsync();
        var job = FileJobStoreTestDirectory.NewJob();
        job.UnitName = "kept";
        string id = await store.CreateJobAsync(job);
        string dir = Path.Combine(_t.StorePath, "jobs", id);
        if (leaf.Length > 0 && leaf != "job")
        {
            await File.WriteAllTextAsync(Path.Combine(dir, leaf), "planted");
        }

        string hostile = leaf.Length == 0 ? "jobs/" + id : $"jobs/{id}/{leaf}";
        var before = Snapshot(_t.StorePath);

        var read = async () => await store.OpenReadFileAsync(hostile);
        var update = async () => await store.UpdateFileAsync(hostile, new MemoryStream("overwritten"u8.ToArray()));
        await read.Should().ThrowAsync<NoSuchFileException>();
        await update.Should().ThrowAsync<NoSuchFileException>();
        (await store.FileExistsAsync(hostile)).Should().BeFalse();
        (await store.GetFileSizeAsync(hostile)).Should().Be(0);
        await store.DeleteFileAsync(hostile);

        Snapshot(_t.StorePath).Should().Equal(before, "an ID under jobs/ reaches a job's cleanup files only");
        (await store.LoadJobAsync(id)).UnitName.Should().Be("kept");
    }

    [TestCase("jobs/{0}/file-0123456789abcdef0123456789abcdef-a/../job")]
    [TestCase("jobs/{0}/../../../format.json")]
    [TestCase("jobs/{0}/file-0123456789abcdef0123456789abcdef-a\\..\\job")]
    public async Task FileOperations_EscapingIdOfTheNewShape_ThrowInvalidJobStoreId(string shape)
    {
        await using var store = await _t.CreateAsync();
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        string hostile = string.Format(System.Globalization.CultureInfo.InvariantCulture, shape, id);

        var read = async () => await store.OpenReadFileAsync(hostile);
        var delete = async () => await store.DeleteFileAsync(hostile);

        await read.Should().ThrowAsync<InvalidJobStoreIdException>();
        await delete.Should().ThrowAsync<InvalidJobStoreIdException>();
        (await store.JobExistsAsync(id)).Should().BeTrue();
    }

    [Test]
    public async Task WriteFileAsync_CleanupFileWithTheLongestBaseName_FitsAFileNameWithItsTempFile()
    {
        await using var store = await _t.CreateAsync();
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());

        string fileId = await store.WriteFileAsync("x"u8.ToArray(), id, cleanup: true, baseName: new string('b', 1000));
        await store.UpdateFileAsync(fileId, new MemoryStream("y"u8.ToArray()));

        Encoding.UTF8.GetByteCount(fileId.Split('/')[^1]).Should().BeLessThanOrEqualTo(255);
        Directory.GetFileSystemEntries(Path.Combine(_t.StorePath, "jobs", id)).Select(Path.GetFileName).Should().BeEquivalentTo(["job", fileId.Split('/')[^1]]);
    }

    private static SortedDictionary<string, string> Snapshot(string root)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string entry in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories))
        {
            entries[Path.GetRelativePath(root, entry)] = Directory.Exists(entry) ? "<dir>" : File.ReadAllText(entry);
        }

        return entries;
    }
}
