using System.Text;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>
/// Symbolic links planted inside a file job store never lead outside it. For every directory of
/// <c>docs/job-store-format.md</c> and for links at the leaves (a shared file, a file, a record, a lock, a message), the
/// real entry is moved outside the store and replaced by a link to it, with every "inside" in the moved files' content
/// turned into "OUTSID". Then every operation of the store runs: each one either refuses with a typed
/// <see cref="JobStoreException"/> or works inside the store; none returns content from outside, and nothing outside
/// changes.
/// </summary>
[Platform("Linux,MacOsX")]
[CancelAfter(120_000)]
public sealed class FileJobStoreSymbolicLinkTests
{
    private const string InsideMarker = "inside";
    private const string OutsideMarker = "OUTSID";

    private FileJobStoreTestDirectory _t = null!;

    [SetUp]
    public void SetUp() => _t = new FileJobStoreTestDirectory();

    [TearDown]
    public void TearDown() => _t.Dispose();

    public static IEnumerable<string> PlantedLinks() =>
    [
        "files-flat", "files-flat/<flat-name>",
        "job-files", "job-files/<kind>", "job-files/<id>", "job-files/<id>/<kept-name>",
        "shared", "shared/greeting", "shared/config.json",
        "jobs", "jobs/<kind>", "jobs/<id>", "jobs/<id>/job", "jobs/<id>/<cleanup-name>",
        "stats", "stats/inbox", "stats/archive", "stats/inbox/<message>",
        "tmp",
    ];

    [TestCaseSource(nameof(PlantedLinks))]
    public async Task EveryOperation_LinkPlantedInTheStore_RefusesOrStaysInside(string planted)
    {
        await using var store = await _t.CreateAsync(o => o.TransientRetryAttempts = 0);
        var fixture = await PopulateAsync(store);
        string relative = planted
            .Replace("<flat-name>", fixture.FlatId.Split('/')[1], StringComparison.Ordinal)
            .Replace("<cleanup-name>", fixture.CleanupId.Split('/')[^1], StringComparison.Ordinal)
            .Replace("<kind>", fixture.JobId.Split('/')[0], StringComparison.Ordinal)
            .Replace("<id>", fixture.JobId, StringComparison.Ordinal)
            .Replace("<kept-name>", fixture.KeptId.Split('/')[^1], StringComparison.Ordinal)
            .Replace("<message>", Path.GetFileName(Directory.GetFiles(Path.Combine(_t.StorePath, "stats", "inbox")).Single()), StringComparison.Ordinal);
        string outside = Path.Combine(_t.Parent, "outside");
        Directory.CreateDirectory(outside);
        string inStore = Path.Combine(_t.StorePath, relative);
        string target = Path.Combine(outside, Path.GetFileName(inStore));
        PlantLink(inStore, target);
        var before = Snapshot(outside);

        var outcomes = await RunEveryOperationAsync(store, fixture);

        Snapshot(outside).Should().Equal(before, "nothing outside the store may be written, moved or deleted");
        outcomes.Where(o => o.Value is { } v && !v.StartsWith("refused", StringComparison.Ordinal) && !v.StartsWith("ok", StringComparison.Ordinal))
            .Should().BeEmpty("every operation refuses with a typed error or works inside the store");
        outcomes.Values.Should().NotContain(v => v.Contains(OutsideMarker, StringComparison.Ordinal), "no content may be read from outside");
        outcomes.Values.Should().Contain(v => v.StartsWith("refused: link", StringComparison.Ordinal), $"an operation through '{relative}' meets the link and says so");
        if (Directory.Exists(target))
        {
            new FileInfo(inStore).LinkTarget.Should().NotBeNull("a linked directory is left for the operator to see (a linked leaf may be replaced by a write)");
        }
    }

