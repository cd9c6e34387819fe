using System.IO.Compression;
using System.Security.Cryptography;
using Toil.Runtime.Executors.Resources;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Executors.Tests.Resources;

public class JobResourceTests
{
    private string _dir = null!;
    private InMemoryJobStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("toil-res-").FullName;
        _store = new InMemoryJobStore();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void HashLeaderPath_Path_IsLowercaseMd5OfUtf8()
    {
        // md5("/home/user/jobs.dll") computed independently.
        JobResource.HashLeaderPath("/home/user/jobs.dll").Should().Be(Convert.ToHexStringLower(MD5.HashData("/home/user/jobs.dll"u8)));
        JobResource.HashLeaderPath("").Should().Be("d41d8cd98f00b204e9800998ecf8427e");
    }

    [Test]
    public async Task CreateAsync_File_StoresContentWithSha256AndPathHash()
    {
        string path = Path.Combine(_dir, "Jobs.dll");
        byte[] content = RandomNumberGenerator.GetBytes(200_000);
        await File.WriteAllBytesAsync(path, content);

        var resource = await JobResource.CreateAsync(_store, path);

        resource.Kind.Should().Be(JobResourceKind.File);
        resource.Name.Should().Be("Jobs.dll");
        resource.PathHash.Should().Be(JobResource.HashLeaderPath(path));
        resource.JobStore.Should().Be(_store.Locator);
        resource.Sha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(content)));
        (await _store.ReadAllBytesAsync(resource.FileId)).Should().Equal(content);
    }

    [Test]
    public async Task CreateAsync_Directory_StoresZipOfItsContent()
    {
        string plugin = Path.Combine(_dir, "plugin");
        Directory.CreateDirectory(Path.Combine(plugin, "sub"));
        await File.WriteAllTextAsync(Path.Combine(plugin, "a.dll"), "A");
        await File.WriteAllTextAsync(Path.Combine(plugin, "sub", "b.txt"), "B");

        var resource = await JobResource.CreateAsync(_store, plugin + "/");

        resource.Kind.Should().Be(JobResourceKind.Directory);
        resource.Name.Should().Be("plugin");
        resource.PathHash.Should().Be(JobResource.HashLeaderPath(plugin));
        byte[] zip = await _store.ReadAllBytesAsync(resource.FileId);
        resource.Sha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(zip)));
        using var archive = new ZipArchive(new MemoryStream(zip));
        archive.Entries.Select(e => e.FullName.Replace('\\', '/')).Should().Contain(["a.dll", "sub/b.txt"]);
    }

    [Test]
    public async Task CreateAsync_MissingPath_ThrowsJobResourceException()
    {
        var act = () => JobResource.CreateAsync(_store, Path.Combine(_dir, "missing"));

        await act.Should().ThrowAsync<JobResourceException>().WithMessage("*no such file*");
    }

    [Test]
    public async Task CreateAsync_SystemDirectory_IsRefused()
    {
        var act = () => JobResource.CreateAsync(_store, "/etc");

        await act.Should().ThrowAsync<JobResourceException>().WithMessage("*system directory*");
    }

    [Test]
    public void EnvironmentValue_RoundTrips_AndHasTypeTagAndFiveFieldArray()
    {
        var resource = new JobResource(JobResourceKind.Directory, "plugin", new string('0', 32), "file:/s", "f/1", new string('f', 64));

        string value = resource.ToEnvironmentValue();

        value.Should().Be($"directory:[\"plugin\",\"{new string('0', 32)}\",\"file:/s\",\"f/1\",\"{new string('f', 64)}\"]");
        JobResource.ParseEnvironmentValue(value).Should().BeEquivalentTo(resource);
        resource.EnvironmentVariableName.Should().Be("JTRES_" + new string('0', 32));
    }

    [TestCase("zip:[\"a\",\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"s\",\"f\",\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"]")]
    [TestCase("file:[\"a\"]")]
    [TestCase("file:{}")]
    [TestCase("file:[\"a\",null,\"s\",\"f\",\"b\"]")]
    [TestCase("no-colon")]
    public void ParseEnvironmentValue_Malformed_ThrowsJobResourceException(string value)
    {
        var act = () => JobResource.ParseEnvironmentValue(value);

        act.Should().Throw<JobResourceException>();
    }

    [Test]
    public void Lookup_RegisteredPath_ReturnsResource_UnregisteredReturnsNull()
    {
        string leaderPath = "/work/jobs/Jobs.dll";
        var resource = new JobResource(JobResourceKind.File, "Jobs.dll", JobResource.HashLeaderPath(leaderPath), "file:/s", "f", new string('c', 64));
        var env = new Dictionary<string, string> { [resource.EnvironmentVariableName] = resource.ToEnvironmentValue() };

        JobResource.Lookup(leaderPath, env).Should().BeEquivalentTo(resource);
        JobResource.Lookup("/other/path", env).Should().BeNull();
    }

    [Test]
    public void Lookup_ValueForAnotherPathHash_Throws()
    {
        string leaderPath = "/work/jobs/Jobs.dll";
        var other = new JobResource(JobResourceKind.File, "Jobs.dll", new string('e', 32), "file:/s", "f", new string('c', 64));
        var env = new Dictionary<string, string> { ["JTRES_" + JobResource.HashLeaderPath(leaderPath)] = other.ToEnvironmentValue() };

        var act = () => JobResource.Lookup(leaderPath, env);

        act.Should().Throw<JobResourceException>().WithMessage("*path hash*");
    }
}
