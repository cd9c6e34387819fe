using Toil.Runtime.Executors.Resources;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Executors.Tests.Resources;

public class LocatorJobResourceReaderTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("toil-locres-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task ReadAsync_ResourcesOfOneStoreByFileLocatorAndBarePath_ReadsBothAndOpensTheStoreOnce()
    {
        var (storeA, a) = await CreateStoreWithFileAsync("a", "first");
        var (_, b) = await CreateStoreWithFileAsync("a", "second", storeA);
        var bare = new JobResource(b.Kind, b.Name, b.PathHash, storeA.RootPath, b.FileId, b.Sha256);
        await using var reader = JobResourceReaders.FromLocator();

        (await ReadAllAsync(reader, a)).Should().Be("first");
        (await ReadAllAsync(reader, bare)).Should().Be("second");

        reader.OpenStoreCount.Should().Be(1);
        await storeA.DisposeAsync();
    }

    [Test]
    public async Task ReadAsync_ResourcesOfTwoStores_OpensEachStore()
    {
        var (storeA, a) = await CreateStoreWithFileAsync("a", "in a");
        var (storeB, b) = await CreateStoreWithFileAsync("b", "in b");
        await using var reader = JobResourceReaders.FromLocator();

        (await ReadAllAsync(reader, a)).Should().Be("in a");
        (await ReadAllAsync(reader, b)).Should().Be("in b");

        reader.OpenStoreCount.Should().Be(2);
        await storeA.DisposeAsync();
        await storeB.DisposeAsync();
    }

    [Test]
    public async Task ReadAsync_MissingStore_ThrowsJobResourceExceptionNamingLocatorAndRetriesLater()
    {
        string path = Path.Combine(_dir, "later");
        var resource = new JobResource(JobResourceKind.File, "Jobs.dll", new string('a', 32), "file:" + path, "files/x", new string('b', 64));
        await using var reader = JobResourceReaders.FromLocator();

        Func<Task> read = async () => await reader.ReadAsync(resource, CancellationToken.None);

        (await read.Should().ThrowAsync<JobResourceException>())
            .WithMessage($"*job store 'file:{path}', which does not exist*").WithInnerException<NoSuchJobStoreException>();
        reader.OpenStoreCount.Should().Be(0);

        // A store that appears later (the leader was slow) is opened by the next read.
        await using var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = path });
        await read.Should().ThrowAsync<JobStoreException>("the store opened; only the file is not in it");
        reader.OpenStoreCount.Should().Be(1);
    }

    [TestCase("aws:us-west-2:run")]
    [TestCase("google:project:run")]
    [TestCase("file:")]
    public async Task ReadAsync_NotAFileJobStoreLocator_ThrowsJobResourceException(string locator)
    {
        var resource = new JobResource(JobResourceKind.File, "Jobs.dll", new string('a', 32), locator, "files/x", new string('b', 64));
        await using var reader = JobResourceReaders.FromLocator();

        Func<Task> read = async () => await reader.ReadAsync(resource, CancellationToken.None);

        await read.Should().ThrowAsync<JobResourceException>().WithMessage($"*'{locator}'*only file job stores*");
    }

    [Test]
    public async Task ReadAsync_AfterDispose_ThrowsObjectDisposed()
    {
        var (store, a) = await CreateStoreWithFileAsync("a", "x");
        var reader = JobResourceReaders.FromLocator();
        (await ReadAllAsync(reader, a)).Should().Be("x");

        await reader.DisposeAsync();
        Func<Task> read = async () => await reader.ReadAsync(a, CancellationToken.None);

        await read.Should().ThrowAsync<ObjectDisposedException>();
        reader.OpenStoreCount.Should().Be(0);
        await store.DisposeAsync();
    }

    [Test]
    public async Task DownloadAsync_WithLocatorReader_DeploysVerifiedContent()
    {
        var (store, a) = await CreateStoreWithFileAsync("a", "deployed");
        var root = JobResourceRoot.Prepare(null, _dir);
        await using var reader = JobResourceReaders.FromLocator();

        string local = await root.DownloadAsync(a, reader.ReadAsync);

        (await File.ReadAllTextAsync(local)).Should().Be("deployed");
        root.DeleteIfOwned();
        await store.DisposeAsync();
    }

    private static async Task<string> ReadAllAsync(LocatorJobResourceReader reader, JobResource resource)
    {
        await using var stream = await reader.ReadAsync(resource, CancellationToken.None);
        using var text = new StreamReader(stream);
        return await text.ReadToEndAsync();
    }

    private async Task<(FileJobStore Store, JobResource Resource)> CreateStoreWithFileAsync(string name, string content, FileJobStore? existing = null)
    {
        var store = existing ?? await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = "file:" + Path.Combine(_dir, name) });
        string leader = Directory.CreateDirectory(Path.Combine(_dir, "leader-" + Guid.NewGuid().ToString("N"))).FullName;
        string path = Path.Combine(leader, "Jobs.dll");
        await File.WriteAllTextAsync(path, content);
        return (store, await JobResource.CreateAsync(store, path));
    }
}