    [Test]
    public async Task EveryOperation_RootItselfIsALink_Works()
    {
        // The locator is not resolved: a store reached through a linked root (or a linked parent) is the operator's choice.
        string real = Path.Combine(_t.Parent, "real-store");
        await (await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = "file:" + real })).DisposeAsync();
        Directory.CreateSymbolicLink(_t.StorePath, real);
        await using var store = await _t.OpenAsync();
        var fixture = await PopulateAsync(store);

        var outcomes = await RunEveryOperationAsync(store, fixture);

        outcomes.Where(o => !o.Value!.StartsWith("ok", StringComparison.Ordinal)).Should().BeEmpty();
    }

    [Test]
    public async Task OpenAsync_LayoutDirectoryIsALink_ThrowsSymbolicLinkInJobStore()
    {
        await (await _t.CreateAsync()).DisposeAsync();
        string outside = Path.Combine(_t.Parent, "outside-jobs");
        PlantLink(Path.Combine(_t.StorePath, "jobs"), outside);

        var open = async () => await _t.OpenAsync();

        (await open.Should().ThrowAsync<SymbolicLinkInJobStoreException>()).Which.Path.Should().Be(Path.Combine(_t.StorePath, "jobs"));
    }

    private static void PlantLink(string inStore, string target)
    {
        if (Directory.Exists(inStore))
        {
            Directory.Move(inStore, target);
            Directory.CreateSymbolicLink(inStore, target);
        }
        else
        {
            File.Move(inStore, target);
            File.CreateSymbolicLink(inStore, target);
        }

        foreach (string file in Directory.Exists(target) ? Directory.GetFiles(target, "*", SearchOption.AllDirectories) : [target])
        {
            byte[] bytes = File.ReadAllBytes(file);
            File.WriteAllBytes(file, Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace(InsideMarker, OutsideMarker, StringComparison.Ordinal)));
        }
    }

    private static SortedDictionary<string, string> Snapshot(string directory)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string entry in Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories))
        {
            entries[Path.GetRelativePath(directory, entry)] = Directory.Exists(entry) ? "<dir>" : File.ReadAllText(entry);
        }

        return entries;
    }

    private static async Task<Fixture> PopulateAsync(FileJobStore store)
    {
        var job = FileJobStoreTestDirectory.NewJob("linked");
        job.UnitName = InsideMarker + "-unit";
        string jobId = await store.CreateJobAsync(job);
        string other = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob("linked"));
        string flat = await store.WriteFileAsync(Encoding.UTF8.GetBytes(InsideMarker + "-flat"));
        string kept = await store.WriteFileAsync(Encoding.UTF8.GetBytes(InsideMarker + "-kept"), jobId);
        string cleanup = await store.WriteFileAsync(Encoding.UTF8.GetBytes(InsideMarker + "-cleanup"), jobId, cleanup: true);
        await store.WriteSharedFileAsync("greeting", Encoding.UTF8.GetBytes(InsideMarker + "-shared"));
        await store.SetRootJobIdAsync(jobId);
        await store.WriteLogsAsync(Encoding.UTF8.GetBytes(InsideMarker + "-archived"));
        await store.ReadLogsAsync((_, _) => ValueTask.CompletedTask);
        await store.WriteLogsAsync(Encoding.UTF8.GetBytes(InsideMarker + "-message"));
        return new Fixture(jobId, other, flat, kept, cleanup);
    }

    private async Task<Dictionary<string, string?>> RunEveryOperationAsync(FileJobStore store, Fixture f)
    {
        var outcomes = new Dictionary<string, string?>(StringComparer.Ordinal);
        async Task Run(string name, Func<Task<string>> op)
        {
            try
            {
                outcomes[name] = "ok: " + await op();
            }
            catch (SymbolicLinkInJobStoreException ex)
            {
                outcomes[name] = "refused: link " + ex.Path;
            }
            catch (InvalidJobStoreIdException ex) when (ex.Reason.Contains("symbolic link", StringComparison.Ordinal))
            {
                outcomes[name] = "refused: link " + ex.Id;
            }
            catch (JobStoreException ex)
            {
                outcomes[name] = "refused: " + ex.GetType().Name;
            }
            catch (Exception ex)
            {
                outcomes[name] = $"UNTYPED {ex.GetType().Name}: {ex.Message}";
            }
        }

        static async Task<string> Text(Stream s)
        {
            await using (s)
            {
                using var reader = new StreamReader(s);
                return await reader.ReadToEndAsync();
            }
        }

        await Run("load", async () => (await store.LoadJobAsync(f.JobId)).UnitName);
        await Run("list", async () => string.Join(",", (await store.ListJobsAsync().ToListAsync()).Select(j => j.UnitName)));
        await Run("update", async () =>
        {
            var job = await store.LoadJobAsync(f.OtherJobId);
            job.UnitName = "updated";
            await store.UpdateJobAsync(job);
            return job.UnitName;
        });
        await Run("create", async () => await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob("linked")));
        await Run("exists", async () => (await store.JobExistsAsync(f.JobId)).ToString());
        await Run("read-flat", async () => await Text(await store.OpenReadFileAsync(f.FlatId)));
        await Run("read-kept", async () => await Text(await store.OpenReadFileAsync(f.KeptId)));
        await Run("read-cleanup", async () => await Text(await store.OpenReadFileAsync(f.CleanupId)));
        await Run("size-flat", async () => (await store.GetFileSizeAsync(f.FlatId)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Run("file-exists", async () => (await store.FileExistsAsync(f.KeptId)).ToString());
        await Run("write-flat", async () => await store.WriteFileAsync("new"u8.ToArray()));
        await Run("write-owned", async () => await store.WriteFileAsync("new"u8.ToArray(), f.JobId));
        await Run("write-owned-cleanup", async () => await store.WriteFileAsync("new"u8.ToArray(), f.JobId, cleanup: true));
        await Run("update-flat", async () =>
        {
            await store.UpdateFileAsync(f.FlatId, new MemoryStream("changed"u8.ToArray()));
            return "updated";
        });
        await Run("update-kept", async () =>
        {
            await store.UpdateFileAsync(f.KeptId, new MemoryStream("changed"u8.ToArray()));
            return "updated";
        });
        await Run("read-shared", async () => await Text(await store.OpenReadSharedFileAsync("greeting")));
        await Run("shared-exists", async () => (await store.SharedFileExistsAsync("greeting")).ToString());
        await Run("write-shared", async () =>
        {
            await store.WriteSharedFileAsync("greeting", "replaced"u8.ToArray());
            return "written";
        });
        await Run("root-job", async () => await store.GetRootJobIdAsync() ?? "none");
        await Run("write-logs", async () =>
        {
            await store.WriteLogsAsync("new-message"u8.ToArray());
            return "written";
        });
        await Run("read-logs", async () =>
        {
            var texts = new List<string>();
            await store.ReadLogsAsync(async (s, ct) => texts.Add(await new StreamReader(s).ReadToEndAsync(ct)), readAll: true);
            return string.Join(",", texts);
        });
        await Run("reopen", async () =>
        {
            await using var second = await _t.OpenAsync();
            return second.Config.WorkflowId;
        });
        await Run("delete-flat", async () =>
        {
            await store.DeleteFileAsync(f.FlatId);
            return "deleted";
        });
        await Run("delete-kept", async () =>
        {
            await store.DeleteFileAsync(f.KeptId);
            return "deleted";
        });
        await Run("delete-job", async () =>
        {
            await store.DeleteJobAsync(f.JobId);
            return "deleted";
        });
        await Run("delete-other-job", async () =>
        {
            await store.DeleteJobAsync(f.OtherJobId);
            return "deleted";
        });
        return outcomes;
    }

    private sealed record Fixture(string JobId, string OtherJobId, string FlatId, string KeptId, string CleanupId);
}
