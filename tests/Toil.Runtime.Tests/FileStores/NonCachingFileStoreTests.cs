using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Toil.Runtime.FileStores;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Tests.FileStores;

public sealed class NonCachingFileStoreTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private RecordingJobStore _store = null!;
    private string _root = null!;
    private FakeLogger _logger = null!;

    [SetUp]
    public void SetUp()
    {
        _store = new RecordingJobStore();
        _root = Path.Combine(Path.GetTempPath(), "toil-filestore-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        _logger = new FakeLogger();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _store.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Test]
    public async Task WriteGlobalFileAsync_LocalFile_ReadGlobalFileReturnsSameBytes()
    {
        var fs = await NewStoreAsync();
        string local = Path.Combine(fs.LocalTempDir, "input.txt");
        await File.WriteAllTextAsync(local, "Testing writeGlobalFile");

        string id = await fs.WriteGlobalFileAsync("input.txt");
        string copy = await fs.ReadGlobalFileAsync(id);

        id.Should().EndWith("input.txt");
        copy.Should().NotBe(local).And.StartWith(fs.LocalTempDir);
        (await File.ReadAllTextAsync(copy)).Should().Be("Testing writeGlobalFile");
        (await fs.GetGlobalFileSizeAsync(id)).Should().Be(Encoding.UTF8.GetByteCount("Testing writeGlobalFile"));
    }

    [Test]
    public async Task ReadGlobalFileAsync_LocalCopyChanged_JobStoreKeepsOriginal()
    {
        var fs = await NewStoreAsync();
        string id = await fs.WriteGlobalFileStreamAsync((s, ct) => s.WriteAsync("original"u8.ToArray(), ct));

        string copy = await fs.ReadGlobalFileAsync(id);
        await File.WriteAllTextAsync(copy, "mutated");
        string second = await fs.ReadGlobalFileAsync(id);

        Encoding.UTF8.GetString(await _store.ReadAllBytesAsync(id)).Should().Be("original");
        (await File.ReadAllTextAsync(second)).Should().Be("original");
    }

    [Test]
    public async Task WriteGlobalFileStreamAsync_ReadGlobalFileStream_RoundTripsAndIsLogged()
    {
        var fs = await NewStoreAsync();
        string id = await fs.WriteGlobalFileStreamAsync((s, ct) => s.WriteAsync("Testing writeGlobalFileStream"u8.ToArray(), ct), baseName: "data.bin");

        await using var stream = await fs.ReadGlobalFileStreamAsync(id);
        using var reader = new StreamReader(stream);

        (await reader.ReadToEndAsync()).Should().Be("Testing writeGlobalFileStream");
        id.Should().EndWith("data.bin");
        fs.AccessedFiles.Should().ContainSingle().Which.Should().Be($"{id} (stream)");
    }

    [Test]
    public async Task ReadGlobalFileAsync_UserPathExists_ThrowsAndKeepsFile()
    {
        var fs = await NewStoreAsync();
        string id = await fs.WriteGlobalFileStreamAsync((s, ct) => s.WriteAsync("x"u8.ToArray(), ct));
        string existing = Path.Combine(fs.LocalTempDir, "existing.txt");
        await File.WriteAllTextAsync(existing, "keep me");

        var act = async () => await fs.ReadGlobalFileAsync(id, existing);

        await act.Should().ThrowAsync<IOException>().WithMessage("*exists*");
        (await File.ReadAllTextAsync(existing)).Should().Be("keep me");
    }

    [Test]
    public async Task ReadGlobalFileAsync_BogusId_ThrowsNoSuchFile()
    {
        var fs = await NewStoreAsync();

        var act = async () => await fs.ReadGlobalFileAsync("files-flat/file-bogus/bogus");

        await act.Should().ThrowAsync<NoSuchFileException>();
        Directory.EnumerateFiles(fs.LocalTempDir).Should().BeEmpty("a failed read leaves no partial local file");
    }

    [Test]
    public async Task GetLocalTempFileAndDir_CreateFreshEntriesUnderTheJobDirectory()
    {
        var fs = await NewStoreAsync();

        string file1 = fs.GetLocalTempFile(".txt", "out");
        string file2 = fs.GetLocalTempFile(".txt", "out");
        string dir = fs.GetLocalTempDir();

        File.Exists(file1).Should().BeTrue();
        new FileInfo(file1).Length.Should().Be(0);
        file1.Should().NotBe(file2);
        Path.GetFileName(file1).Should().StartWith("out").And.EndWith(".txt");
        Path.GetDirectoryName(file1).Should().Be(fs.LocalTempDir);
        Directory.Exists(dir).Should().BeTrue();
        Path.GetDirectoryName(dir).Should().Be(fs.LocalTempDir);
        fs.Invoking(f => f.GetLocalTempFile("/../x")).Should().Throw<ArgumentException>();
    }

    [Test]
    public async Task DeleteLocalFile_WrittenAndReadCopies_RemovesEveryLocalCopyButNotTheGlobalFile()
    {
        var fs = await NewStoreAsync();
        string local = fs.GetLocalTempFile();
        await File.WriteAllTextAsync(local, "abc");
        string id = await fs.WriteGlobalFileAsync(local);
        string copy1 = await fs.ReadGlobalFileAsync(id);
        string copy2 = await fs.ReadGlobalFileAsync(id, Path.Combine(fs.LocalTempDir, "named.txt"));

        fs.DeleteLocalFile(id);

        File.Exists(local).Should().BeFalse();
        File.Exists(copy1).Should().BeFalse();
        File.Exists(copy2).Should().BeFalse();
        (await _store.FileExistsAsync(id)).Should().BeTrue();
    }

    [Test]
    public async Task DeleteLocalFile_OnlyStreamed_ThrowsFileNotFound()
    {
        var fs = await NewStoreAsync();
        string id = await fs.WriteGlobalFileStreamAsync((s, ct) => s.WriteAsync("abc"u8.ToArray(), ct));
        (await fs.ReadGlobalFileStreamAsync(id)).Dispose();

        fs.Invoking(f => f.DeleteLocalFile(id)).Should().Throw<FileNotFoundException>();
        (await _store.FileExistsAsync(id)).Should().BeTrue();
    }

    [Test]
    public async Task DeleteLocalFile_WrittenFromOutsideTheJobDirectory_ThrowsAndKeepsTheFile()
    {
        var fs = await NewStoreAsync();
        string outside = Path.Combine(_root, "outside.txt");
        await File.WriteAllTextAsync(outside, "abc");
        string id = await fs.WriteGlobalFileAsync(outside);

        fs.Invoking(f => f.DeleteLocalFile(id)).Should().Throw<FileNotFoundException>();
        File.Exists(outside).Should().BeTrue();
    }

    [Test]
    public async Task DeleteGlobalFileAsync_ThenRead_FailsInTheSameJob()
    {
        var fs = await NewStoreAsync();
        string id = await fs.WriteGlobalFileStreamAsync((s, ct) => s.WriteAsync("abc"u8.ToArray(), ct));
        string copy = await fs.ReadGlobalFileAsync(id);

        await fs.DeleteGlobalFileAsync(id);

        File.Exists(copy).Should().BeFalse("deleting a global file deletes its local copies");
        (await _store.FileExistsAsync(id)).Should().BeTrue("the deletion happens with the commit");
        await fs.Awaiting(f => f.ReadGlobalFileAsync(id)).Should().ThrowAsync<NoSuchFileException>();
        await fs.Awaiting(f => f.ReadGlobalFileStreamAsync(id)).Should().ThrowAsync<NoSuchFileException>();
        await fs.Awaiting(f => f.GetGlobalFileSizeAsync(id)).Should().ThrowAsync<NoSuchFileException>();
        fs.PendingDeletes.Should().Equal(id);
    }

    [Test]
    public async Task StartCommitAsync_WithDeletes_JournalIsDurableBeforeDeletionAndClearedAfter()
    {
        var fs = await NewStoreAsync();
        string a = await fs.WriteGlobalFileStreamAsync((s, ct) => s.WriteAsync("a"u8.ToArray(), ct));
        string b = await fs.WriteGlobalFileStreamAsync((s, ct) => s.WriteAsync("b"u8.ToArray(), ct));
        await fs.DeleteGlobalFileAsync(a);
        await fs.DeleteGlobalFileAsync(b);
        var journalSeenAtDeletion = new List<string>();
        _store.BeforeDeleteFile = async id =>
        {
            var stored = await _store.Inner.LoadJobAsync(fs.Job.JobStoreId);
            journalSeenAtDeletion.Add($"{id}:{string.Join(",", stored.FilesToDelete)}");
        };
        _store.Events.Clear();

        await fs.StartCommitAsync();
        await fs.WaitForCommitAsync();

        string jobId = fs.Job.JobStoreId;
        _store.EventList.Should().Equal($"update:{jobId}:journal={a},{b}", $"delete-file:{a}", $"delete-file:{b}", $"update:{jobId}:journal=");
        journalSeenAtDeletion.Should().Equal($"{a}:{a},{b}", $"{b}:{a},{b}");
        (await _store.LoadJobAsync(jobId)).FilesToDelete.Should().BeEmpty();
        (await _store.FileExistsAsync(a)).Should().BeFalse();
        (await _store.FileExistsAsync(b)).Should().BeFalse();
    }

    [Test]
    public async Task StartCommitAsync_NoDeletes_WritesTheDescriptionOnce()
    {
        var fs = await NewStoreAsync();
        fs.Job.DetachBody();
        long version = fs.Job.Version;
        _store.Events.Clear();

        await fs.StartCommitAsync();

        _store.EventList.Should().Equal($"update:{fs.Job.JobStoreId}:journal=");
        (await _store.LoadJobAsync(fs.Job.JobStoreId)).Version.Should().Be(version + 1);
    }

    [Test]
    public async Task StartCommitAsync_JobStateFalse_WritesNothing()
    {
        var fs = await NewStoreAsync();
        await fs.DeleteGlobalFileAsync("files-flat/file-x/x");
        _store.Events.Clear();

        await fs.StartCommitAsync(jobState: false);
        await fs.WaitForCommitAsync();

        _store.EventList.Should().BeEmpty();
    }

    [Test]
    public async Task StartCommitAsync_Twice_Throws()
    {
        var fs = await NewStoreAsync();
        await fs.StartCommitAsync();

        await fs.Awaiting(f => f.StartCommitAsync()).Should().ThrowAsync<InvalidOperationException>();
    }

    [Test]
    public async Task StartCommitAsync_JournalLeftByAnInterruptedCommit_FinishesThoseDeletionsToo()
    {
        var fs = await NewStoreAsync();
        string leftover = await _store.WriteFileAsync("old"u8.ToArray());
        string pending = await fs.WriteGlobalFileStreamAsync((s, ct) => s.WriteAsync("new"u8.ToArray(), ct));
        fs.Job.FilesToDelete.Add(leftover);
        await fs.DeleteGlobalFileAsync(pending);
        _store.Events.Clear();

        await fs.StartCommitAsync();

        string jobId = fs.Job.JobStoreId;
        _store.EventList.Should().Equal($"update:{jobId}:journal={leftover},{pending}", $"delete-file:{leftover}", $"delete-file:{pending}", $"update:{jobId}:journal=");
        (await _store.FileExistsAsync(leftover)).Should().BeFalse();
        (await _store.LoadJobAsync(jobId)).FilesToDelete.Should().BeEmpty();
    }

    [Test]
    public async Task StartCommitAsync_ChainOfThreeStores_CommitsInChainOrder()
    {
        var first = await NewStoreAsync();
        var second = await NewStoreAsync(first.WaitForCommitAsync);
        var third = await NewStoreAsync(second.WaitForCommitAsync);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.BeforeUpdate = async (job, ct) =>
        {
            if (job.JobStoreId == first.Job.JobStoreId)
            {
                firstHeld.TrySetResult();
                await release.Task.WaitAsync(ct);
            }
        };
        _store.Events.Clear();

        // Started in chain order while the first one's write is held: the later ones must wait for it.
        var first1 = first.StartCommitAsync().AsTask();
        await firstHeld.Task.WaitAsync(Bound);
        var second2 = second.StartCommitAsync().AsTask();
        var third3 = third.StartCommitAsync().AsTask();
        var thirdWait = third.WaitForCommitAsync().AsTask();

        _store.EventList.Should().Equal($"update:{first.Job.JobStoreId}:journal=");
        second2.IsCompleted.Should().BeFalse();
        third3.IsCompleted.Should().BeFalse();
        thirdWait.IsCompleted.Should().BeFalse();

        release.SetResult();
        await Task.WhenAll(first1, second2, third3, thirdWait).WaitAsync(Bound);

        _store.EventList.Should().Equal(
            $"update:{first.Job.JobStoreId}:journal=",
            $"update:{second.Job.JobStoreId}:journal=",
            $"update:{third.Job.JobStoreId}:journal=");
    }

    [Test]
    public async Task WaitForCommitAsync_CommitFailed_RethrowsHereAndInLaterStores()
    {
        var first = await NewStoreAsync();
        var second = await NewStoreAsync(first.WaitForCommitAsync);
        _store.BeforeUpdate = (job, _) => job.JobStoreId == first.Job.JobStoreId
            ? Task.FromException(new IOException("disk on fire"))
            : Task.CompletedTask;

        await first.Awaiting(f => f.StartCommitAsync()).Should().ThrowAsync<IOException>().WithMessage("disk on fire");
        await first.Awaiting(f => f.WaitForCommitAsync()).Should().ThrowAsync<IOException>().WithMessage("disk on fire");
        await second.Awaiting(f => f.WaitForCommitAsync()).Should().ThrowAsync<IOException>("a store that has not committed waits for the previous commit");
        _store.Events.Clear();
        await second.Awaiting(f => f.StartCommitAsync()).Should().ThrowAsync<IOException>();

        _store.EventList.Should().BeEmpty("a commit never writes after a failed predecessor");
        _logger.Collector.GetSnapshot().Should().Contain(r => r.Level == LogLevel.Error && r.Message.Contains("commit", StringComparison.Ordinal));
    }

    [Test]
    public async Task WaitForCommitAsync_FailureInAnotherChain_DoesNotAffectThisChain()
    {
        var failing = await NewStoreAsync();
        var unrelated = await NewStoreAsync();
        _store.BeforeUpdate = (job, _) => job.JobStoreId == failing.Job.JobStoreId
            ? Task.FromException(new IOException("boom"))
            : Task.CompletedTask;
        await failing.Awaiting(f => f.StartCommitAsync()).Should().ThrowAsync<IOException>();

        await unrelated.StartCommitAsync();
        await unrelated.WaitForCommitAsync();

        (await _store.LoadJobAsync(unrelated.Job.JobStoreId)).Version.Should().Be(2);
    }

    [Test]
    public async Task WaitForCommitAsync_NoCommitStarted_CompletesAfterThePreviousCommit()
    {
        var first = await NewStoreAsync();
        var second = await NewStoreAsync(first.WaitForCommitAsync);
        await first.StartCommitAsync();

        await second.WaitForCommitAsync().AsTask().WaitAsync(Bound);
        await (await NewStoreAsync()).WaitForCommitAsync().AsTask().WaitAsync(Bound);
    }

    [Test]
    public async Task CheckDiskUse_AboveTheRequest_WarnsTheLeader()
    {
        var fs = await NewStoreAsync(requirements: new JobRequirements { Disk = 1000 });
        await File.WriteAllBytesAsync(Path.Combine(fs.GetLocalTempDir(), "big.bin"), new byte[3000]);

        long used = fs.CheckDiskUse();

        used.Should().Be(3000);
        fs.DiskUsed.Should().Be(3000);
        fs.LeaderMessages.Should().ContainSingle().Which.Should().Match<LeaderMessage>(m =>
            m.Level == LogLevel.Warning && m.Text.Contains("more disk than requested", StringComparison.Ordinal) && m.Text.Contains("300.00%", StringComparison.Ordinal) && m.Text.Contains("2.9 KiB [3000 bytes] used", StringComparison.Ordinal));
    }

    [Test]
    public async Task CheckDiskUse_WithinTheRequest_ReportsAtDebugLevel()
    {
        var fs = await NewStoreAsync(requirements: new JobRequirements { Disk = 10_000 });
        await File.WriteAllBytesAsync(fs.GetLocalTempFile(), new byte[3000]);

        fs.CheckDiskUse().Should().Be(3000);

        fs.LeaderMessages.Should().ContainSingle().Which.Level.Should().Be(LogLevel.Debug);
    }

    [Test]
    public async Task LogAccessedFiles_AfterReads_LogsEveryAccessAtWarning()
    {
        var fs = await NewStoreAsync();
        string id = await fs.WriteGlobalFileStreamAsync((s, ct) => s.WriteAsync("Cats"u8.ToArray(), ct));
        string cats = await fs.ReadGlobalFileAsync(id, Path.Combine(_root, "cats.txt"));
        (await fs.ReadGlobalFileStreamAsync(id)).Dispose();
        File.Delete(cats);

        fs.LogAccessedFiles();

        var record = _logger.Collector.GetSnapshot().Should().ContainSingle(r => r.Message.StartsWith("Failed job accessed files:", StringComparison.Ordinal)).Subject;
        record.Level.Should().Be(LogLevel.Warning);
        record.Message.Should().Contain("cats.txt (local copy gone)").And.Contain($"{id} (stream)");
    }

    [Test]
    public async Task LogToLeader_Message_IsKeptInOrderAndLoggedLocally()
    {
        var fs = await NewStoreAsync();

        fs.LogToLeader("first");
        fs.LogToLeader("second", LogLevel.Warning);

        fs.LeaderMessages.Should().Equal(new LeaderMessage("first", LogLevel.Information), new LeaderMessage("second", LogLevel.Warning));
        _logger.Collector.GetSnapshot().Select(r => r.Message).Should().Contain("LOG-TO-LEADER: second");
    }

    [Test]
    public async Task LogUserStreamAsync_InvalidUtf8_IsDecodedWithReplacement()
    {
        var fs = await NewStoreAsync();

        await fs.LogUserStreamAsync("tool.stderr", new MemoryStream([0x61, 0xFF, 0x62]));

        fs.UserStreams.Should().Equal(new UserLogStream("tool.stderr", "a\uFFFDb"));
    }

    private async Task<NonCachingFileStore> NewStoreAsync(Func<CancellationToken, ValueTask>? previous = null, JobRequirements? requirements = null)
    {
        var job = new JobDescription("job", requirements);
        await _store.CreateJobAsync(job);
        string dir = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        return new NonCachingFileStore(_store, job, dir, _logger, previous);
    }
}
