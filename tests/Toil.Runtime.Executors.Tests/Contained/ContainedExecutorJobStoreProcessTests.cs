using System.Security.Cryptography;
using Toil.Runtime.Executors.Contained;
using Toil.Runtime.Executors.Resources;
using Toil.Runtime.JobStores;
using static Toil.Runtime.Executors.Tests.Contained.ContainedExecutorProcessTests;

namespace Toil.Runtime.Executors.Tests.Contained;

/// <summary>The shipped <c>toil contained-executor</c> deploying a userScript from a real <see cref="FileJobStore"/>
/// that the test (as the leader) wrote it into.</summary>
public class ContainedExecutorJobStoreProcessTests
{
    private static readonly string ToilApp = ContainedExecutorProcessTests.Toil;

    private string _dir = null!;
    private string _tmp = null!;
    private FileJobStore _store = null!;

    [SetUp]
    public async Task SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("toil-cejs-").FullName;
        _tmp = Directory.CreateDirectory(Path.Combine(_dir, "tmp")).FullName;
        _store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = "file:" + Path.Combine(_dir, "store") });
    }

    [TearDown]
    public async Task TearDown()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public async Task Executor_UserScriptInFileJobStore_ChildSeesDeployedFileAndExitsZero()
    {
        var (resource, content) = await StoreLeaderFileAsync();
        resource.JobStore.Should().Be(_store.Locator, "the leader names the store by its canonical file: locator");
        string command = $"printf '%s\\n' \"$JTRES_{resource.PathHash}\"; cat \"$JTRES_ROOT/{resource.Sha256}/{resource.Name}\"";

        var (code, stdout, stderr) = await RunToCompletionAsync(ToilApp, "contained-executor", Pack(command, resource));

        code.Should().Be(0, stderr);
        stdout.Should().Be(resource.ToEnvironmentValue() + "\n" + content);
        Directory.GetFileSystemEntries(_tmp).Should().BeEmpty("the executor removes the resource root it created");
    }

    [Test]
    public async Task Executor_UserScriptNamesStoreByBarePath_ChildSeesDeployedFile()
    {
        var (stored, content) = await StoreLeaderFileAsync();
        var resource = new JobResource(stored.Kind, stored.Name, stored.PathHash, _store.RootPath, stored.FileId, stored.Sha256);

        var (code, stdout, stderr) = await RunToCompletionAsync(
            ToilApp, "contained-executor", Pack($"cat \"$JTRES_ROOT/{resource.Sha256}/{resource.Name}\"", resource));

        code.Should().Be(0, stderr);
        stdout.Should().Be(content);
    }

    [Test]
    public async Task Executor_UserScriptInMissingStore_Exits255NamingTheLocatorAndStartsNoChild()
    {
        var (stored, _) = await StoreLeaderFileAsync();
        string missing = "file:" + Path.Combine(_dir, "no-such-store");
        var resource = new JobResource(stored.Kind, stored.Name, stored.PathHash, missing, stored.FileId, stored.Sha256);
        string marker = Path.Combine(_dir, "ran");

        var (code, _, stderr) = await RunToCompletionAsync(ToilApp, "contained-executor", Pack($"touch '{marker}'", resource));

        code.Should().Be(255, stderr);
        stderr.Should().Contain($"job store '{missing}', which does not exist");
        File.Exists(marker).Should().BeFalse();
        Directory.GetFileSystemEntries(_tmp).Should().BeEmpty();
    }

    [Test]
    public async Task Executor_UserScriptInUnsupportedStoreScheme_Exits255WithMessage()
    {
        var (stored, _) = await StoreLeaderFileAsync();
        var resource = new JobResource(stored.Kind, stored.Name, stored.PathHash, "aws:us-west-2:toil-run", stored.FileId, stored.Sha256);
        string marker = Path.Combine(_dir, "ran");

        var (code, _, stderr) = await RunToCompletionAsync(ToilApp, "contained-executor", Pack($"touch '{marker}'", resource));

        code.Should().Be(255, stderr);
        stderr.Should().Contain("'aws:us-west-2:toil-run'").And.Contain("only file job stores");
        File.Exists(marker).Should().BeFalse();
    }

    [Test]
    public async Task Executor_UserScriptFileIdNotInStore_Exits255NamingTheFile()
    {
        var (stored, _) = await StoreLeaderFileAsync();
        await _store.DeleteFileAsync(stored.FileId);
        string marker = Path.Combine(_dir, "ran");

        var (code, _, stderr) = await RunToCompletionAsync(ToilApp, "contained-executor", Pack($"touch '{marker}'", stored));

        code.Should().Be(255, stderr);
        stderr.Should().Contain($"cannot read resource '{stored.Name}' (file '{stored.FileId}' in '{stored.JobStore}')");
        File.Exists(marker).Should().BeFalse();
    }

    private string Pack(string command, JobResource resource) =>
        ContainedExecutor.PackJob(command, resource, new Dictionary<string, string> { ["TMPDIR"] = _tmp })[1];

    private async Task<(JobResource Resource, string Content)> StoreLeaderFileAsync()
    {
        string leader = Directory.CreateDirectory(Path.Combine(_dir, "leader")).FullName;
        string path = Path.Combine(leader, "Jobs.dll");
        string content = "jobs " + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) + "\n";
        await File.WriteAllTextAsync(path, content);
        return (await JobResource.CreateAsync(_store, path), content);
    }
}
