using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>Behaviour specific to <see cref="FileJobStore"/>: layout, lifecycle, hostile IDs, corrupt records, atomic streams.</summary>
public sealed class FileJobStoreTests
{
    private FileJobStoreTestDirectory _t = null!;

    [SetUp]
    public void SetUp() => _t = new FileJobStoreTestDirectory();

    [TearDown]
    public void TearDown() => _t.Dispose();

    // ---- Lifecycle ----

    [Test]
    public async Task CreateAsync_NewLocator_CreatesTheDocumentedLayoutAndNothingElse()
    {
        await using var store = await _t.CreateAsync();

        _t.RelativeEntries().Should().Equal(
            "files-flat", "format.json", "job-files", "jobs", "shared", "shared/config.json", "stats", "stats/archive", "stats/inbox", "tmp");
        Directory.GetFileSystemEntries(_t.Parent).Should().Equal([_t.StorePath], "the staging directory is renamed into place");
        using var format = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(_t.StorePath, "format.json")));
        format.RootElement.GetProperty("schemaVersion").GetInt32().Should().Be(3);
        format.RootElement.GetProperty("layout").GetString().Should().Be("toil-runtime-file-job-store");
        store.Locator.Should().Be("file:" + _t.StorePath);
    }

    [Test]
    public async Task CreateAsync_SomethingExistsAtTheLocator_ThrowsJobStoreExists()
    {
        Directory.CreateDirectory(_t.StorePath);

        var act = async () => await _t.CreateAsync();

        await act.Should().ThrowAsync<JobStoreExistsException>();
        Directory.GetFileSystemEntries(_t.StorePath).Should().BeEmpty();
    }

    [Test]
    public async Task OpenAsync_NothingAtTheLocator_ThrowsNoSuchJobStore()
    {
        var act = async () => await _t.OpenAsync();

        await act.Should().ThrowAsync<NoSuchJobStoreException>();
    }

    [Test]
    public async Task OpenAsync_StoreWithoutFormatMarker_ThrowsNoSuchJobStore()
    {
        (await _t.CreateAsync()).Should().NotBeNull();
        File.Delete(Path.Combine(_t.StorePath, "format.json"));

        var act = async () => await _t.OpenAsync();

        await act.Should().ThrowAsync<NoSuchJobStoreException>();
    }

    [Test]
    public async Task OpenAsync_UnknownLayoutVersion_ThrowsCorruptRecord()
    {
        (await _t.CreateAsync()).Should().NotBeNull();
        await File.WriteAllTextAsync(Path.Combine(_t.StorePath, "format.json"), """{"schemaVersion":99,"layout":"toil-runtime-file-job-store"}""");

        var act = async () => await _t.OpenAsync();

        (await act.Should().ThrowAsync<CorruptJobRecordException>()).Which.Message.Should().Contain("99");
    }

    [Test]
    public async Task OpenAsync_ByLocatorString_ReadsThePersistedConfiguration()
    {
        var config = new WorkflowConfig { RetryCount = 7, DefaultCores = 3 };
        (await _t.CreateAsync(config: config)).Should().NotBeNull();

        await using var byLocator = await FileJobStore.OpenAsync("file:" + _t.StorePath);
        await using var byPath = await FileJobStore.OpenAsync(_t.StorePath);

        byLocator.Config.Should().Be(config);
        byPath.Config.Should().Be(config);
        using var doc = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(_t.StorePath, "shared", "config.json")));
        doc.RootElement.GetProperty("schemaVersion").GetInt32().Should().Be(1);
        doc.RootElement.GetProperty("retryCount").GetInt32().Should().Be(7);
    }

    [TestCase("file:relative/store", true)]
    [TestCase("./relative", true)]
    [TestCase("/abs/store", true)]
    [TestCase("file:///abs/store", true)]
    [TestCase("aws:us-east-1:store", false)]
    [TestCase("memory:abc", false)]
    [TestCase("", false)]
    [TestCase("file:", false)]
    public void TryParseLocator_Locator_RecognisesFileLocators(string locator, bool expected)
    {
        FileJobStore.TryParseLocator(locator, out string? path).Should().Be(expected);
        if (expected)
        {
            Path.IsPathFullyQualified(path!).Should().BeTrue();
        }
    }

    [Test]
    public async Task CreateAsync_InvalidOptions_ThrowsOptionsValidationNamingEachProblem()
    {
        var options = _t.Options(o =>
        {
            o.Locator = "aws:x:y";
            o.LockTimeout = TimeSpan.Zero;
            o.TransientRetryAttempts = -1;
        });

        var act = async () => await FileJobStore.CreateAsync(options);

        var thrown = await act.Should().ThrowAsync<OptionsValidationException>();
        thrown.Which.Failures.Should().HaveCount(3);
        new FileJobStoreOptionsValidator().Validate(null, options).Failed.Should().BeTrue();
        new FileJobStoreOptionsValidator().Validate(null, _t.Options()).Succeeded.Should().BeTrue();
        Directory.Exists(_t.StorePath).Should().BeFalse();
    }

    [Test]
    public async Task Options_BoundThroughIOptionsWithTheValidator_RejectBadValuesAndOpenTheStore()
    {
        (await _t.CreateAsync()).Should().NotBeNull();
        using var good = Provider(o => o.Locator = _t.StorePath);
        using var bad = Provider(o =>
        {
            o.Locator = _t.StorePath;
            o.VisibilityTimeout = TimeSpan.FromHours(1);
        });

        await using var store = await FileJobStore.OpenAsync(good.GetRequiredService<IOptions<FileJobStoreOptions>>().Value);
        var act = () => bad.GetRequiredService<IOptions<FileJobStoreOptions>>().Value;

        store.Config.Should().NotBeNull();
        act.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain(nameof(FileJobStoreOptions.VisibilityTimeout));

        static ServiceProvider Provider(Action<FileJobStoreOptions> configure)
        {
            var services = new ServiceCollection();
            services.AddOptions<FileJobStoreOptions>().Configure(configure);
            services.AddSingleton<IValidateOptions<FileJobStoreOptions>, FileJobStoreOptionsValidator>();
            return services.BuildServiceProvider();
        }
    }

    [Test]
    public async Task DestroyAsync_HalfDeletedStore_RemovesWhatIsLeftAndIsIdempotent()
    {
        await using var store = await _t.CreateAsync();
        var job = FileJobStoreTestDirectory.NewJob();
        await store.CreateJobAsync(job);
        await store.WriteFileAsync(new byte[] { 1, 2, 3 }, job.JobStoreId, cleanup: true);
        Directory.Delete(Path.Combine(_t.StorePath, "shared"), recursive: true);
        Directory.Delete(Path.Combine(_t.StorePath, "jobs"), recursive: true);
        File.Delete(Path.Combine(_t.StorePath, "format.json"));
        string interrupted = Path.Combine(_t.Parent, $".store.{Guid.NewGuid():N}.destroying");
        Directory.CreateDirectory(Path.Combine(interrupted, "stats"));

        await FileJobStore.DestroyAsync("file:" + _t.StorePath);
        await FileJobStore.DestroyAsync("file:" + _t.StorePath);
        await store.DestroyAsync();

        Directory.GetFileSystemEntries(_t.Parent).Should().BeEmpty();
        var act = async () => await store.LoadJobAsync(job.JobStoreId);
        await act.Should().ThrowAsync<NoSuchJobStoreException>();
    }

    [Test]
    public async Task DestroyAsync_DirectoryWithForeignContent_RefusesAndDeletesNothing()
    {
        Directory.CreateDirectory(Path.Combine(_t.StorePath, "jobs"));
        await File.WriteAllTextAsync(Path.Combine(_t.StorePath, "thesis.tex"), "precious");

        var act = async () => await FileJobStore.DestroyAsync(_t.StorePath);

        (await act.Should().ThrowAsync<JobStoreException>()).Which.Message.Should().Contain("thesis.tex");
        File.Exists(Path.Combine(_t.StorePath, "thesis.tex")).Should().BeTrue();
    }

    [Test]
    public async Task OpenAsync_TrashLeftByACrashedDelete_IsSwept()
    {
        (await _t.CreateAsync()).Should().NotBeNull();
        string trash = Path.Combine(_t.StorePath, "tmp", $"trash-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(trash, "cleanup", "file-1"));
        await File.WriteAllTextAsync(Path.Combine(trash, "cleanup", "file-1", "stream"), "x");

        await using var reopened = await _t.OpenAsync();

        Directory.Exists(trash).Should().BeFalse();
    }

    // ---- Jobs ----

    [Test]
    public async Task CreateJobsAsync_AssignedJob_IsStoredAsJsonUnderItsIdPath()
    {
        await using var store = await _t.CreateAsync();
        var job = FileJobStoreTestDirectory.NewJob("Count words!");

        string id = await store.CreateJobAsync(job);

        id.Should().MatchRegex("^kind-Count_words/instance-[0-9a-f]{32}$");
        string record = Path.Combine(_t.StorePath, "jobs", id, "job");
        using var doc = JsonDocument.Parse(await File.ReadAllBytesAsync(record));
        doc.RootElement.GetProperty("schemaVersion").GetInt32().Should().Be(1);
        doc.RootElement.GetProperty("jobStoreId").GetString().Should().Be(id);
        doc.RootElement.GetProperty("version").GetInt64().Should().Be(1);
        Directory.GetFileSystemEntries(Path.Combine(_t.StorePath, "jobs", id)).Select(Path.GetFileName).Should().BeEquivalentTo(["job"], "format 2 locks the directory itself: no lock file");
    }

    [Test]
    public async Task CreateJobsAsync_IdNotAssignedByThisStore_ThrowsInvalidIdAndWritesNothing()
    {
        await using var store = await _t.CreateAsync();
        var temporary = FileJobStoreTestDirectory.NewJob();
        var forged = FileJobStoreTestDirectory.NewJob();
        forged.JobStoreId = $"kind-job/instance-{Guid.NewGuid():N}";

        var actTemporary = async () => await store.CreateJobsAsync([temporary]);
        var actForged = async () => await store.CreateJobsAsync([forged]);

        await actTemporary.Should().ThrowAsync<InvalidJobStoreIdException>();
        await actForged.Should().ThrowAsync<InvalidJobStoreIdException>();
        Directory.GetFileSystemEntries(Path.Combine(_t.StorePath, "jobs")).Should().BeEmpty();
    }

    [Test]
    public async Task CreateJobsAsync_BatchWithAnUnpersistableJob_WritesNoneOfItAndKeepsTheVersions()
    {
        await using var store = await _t.CreateAsync();
        var good = FileJobStoreTestDirectory.NewJob("good");
        var bad = FileJobStoreTestDirectory.NewJob("bad");
        await store.AssignJobIdAsync(good);
        await store.AssignJobIdAsync(bad);
        bad.AddServiceHostJob("svc");
        bad.ServiceTree["svc"].Add("not-a-service");

        var act = async () => await store.CreateJobsAsync([good, bad]);

        await act.Should().ThrowAsync<InvalidOperationException>();
        (await store.JobExistsAsync(good.JobStoreId)).Should().BeFalse();
        (await store.JobExistsAsync(bad.JobStoreId)).Should().BeFalse();
        good.Version.Should().Be(0);
        bad.Version.Should().Be(0);
    }

    [Test]
    public async Task CreateJobsAsync_BatchNamingOneJobTwice_WritesNothing()
    {
        await using var store = await _t.CreateAsync();
        var job = FileJobStoreTestDirectory.NewJob();
        await store.AssignJobIdAsync(job);

        var act = async () => await store.CreateJobsAsync([job, job]);

        (await act.Should().ThrowAsync<JobStoreException>()).Which.Message.Should().Contain("twice");
        (await store.JobExistsAsync(job.JobStoreId)).Should().BeFalse();
        job.Version.Should().Be(0);
    }

    [TestCase("")]
    [TestCase("{\"schemaVersion\":1,\"kind\":\"job\",\"jobStoreId\":")]
    [TestCase("not json at all")]
    [TestCase("{\"schemaVersion\":42,\"kind\":\"job\"}")]
    [TestCase("null")]
    public async Task LoadJobAsync_CorruptRecord_ThrowsCorruptRecordNamingTheJob(string content)
    {
        await using var store = await _t.CreateAsync();
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        string record = Path.Combine(_t.StorePath, "jobs", id, "job");
        await File.WriteAllTextAsync(record, content);

        var load = async () => await store.LoadJobAsync(id);
        var stale = FileJobStoreTestDirectory.NewJob();
        stale.JobStoreId = id;
        stale.Version = 1;
        var update = async () => await store.UpdateJobAsync(stale);

        (await load.Should().ThrowAsync<CorruptJobRecordException>()).Which.JobId.Should().Be(id);
        await update.Should().ThrowAsync<CorruptJobRecordException>();
        (await File.ReadAllTextAsync(record)).Should().Be(content, "a corrupt record is left as it is");
    }

    [Test]
    public async Task LoadJobAsync_RecordOfAnotherJob_ThrowsCorruptRecord()
    {
        await using var store = await _t.CreateAsync();
        string a = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        string b = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        File.Copy(Path.Combine(_t.StorePath, "jobs", a, "job"), Path.Combine(_t.StorePath, "jobs", b, "job"), overwrite: true);

        var act = async () => await store.LoadJobAsync(b);

        (await act.Should().ThrowAsync<CorruptJobRecordException>()).Which.Message.Should().Contain(a);
    }

    [TestCase("../x")]
    [TestCase("/etc/passwd")]
    [TestCase("kind-x/../../../etc")]
    public async Task JobOperations_HostileJobId_TreatTheJobAsMissingAndTouchNothingOutside(string id)
    {
        await using var store = await _t.CreateAsync();
        var job = FileJobStoreTestDirectory.NewJob();
        job.JobStoreId = id;

        (await store.JobExistsAsync(id)).Should().BeFalse();
        await store.DeleteJobAsync(id);
        var load = async () => await store.LoadJobAsync(id);
        var update = async () => await store.UpdateJobAsync(job);
        var write = async () => await store.WriteFileAsync(new byte[] { 1 }, id);
        await load.Should().ThrowAsync<NoSuchJobException>();
        await update.Should().ThrowAsync<NoSuchJobException>();
        await write.Should().ThrowAsync<NoSuchJobException>();
        File.Exists("/etc/passwd").Should().BeTrue();
    }

    [Test]
    public async Task LoadJobAsync_ReturnsCallerOwnedCopies()
    {
        await using var store = await _t.CreateAsync();
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());

        var first = await store.LoadJobAsync(id);
        first.AddChild("mutated");
        first.UnitName = "mutated";
        var second = await store.LoadJobAsync(id);

        second.Should().NotBeSameAs(first);
        second.Children.Should().BeEmpty();
        second.UnitName.Should().BeEmpty();
        second.Config.Should().Be(store.Config);
    }

    [Test]
    public async Task DeleteJobAsync_JobWithFiles_DeletesCleanupFilesAndKeepsTheOthers()
    {
        await using var store = await _t.CreateAsync();
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        string cleaned = await store.WriteFileAsync(new byte[] { 1 }, id, cleanup: true);
        string kept = await store.WriteFileAsync(new byte[] { 2 }, id, cleanup: false);
        string flat = await store.WriteFileAsync(new byte[] { 3 });

        await store.DeleteJobAsync(id);

        (await store.JobExistsAsync(id)).Should().BeFalse();
        (await store.FileExistsAsync(cleaned)).Should().BeFalse();
        (await store.FileExistsAsync(kept)).Should().BeTrue();
        (await store.ReadAllBytesAsync(kept)).Should().Equal(2);
        (await store.FileExistsAsync(flat)).Should().BeTrue();
        Directory.Exists(Path.Combine(_t.StorePath, "jobs", id)).Should().BeFalse();
        Directory.GetFileSystemEntries(Path.Combine(_t.StorePath, "tmp")).Should().BeEmpty("the moved-away directories are deleted");
    }

    [Test]
    public async Task ListJobsAsync_LeftoverTempFiles_AreIgnored()
    {
        await using var store = await _t.CreateAsync();
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        await File.WriteAllTextAsync(Path.Combine(_t.StorePath, "jobs", id, $"job.{Guid.NewGuid():N}.tmp"), "{\"trunc");
        Directory.CreateDirectory(Path.Combine(_t.StorePath, "jobs", $"kind-x/instance-{Guid.NewGuid():N}"));

        var jobs = await store.ListJobsAsync().ToListAsync();

        jobs.Select(j => j.JobStoreId).Should().Equal(id);
    }

    [Test]
    public async Task ListJobsAsync_RecordReplacedByADirectory_ThrowsCorruptJobRecordAndDeletesNothing()
    {
        // The listing reads each record without checking for it first: a directory in the record's place is a corrupt
        // record, as a record of bad JSON is, not a job that is not there.
        await using var store = await _t.CreateAsync();
        string good = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        string bad = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        string record = Path.Combine(_t.StorePath, "jobs", bad, "job");
        File.Delete(record);
        Directory.CreateDirectory(record);

        var list = async () => await store.ListJobsAsync().ToListAsync();

        (await list.Should().ThrowAsync<CorruptJobRecordException>()).Which.JobId.Should().Be(bad);
        (await store.JobExistsAsync(good)).Should().BeTrue();
        Directory.Exists(record).Should().BeTrue();
    }

    // ---- Files ----

    [Test]
    public async Task WriteFileAsync_Ids_FollowTheDocumentedLayoutAndEndWithTheBaseName()
    {
        await using var store = await _t.CreateAsync();
        string job = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());

        string flat = await store.WriteFileAsync(new byte[] { 1 }, baseName: "data.csv");
        string owned = await store.WriteFileAsync(new byte[] { 1 }, job, baseName: "out.txt");
        string cleaned = await store.WriteFileAsync(new byte[] { 1 }, job, cleanup: true);

        flat.Should().MatchRegex("^files-flat/file-[0-9a-f]{32}-data\\.csv$");
        owned.Should().MatchRegex($"^job-files/{job}/file-[0-9a-f]{{32}}-out\\.txt$");
        cleaned.Should().MatchRegex($"^jobs/{job}/file-[0-9a-f]{{32}}-stream$");
        foreach (string id in new[] { flat, owned, cleaned })
        {
            File.Exists(Path.Combine(_t.StorePath, id)).Should().BeTrue();
        }
    }

    [TestCase("../x")]
    [TestCase("/etc/passwd")]
    [TestCase("files-flat/../../x")]
    [TestCase("job-files/a/../../../etc/passwd")]
    [TestCase("files-flat\\..\\x")]
    public async Task FileOperations_IdEscapingTheStore_ThrowInvalidId(string id)
    {
        await using var store = await _t.CreateAsync();

        await ShouldBeInvalid(() => store.OpenReadFileAsync(id).AsTask());
        await ShouldBeInvalid(() => store.UpdateFileAsync(id, new MemoryStream(new byte[] { 1 })).AsTask());
        await ShouldBeInvalid(() => store.DeleteFileAsync(id).AsTask());
        await ShouldBeInvalid(() => store.FileExistsAsync(id).AsTask());
        await ShouldBeInvalid(() => store.GetFileSizeAsync(id).AsTask());
    }

    [Test]
    public async Task FileOperations_IdThroughASymbolicLinkOutOfTheStore_ThrowInvalidId()
    {
        await using var store = await _t.CreateAsync();
        string outside = Path.Combine(_t.Parent, "outside");
        Directory.CreateDirectory(outside);
        await File.WriteAllTextAsync(Path.Combine(outside, "secret"), "secret");
        Directory.CreateSymbolicLink(Path.Combine(_t.StorePath, "files-flat", "file-evil"), outside);
        Directory.CreateDirectory(Path.Combine(_t.StorePath, "files-flat", "file-evil2"));
        File.CreateSymbolicLink(Path.Combine(_t.StorePath, "files-flat", "file-evil2", "secret"), Path.Combine(outside, "secret"));

        foreach (string id in new[] { "files-flat/file-evil/secret", "files-flat/file-evil2/secret" })
        {
            await ShouldBeInvalid(() => store.OpenReadFileAsync(id).AsTask());
            await ShouldBeInvalid(() => store.UpdateFileAsync(id, new MemoryStream(new byte[] { 1 })).AsTask());
            await ShouldBeInvalid(() => store.DeleteFileAsync(id).AsTask());
            await ShouldBeInvalid(() => store.FileExistsAsync(id).AsTask());
        }

        (await File.ReadAllTextAsync(Path.Combine(outside, "secret"))).Should().Be("secret");
    }

    [TestCase("jobs/kind-x/instance-y/job")]
    [TestCase("shared/config.json")]
    [TestCase("no-such-file")]
    public async Task FileOperations_WellFormedIdOutsideTheFileAreas_BehaveAsMissing(string id)
    {
        await using var store = await _t.CreateAsync();

        (await store.FileExistsAsync(id)).Should().BeFalse();
        (await store.GetFileSizeAsync(id)).Should().Be(0);
        await store.DeleteFileAsync(id);
        var read = async () => await store.OpenReadFileAsync(id);
        await read.Should().ThrowAsync<NoSuchFileException>();
        File.Exists(Path.Combine(_t.StorePath, "shared", "config.json")).Should().BeTrue();
    }

    [TestCase("../config")]
    [TestCase("a/b")]
    [TestCase("")]
    [TestCase("..")]
    public async Task SharedFiles_InvalidName_ThrowInvalidId(string name)
    {
        await using var store = await _t.CreateAsync();

        await ShouldBeInvalid(() => store.WriteSharedFileAsync(name, new byte[] { 1 }).AsTask());
        await ShouldBeInvalid(() => store.OpenReadSharedFileAsync(name).AsTask());
        await ShouldBeInvalid(() => store.SharedFileExistsAsync(name).AsTask());
    }

    [Test]
    public async Task WriteFileAsync_WriterThrows_LeavesNoFileAndNoDirectory()
    {
        await using var store = await _t.CreateAsync();
        string job = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        var before = _t.RelativeEntries();

        var act = async () => await store.WriteFileAsync(
            async (s, ct) =>
            {
                await s.WriteAsync(new byte[1000], ct);
                throw new InvalidOperationException("writer failed");
            },
            job,
            cleanup: true);

        await act.Should().ThrowAsync<InvalidOperationException>();
        _t.RelativeEntries().Where(e => !e.StartsWith("job-files", StringComparison.Ordinal)).Should().Equal(before.Where(e => !e.StartsWith("job-files", StringComparison.Ordinal)));
        Directory.EnumerateFiles(Path.Combine(_t.StorePath, "job-files"), "*", SearchOption.AllDirectories).Should().BeEmpty();
        Directory.EnumerateDirectories(Path.Combine(_t.StorePath, "job-files"), "file-*", SearchOption.AllDirectories).Should().BeEmpty();
    }

    [Test]
    public async Task UpdateFileAsync_WriterThrows_KeepsTheOldContentAndNoTempFile()
    {
        await using var store = await _t.CreateAsync();
        string id = await store.WriteFileAsync(Encoding.UTF8.GetBytes("old"));

        var act = async () => await store.UpdateFileAsync(id, async (s, ct) =>
        {
            await s.WriteAsync(Encoding.UTF8.GetBytes("new but half"), ct);
            throw new InvalidOperationException("writer failed");
        });

        await act.Should().ThrowAsync<InvalidOperationException>();
        Encoding.UTF8.GetString(await store.ReadAllBytesAsync(id)).Should().Be("old");
        Directory.GetFiles(Path.GetDirectoryName(Path.Combine(_t.StorePath, id))!).Should().ContainSingle();
    }

    [Test]
    public async Task WriteSharedFileAsync_WriterThrows_KeepsTheOldContent()
    {
        await using var store = await _t.CreateAsync();
        await store.WriteSharedFileAsync("environment.json", Encoding.UTF8.GetBytes("{}"));

        var act = async () => await store.WriteSharedFileAsync("environment.json", (_, _) => throw new IOException("disk gone"));

        await act.Should().ThrowAsync<IOException>();
        Encoding.UTF8.GetString(await store.ReadSharedFileBytesAsync("environment.json")).Should().Be("{}");
        Directory.GetFiles(Path.Combine(_t.StorePath, "shared")).Select(Path.GetFileName).Should().BeEquivalentTo("config.json", "environment.json");
    }

    [Test]
    public async Task WriteFileAsync_WriterDisposesTheStream_StillCommitsTheContent()
    {
        await using var store = await _t.CreateAsync();

        string id = await store.WriteFileAsync(async (s, ct) =>
        {
            await using (s)
            {
                await s.WriteAsync(new byte[] { 7, 8 }, ct);
            }
        });

        (await store.ReadAllBytesAsync(id)).Should().Equal(7, 8);
    }

    [Test]
    public async Task DeleteFileAsync_File_RemovesItsDirectoryToo()
    {
        await using var store = await _t.CreateAsync();
        string id = await store.WriteFileAsync(new byte[] { 1 });

        await store.DeleteFileAsync(id);
        await store.DeleteFileAsync(id);

        (await store.FileExistsAsync(id)).Should().BeFalse();
        Directory.GetFileSystemEntries(Path.Combine(_t.StorePath, "files-flat")).Should().BeEmpty();
    }

    // ---- Stats and log messages ----

    [Test]
    public async Task ReadLogsAsync_Messages_DeliveredInOrderThenArchivedAndReadAllRedelivers()
    {
        await using var store = await _t.CreateAsync();
        foreach (string m in new[] { "one", "two", "three" })
        {
            await store.WriteLogsAsync(m);
        }

        await File.WriteAllTextAsync(Path.Combine(_t.StorePath, "stats", "inbox", $"stats00.{Guid.NewGuid():N}.tmp"), "half-written");
        var seen = new List<string>();
        ValueTask Collect(Stream s, CancellationToken ct)
        {
            using var reader = new StreamReader(s, leaveOpen: true);
            seen.Add(reader.ReadToEnd());
            return ValueTask.CompletedTask;
        }

        (await store.ReadLogsAsync(Collect)).Should().Be(3);
        (await store.ReadLogsAsync(Collect)).Should().Be(0);
        Directory.GetFiles(Path.Combine(_t.StorePath, "stats", "archive")).Should().HaveCount(3);
        (await store.ReadLogsAsync(Collect, readAll: true)).Should().Be(3);

        seen.Should().Equal("one", "two", "three", "one", "two", "three");
    }

    [Test]
    public async Task ReadLogsAsync_CallbackThrows_MessageStaysInTheInboxForTheNextRead()
    {
        await using var store = await _t.CreateAsync();
        await store.WriteLogsAsync("stats");

        var act = async () => await store.ReadLogsAsync((_, _) => throw new InvalidOperationException("leader crashed"));

        await act.Should().ThrowAsync<InvalidOperationException>();
        (await store.ReadLogsAsync((_, _) => ValueTask.CompletedTask)).Should().Be(1, "delivery is at least once");
    }

    private static async Task ShouldBeInvalid(Func<Task> act) => await act.Should().ThrowAsync<InvalidJobStoreIdException>();
}
