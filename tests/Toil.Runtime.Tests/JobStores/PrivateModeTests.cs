using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Toil.Runtime.Deferred;
using Toil.Runtime.FileStores;
using Toil.Runtime.IO;
using Toil.Runtime.JobStores;
using Toil.Runtime.Tests.Deferred;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>
/// Who can read what the runtime creates: a file job store, worker, job-temp and deferred-function directories are
/// private (0700/0600) whatever the umask, 0750/0640 with <see cref="FileJobStoreOptions.ShareWithGroup"/>, and the
/// leader's environment file is 0600 always.
/// </summary>
/// <remarks>
/// The umask is process-wide, so these tests set it and restore it in <c>finally</c>, and run alone
/// (<see cref="NonParallelizableAttribute"/>; this assembly runs nothing in parallel anyway): a child process per umask
/// would cost a process start per case for no more isolation.
/// </remarks>
[NonParallelizable]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Platform("Linux,MacOsX")]
[CancelAfter(60_000)]
public sealed class PrivateModeTests
{
    private const UnixFileMode Mode0700 = AccessModes.PrivateDirectory;
    private const UnixFileMode Mode0600 = AccessModes.PrivateFile;
    private const UnixFileMode Mode0750 = AccessModes.GroupDirectory;
    private const UnixFileMode Mode0640 = AccessModes.GroupFile;

    private FileJobStoreTestDirectory _t = null!;

    [SetUp]
    public void SetUp() => _t = new FileJobStoreTestDirectory();

    [TearDown]
    public void TearDown() => _t.Dispose();

    [TestCase(0b_000_000_000)] // 000
    [TestCase(0b_000_010_010)] // 022
    [TestCase(0b_000_111_111)] // 077
    public async Task FileJobStore_AnyUmask_EveryDirectoryIs0700AndEveryFile0600(int umask)
    {
        await WithUmaskAsync(umask, async () =>
        {
            await using var store = await _t.CreateAsync();
            await PopulateAsync(store);
            await using var reopened = await _t.OpenAsync();
            await reopened.WriteSharedFileAsync("after-reopen", "x"u8.ToArray());
        });

        AssertModes(_t.StorePath, Mode0700, Mode0600);
    }

    [TestCase(0b_000_000_000)] // 000
    [TestCase(0b_000_010_010)] // 022
    [TestCase(0b_000_111_111)] // 077: the group bits are set again after creation
    public async Task FileJobStore_ShareWithGroup_DirectoriesAre0750FilesAre0640AndTheEnvironmentFile0600(int umask)
    {
        await WithUmaskAsync(umask, async () =>
        {
            await using var store = await _t.CreateAsync(o => o.ShareWithGroup = true);
            await PopulateAsync(store);
        });

        string environment = Path.Combine(_t.StorePath, FileJobStore.SharedDirectory, SharedFileNames.Environment);
        File.GetUnixFileMode(environment).Should().Be(Mode0600, "the leader's environment often holds credentials");
        AssertModes(_t.StorePath, Mode0750, Mode0640, except: environment);
    }

