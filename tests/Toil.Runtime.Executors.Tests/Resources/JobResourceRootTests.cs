using System.IO.Compression;
using System.Security.Cryptography;
using Toil.Runtime.Executors.Resources;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Executors.Tests.Resources;

public class JobResourceRootTests
{
    private string _dir = null!;
    private InMemoryJobStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("toil-root-").FullName;
        _store = new InMemoryJobStore();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void Prepare_NoConfiguredRoot_CreatesOwnedRootWithMode0711InTemporaryDirectory()
    {
        var root = JobResourceRoot.Prepare(null, _dir);

        root.IsOwned.Should().BeTrue();
        Path.GetDirectoryName(root.Path).Should().Be(_dir);
        Directory.Exists(root.Path).Should().BeTrue();
        // The umask may only remove bits, never add group/other read or write.
        (File.GetUnixFileMode(root.Path) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite))
            .Should().Be(UnixFileMode.None);
        root.DeleteIfOwned().Should().BeTrue();
        Directory.Exists(root.Path).Should().BeFalse();
    }

    [Test]
    public void Prepare_ConfiguredRootIsAFile_ThrowsJobResourceException()
    {
        string file = Path.Combine(_dir, "file");
        File.WriteAllText(file, "x");

        var act = () => JobResourceRoot.Prepare(file, null);

        act.Should().Throw<JobResourceException>().WithMessage("*JTRES_ROOT*not a directory*");
    }

    [Test]
    public void Prepare_ConfiguredRoot_IsUsedAndNeverDeleted()
    {
        var root = JobResourceRoot.Prepare(_dir, "/nonexistent");

        root.Path.Should().Be(_dir);
        root.IsOwned.Should().BeFalse();
        root.DeleteIfOwned().Should().BeFalse();
        Directory.Exists(_dir).Should().BeTrue();
    }

    [Test]
    public async Task DownloadAsync_File_PublishesVerifiedContentUnderItsHash()
    {
        var (resource, content) = await StoreFileAsync("Jobs.dll", 100_000);
        var root = JobResourceRoot.Prepare(null, _dir);

        string local = await root.DownloadAsync(resource, JobResourceReaders.FromJobStore(_store));

        local.Should().Be(Path.Combine(root.Path, resource.Sha256, "Jobs.dll"));
        (await File.ReadAllBytesAsync(local)).Should().Equal(content);
        Directory.GetFileSystemEntries(root.Path).Should().Equal(Path.Combine(root.Path, resource.Sha256));
    }

    [Test]
    public async Task DownloadAsync_SecondTime_DoesNotReadTheStoreAgain()
    {
        var (resource, _) = await StoreFileAsync("Jobs.dll", 1000);
        var root = JobResourceRoot.Prepare(null, _dir);
        int reads = 0;
        var inner = JobResourceReaders.FromJobStore(_store);
        JobResourceReader counting = (r, ct) =>
        {
            Interlocked.Increment(ref reads);
            return inner(r, ct);
        };

        string first = await root.DownloadAsync(resource, counting);
        string second = await root.DownloadAsync(resource, counting);

        second.Should().Be(first);
        reads.Should().Be(1);
    }

    [Test]
    public async Task DownloadAsync_ContentDoesNotMatchHash_ThrowsAndPublishesNothing()
    {
        var (resource, _) = await StoreFileAsync("Jobs.dll", 1000);
        var tampered = new JobResource(resource.Kind, resource.Name, resource.PathHash, resource.JobStore, resource.FileId, new string('0', 64));
        var root = JobResourceRoot.Prepare(null, _dir);

        var act = () => root.DownloadAsync(tampered, JobResourceReaders.FromJobStore(_store));

        await act.Should().ThrowAsync<JobResourceException>().WithMessage($"*SHA-256 {resource.Sha256}, expected {new string('0', 64)}*");
        Directory.GetFileSystemEntries(root.Path).Should().BeEmpty("neither the target nor staging leftovers may remain");
    }

    [Test]
    public async Task DownloadAsync_ConcurrentDownloadsOfSameContent_AllSucceedWithOnePublishedCopy()
    {
        var (resource, content) = await StoreFileAsync("Jobs.dll", 300_000);
        var root = JobResourceRoot.Prepare(null, _dir);
        var reader = JobResourceReaders.FromJobStore(_store);
        using var start = new ManualResetEventSlim();

        // Separate root objects over one directory: as separate processes sharing a configured JTRES_ROOT would be.
        var downloads = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await JobResourceRoot.Prepare(root.Path, null).DownloadAsync(resource, reader);
        })).ToArray();
        start.Set();
        string[] paths = await Task.WhenAll(downloads).WaitAsync(TimeSpan.FromSeconds(60));

        paths.Distinct().Should().ContainSingle();
        (await File.ReadAllBytesAsync(paths[0])).Should().Equal(content);
        Directory.GetFileSystemEntries(root.Path).Should().Equal(Path.Combine(root.Path, resource.Sha256));
        Directory.GetFileSystemEntries(Path.Combine(root.Path, resource.Sha256)).Should().ContainSingle();
    }

    [Test]
    public async Task DownloadAsync_Directory_UnpacksArchive()
    {
        string plugin = Path.Combine(_dir, "plugin");
        Directory.CreateDirectory(Path.Combine(plugin, "sub"));
        await File.WriteAllTextAsync(Path.Combine(plugin, "a.dll"), "A");
        await File.WriteAllTextAsync(Path.Combine(plugin, "sub", "b.txt"), "B");
        var resource = await JobResource.CreateAsync(_store, plugin);
        var root = JobResourceRoot.Prepare(null, _dir);

        string local = await root.DownloadAsync(resource, JobResourceReaders.FromJobStore(_store));

        local.Should().Be(Path.Combine(root.Path, resource.Sha256));
        File.ReadAllText(Path.Combine(local, "a.dll")).Should().Be("A");
        File.ReadAllText(Path.Combine(local, "sub", "b.txt")).Should().Be("B");
    }

    [Test]
    public async Task DownloadAsync_ArchiveEntryEscapingTheDirectory_ThrowsAndWritesNothingOutside()
    {
        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using var entry = await archive.CreateEntry("../escaped.txt").OpenAsync();
            entry.Write("evil"u8);
        }

        byte[] bytes = zip.ToArray();
        string fileId = await _store.WriteFileAsync(bytes);
        var resource = new JobResource(JobResourceKind.Directory, "plugin", new string('a', 32), _store.Locator, fileId, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        string rootParent = Path.Combine(_dir, "parent");
        Directory.CreateDirectory(rootParent);
        var root = JobResourceRoot.Prepare(null, rootParent);

        var act = () => root.DownloadAsync(resource, JobResourceReaders.FromJobStore(_store));

        await act.Should().ThrowAsync<JobResourceException>().WithMessage("*unpack*");
        Directory.GetFileSystemEntries(root.Path).Should().BeEmpty();
        Directory.GetFileSystemEntries(rootParent).Should().Equal(root.Path);
    }

    [Test]
    public async Task DownloadAsync_MissingFile_ThrowsJobResourceExceptionWithCause()
    {
        var resource = new JobResource(JobResourceKind.File, "Jobs.dll", new string('a', 32), _store.Locator, "no/such/file", new string('b', 64));
        var root = JobResourceRoot.Prepare(null, _dir);

        var act = () => root.DownloadAsync(resource, JobResourceReaders.FromJobStore(_store));

        (await act.Should().ThrowAsync<JobResourceException>()).Which.InnerException.Should().NotBeNull();
        Directory.GetFileSystemEntries(root.Path).Should().BeEmpty();
    }

    [Test]
    public async Task FromJobStore_ResourceOfAnotherStore_IsRefused()
    {
        var (resource, _) = await StoreFileAsync("Jobs.dll", 10);
        var foreign = new JobResource(resource.Kind, resource.Name, resource.PathHash, "file:/elsewhere", resource.FileId, resource.Sha256);
        var root = JobResourceRoot.Prepare(null, _dir);

        var act = () => root.DownloadAsync(foreign, JobResourceReaders.FromJobStore(_store));

        await act.Should().ThrowAsync<JobResourceException>().WithMessage("*file:/elsewhere*");
    }

    [Test]
    public async Task GetEnvironment_Resource_HasRootAndRegistration()
    {
        var (resource, _) = await StoreFileAsync("Jobs.dll", 10);
        var root = JobResourceRoot.Prepare(null, _dir);

        var env = root.GetEnvironment(resource);

        env.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["JTRES_ROOT"] = root.Path,
            [resource.EnvironmentVariableName] = resource.ToEnvironmentValue(),
        });
    }

    private async Task<(JobResource Resource, byte[] Content)> StoreFileAsync(string name, int size)
    {
        string path = Path.Combine(_dir, name);
        byte[] content = RandomNumberGenerator.GetBytes(size);
        await File.WriteAllBytesAsync(path, content);
        var resource = await JobResource.CreateAsync(_store, path);
        File.Delete(path);
        return (resource, content);
    }
}
