using System.Diagnostics;
using System.Security.Cryptography;
using Toil.Runtime.Executors.Contained;
using Toil.Runtime.Executors.Processes;
using Toil.Runtime.Executors.Resources;
using Toil.Runtime.Executors.Tests.Processes;
using Toil.Runtime.Testing.Processes;

namespace Toil.Runtime.Executors.Tests.Contained;

/// <summary>User-script deployment in a real executor process (the test host's <c>contained-executor</c> scenario,
/// whose resource reader reads a directory another process can reach).</summary>
public class ContainedExecutorUserScriptProcessTests
{
    private string _dir = null!;
    private string _resources = null!;
    private string _tmp = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("toil-ceu-").FullName;
        _resources = Directory.CreateDirectory(Path.Combine(_dir, "store")).FullName;
        _tmp = Directory.CreateDirectory(Path.Combine(_dir, "tmp")).FullName;
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Executor_SigtermWhileJobRuns_DeployedResourceWasVisible_RootRemovedOnExit()
    {
        var (resource, content) = StoreResource();
        string rootFile = Path.Combine(_dir, "root");
        string copy = Path.Combine(_dir, "copy");
        string command = $"printf '%s' \"$JTRES_ROOT\" > '{rootFile}'; cp \"$JTRES_ROOT/{resource.Sha256}/{resource.Name}\" '{copy}.tmp'; mv '{copy}.tmp' '{copy}'; sleep 100 & wait";
        using var executor = Process.Start(TestHostProcess.StartInfo(
            "contained-executor", _resources, ContainedExecutor.PackJob(command, resource, new Dictionary<string, string> { ["TMPDIR"] = _tmp })[1]))!;
        var stderr = executor.StandardError.ReadToEndAsync();
        try
        {
            await ProcessProbe.WaitUntilAsync(() => File.Exists(copy), "the job copied the deployed resource");
            string root = File.ReadAllText(rootFile);
            Path.GetDirectoryName(root).Should().Be(_tmp);
            File.ReadAllBytes(copy).Should().Equal(content);

            PosixProcessInterop.KillProcess(executor.Id, UnixSignal.Terminate).Should().BeTrue();
            await executor.WaitForExitAsync().WaitAsync(ProcessProbe.Bound);

            executor.ExitCode.Should().Be(143, await stderr);
            Directory.Exists(root).Should().BeFalse();
            Directory.GetFileSystemEntries(_tmp).Should().BeEmpty();
        }
        finally
        {
            if (!executor.HasExited)
            {
                executor.Kill(entireProcessTree: true);
            }
        }
    }

    [Test]
    public async Task Executor_ResourceHashMismatch_Exits255AndStartsNoChild()
    {
        var (resource, _) = StoreResource();
        var tampered = new JobResource(resource.Kind, resource.Name, resource.PathHash, resource.JobStore, resource.FileId, new string('0', 64));
        string marker = Path.Combine(_dir, "ran");

        var (code, _, stderr) = await TestHostProcess.RunAsync(
            ProcessProbe.Bound, "contained-executor", _resources, ContainedExecutor.PackJob($"touch '{marker}'", tampered, new Dictionary<string, string> { ["TMPDIR"] = _tmp })[1]);

        code.Should().Be(255, stderr);
        File.Exists(marker).Should().BeFalse();
        Directory.GetFileSystemEntries(_tmp).Should().BeEmpty();
    }

    private (JobResource Resource, byte[] Content) StoreResource()
    {
        byte[] content = RandomNumberGenerator.GetBytes(64_000);
        File.WriteAllBytes(Path.Combine(_resources, "jobs-blob"), content);
        var resource = new JobResource(
            JobResourceKind.File, "Jobs.dll", JobResource.HashLeaderPath("/leader/Jobs.dll"), "dir:" + _resources, "jobs-blob", Convert.ToHexStringLower(SHA256.HashData(content)));
        return (resource, content);
    }
}