    [Test]
    public async Task OpenAsync_RootLooserThanTheConfiguredMode_LogsAWarning()
    {
        await (await _t.CreateAsync()).DisposeAsync();
        File.SetUnixFileMode(_t.StorePath, Mode0700 | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var logger = new FakeLogger();

        await using var store = await FileJobStore.OpenAsync(_t.Options(), logger);

        var warning = logger.Collector.GetSnapshot().Should().ContainSingle(r => r.Level == LogLevel.Warning).Subject;
        warning.Message.Should().Contain("0755").And.Contain("0700").And.Contain(_t.StorePath);
    }

    [Test]
    public async Task OpenAsync_RootAsTightAsOrTighterThanTheMode_LogsNoWarning()
    {
        await (await _t.CreateAsync()).DisposeAsync();
        var logger = new FakeLogger();

        await (await FileJobStore.OpenAsync(_t.Options(), logger)).DisposeAsync();
        await (await FileJobStore.OpenAsync(_t.Options(o => o.ShareWithGroup = true), logger)).DisposeAsync();
        File.SetUnixFileMode(_t.StorePath, Mode0750);
        await (await FileJobStore.OpenAsync(_t.Options(o => o.ShareWithGroup = true), logger)).DisposeAsync();

        logger.Collector.GetSnapshot().Should().NotContain(r => r.Level >= LogLevel.Warning);
    }

    [TestCase(0b_000_000_000)]
    [TestCase(0b_000_010_010)]
    public async Task WorkerDirectories_AnyUmask_WorkflowCoordinationTempAndJobDirectoriesArePrivate(int umask)
    {
        string workDir = Path.Combine(_t.Parent, "work");
        Directory.CreateDirectory(workDir);
        WorkerDirectories directories = null!;
        string localTempDir = null!;
        string localTempFile = null!;
        string deferredState = null!;
        await WithUmaskAsync(umask, async () =>
        {
            var options = new WorkerOptions { WorkDir = workDir, CoordinationDir = Path.Combine(_t.Parent, "coordination", "nested") };
            directories = WorkerDirectories.Create(options, "workflow-" + Guid.NewGuid().ToString("N"), null, nameProcess: false);
            var jobStore = new InMemoryJobStore();
            var job = FileJobStoreTestDirectory.NewJob();
            await jobStore.CreateJobAsync(job);
            var fileStore = new NonCachingFileStore(jobStore, job, directories.NextJobDirectory(), NullLogger.Instance, null, WorkerDirectories.DirectoryMode, localTempKnownAbsent: true, ensureParent: directories.EnsureTempDirectoryAction);
            localTempDir = fileStore.GetLocalTempDir();
            localTempFile = fileStore.GetLocalTempFile();

            using var deferred = new DeferredTestDirectory();
            var manager = await new DeferredFunctionManagerFactory(deferred.Registry).OpenAsync(directories.CoordinationDirectory);
            await using (var scope = await manager.BeginJobAsync())
            {
                await scope.DeferAsync("note", new Note("mode"));
                deferredState = Path.Combine(directories.CoordinationDirectory, DeferredFunctionManager.DirectoryName, manager.WorkerId + ".json");
                File.GetUnixFileMode(deferredState).Should().Be(Mode0600, "a deferred call's arguments may be private");
                File.GetUnixFileMode(Path.Combine(directories.CoordinationDirectory, DeferredFunctionManager.DirectoryName, manager.WorkerId + ".lock")).Should().Be(Mode0600);
                await scope.RunAsync();
            }

            await manager.DisposeAsync();
        });

        foreach (string dir in new[]
        {
            directories.WorkflowDirectory, directories.TempDirectory, directories.CoordinationDirectory,
            Path.GetDirectoryName(directories.CoordinationDirectory)!, Path.GetDirectoryName(localTempDir)!, localTempDir,
            Path.Combine(directories.CoordinationDirectory, DeferredFunctionManager.DirectoryName),
        })
        {
            File.GetUnixFileMode(dir).Should().Be(Mode0700, dir);
        }

        File.GetUnixFileMode(localTempFile).Should().Be(Mode0600);
    }

    /// <summary>Writes one of everything a store holds: records, a lock, owned and flat files, shared files, a stats message.</summary>
    private static async Task PopulateAsync(FileJobStore store)
    {
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        var job = await store.LoadJobAsync(id);
        await store.UpdateJobAsync(job);
        await store.WriteFileAsync("flat"u8.ToArray());
        await store.WriteFileAsync("kept"u8.ToArray(), id);
        await store.WriteFileAsync("cleanup"u8.ToArray(), id, cleanup: true);
        string updated = await store.WriteFileAsync("v1"u8.ToArray());
        await store.UpdateFileAsync(updated, new MemoryStream("v2"u8.ToArray()));
        await store.WriteSharedFileAsync(SharedFileNames.Environment, "{\"SECRET\":\"x\"}"u8.ToArray());
        await store.WriteSharedFileAsync("other", "x"u8.ToArray());
        await store.SetRootJobIdAsync(id);
        await store.WriteLogsAsync("{}"u8.ToArray());
        await store.WriteLogsAsync("{}"u8.ToArray());
        await store.ReadLogsAsync((_, _) => ValueTask.CompletedTask);
        string deleted = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob("deleted"));
        await store.DeleteJobAsync(deleted);
    }

    private static void AssertModes(string root, UnixFileMode directories, UnixFileMode files, string? except = null)
    {
        File.GetUnixFileMode(root).Should().Be(directories, "the root");
        int checkedFiles = 0;
        foreach (string entry in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories))
        {
            if (entry == except)
            {
                continue;
            }

            bool isDirectory = Directory.Exists(entry);
            File.GetUnixFileMode(entry).Should().Be(isDirectory ? directories : files, Path.GetRelativePath(root, entry));
            checkedFiles += isDirectory ? 0 : 1;
        }

        checkedFiles.Should().BeGreaterThan(8, "records, locks, files, shared files and messages were all checked");
    }

    private static async Task WithUmaskAsync(int umask, Func<Task> action)
    {
        uint previous = Libc.Umask((uint)umask);
        try
        {
            await action();
        }
        finally
        {
            Libc.Umask(previous);
        }
    }
}
