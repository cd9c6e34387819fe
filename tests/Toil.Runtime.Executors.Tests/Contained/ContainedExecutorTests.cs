using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Toil.Runtime.Executors.Contained;
using Toil.Runtime.Executors.Resources;
using Toil.Runtime.Executors.Tests.Processes;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Executors.Tests.Contained;

/// <summary>The executor hosted in-process (the library call); its children are real processes.</summary>
public class ContainedExecutorTests
{
    private string _dir = null!;
    private string _marker = null!;
    private InMemoryJobStore _store = null!;
    private FakeLogCollector _logs = null!;
    private ILoggerFactory _loggerFactory = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("toil-ce-").FullName;
        _marker = Path.Combine(_dir, "child-ran");
        _store = new InMemoryJobStore();
        _logs = new FakeLogCollector();
        _loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(_logs)));
    }

    [TearDown]
    public async Task TearDown()
    {
        _loggerFactory.Dispose();
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [TestCase("exit 0", 0)]
    [TestCase("exit 3", 3)]
    [TestCase("exit 42", 42)]
    public async Task RunAsync_ChildExits_ReturnsItsExitCode(string command, int expected)
    {
        (await RunAsync(ContainedExecutor.PackJob(command)[1])).Should().Be(expected);
    }

    [TestCase("kill -9 $$", 137)]
    [TestCase("kill -1 $$", 129)]
    public async Task RunAsync_ShellKilledBySignal_Returns128PlusSignal(string command, int expected)
    {
        (await RunAsync(ContainedExecutor.PackJob(command)[1])).Should().Be(expected);
    }

    [Test]
    public async Task RunAsync_NoArgument_Returns255AndLogsWhy()
    {
        (await ContainedExecutor.RunAsync([], loggerFactory: _loggerFactory)).Should().Be(255);

        _logs.GetSnapshot().Should().Contain(r => r.Level == LogLevel.Error && r.Message.Contains("exactly one base64-encoded argument", StringComparison.Ordinal));
    }

    [Test]
    public async Task RunAsync_TwoArguments_Returns255AndStartsNoChild()
    {
        string payload = ContainedExecutor.PackJob($"touch '{_marker}'")[1];

        (await ContainedExecutor.RunAsync([payload, payload], loggerFactory: _loggerFactory)).Should().Be(255);

        File.Exists(_marker).Should().BeFalse();
    }

    [TestCase("%%%not-base64%%%")]
    [TestCase("WzEsMiwzXQ==")] // [1,2,3]
    [TestCase("eyJlbnZpcm9ubWVudCI6e319")] // {"environment":{}}
    public async Task RunAsync_UndecodablePayload_Returns255AndLogsError(string argument)
    {
        (await ContainedExecutor.RunAsync([argument], loggerFactory: _loggerFactory)).Should().Be(255);

        _logs.GetSnapshot().Should().Contain(r => r.Level == LogLevel.Error && r.Message.StartsWith("Cannot decode the executor payload", StringComparison.Ordinal));
    }

    [Test]
    public async Task RunAsync_Environment_IsVisibleToTheChildOnly()
    {
        string output = Path.Combine(_dir, "env");
        var env = new Dictionary<string, string> { ["TOIL_CE_VALUE"] = "x y 'z'" };

        int code = await RunAsync(ContainedExecutor.PackJob($"printf '%s' \"$TOIL_CE_VALUE\" > '{output}'", environment: env)[1]);

        code.Should().Be(0);
        File.ReadAllText(output).Should().Be("x y 'z'");
        Environment.GetEnvironmentVariable("TOIL_CE_VALUE").Should().BeNull("the hosting process's environment is not changed");
    }

    [Test]
    public async Task RunAsync_PayloadTmpdir_HoldsTheResourceRoot_WhichIsRemovedOnExit()
    {
        string tmp = Path.Combine(_dir, "tmp");
        Directory.CreateDirectory(tmp);
        string output = Path.Combine(_dir, "root");

        int code = await RunAsync(ContainedExecutor.PackJob(
            $"printf '%s' \"$JTRES_ROOT\" > '{output}'; test -d \"$JTRES_ROOT\"",
            environment: new Dictionary<string, string> { ["TMPDIR"] = tmp })[1]);

        code.Should().Be(0, "JTRES_ROOT is a directory while the child runs");
        string root = File.ReadAllText(output);
        Path.GetDirectoryName(root).Should().Be(tmp);
        Directory.Exists(root).Should().BeFalse();
        Directory.GetFileSystemEntries(tmp).Should().BeEmpty();
    }

    [Test]
    public async Task RunAsync_UserScript_ChildSeesRegistrationAndDeployedFile_RootRemovedOnExit()
    {
        var (resource, content) = await StoreUserScriptAsync();
        string output = Path.Combine(_dir, "out");
        string tmp = Path.Combine(_dir, "tmp");
        Directory.CreateDirectory(tmp);
        string command = $"printf '%s\\n%s\\n' \"$JTRES_ROOT\" \"${resource.EnvironmentVariableName}\" > '{output}'; "
            + $"cp \"$JTRES_ROOT/{resource.Sha256}/{resource.Name}\" '{_dir}/copy'";

        int code = await RunAsync(
            ContainedExecutor.PackJob(command, resource, new Dictionary<string, string> { ["TMPDIR"] = tmp })[1],
            new ContainedExecutorOptions { ResourceReader = JobResourceReaders.FromJobStore(_store) });

        code.Should().Be(0);
        string[] lines = File.ReadAllLines(output);
        lines[1].Should().StartWith("file:[");
        JobResource.ParseEnvironmentValue(lines[1]).Should().BeEquivalentTo(resource);
        File.ReadAllBytes(Path.Combine(_dir, "copy")).Should().Equal(content);
        Directory.Exists(lines[0]).Should().BeFalse("the executor's root is removed when it exits");
        Directory.GetFileSystemEntries(tmp).Should().BeEmpty();
    }

    [Test]
    public async Task RunAsync_UserScriptHashMismatch_Returns255AndStartsNoChild()
    {
        var (resource, _) = await StoreUserScriptAsync();
        var tampered = new JobResource(resource.Kind, resource.Name, resource.PathHash, resource.JobStore, resource.FileId, new string('0', 64));
        string tmp = Path.Combine(_dir, "tmp");
        Directory.CreateDirectory(tmp);

        int code = await RunAsync(
            ContainedExecutor.PackJob($"touch '{_marker}'", tampered, new Dictionary<string, string> { ["TMPDIR"] = tmp })[1],
            new ContainedExecutorOptions { ResourceReader = JobResourceReaders.FromJobStore(_store) });

        code.Should().Be(255);
        File.Exists(_marker).Should().BeFalse();
        Directory.GetFileSystemEntries(tmp).Should().BeEmpty();
        _logs.GetSnapshot().Should().Contain(r => r.Level == LogLevel.Error && r.Exception is JobResourceException);
    }

    [Test]
    public async Task RunAsync_UserScriptWithoutReader_Returns255AndStartsNoChild()
    {
        var (resource, _) = await StoreUserScriptAsync();

        int code = await RunAsync(ContainedExecutor.PackJob($"touch '{_marker}'", resource)[1]);

        code.Should().Be(255);
        File.Exists(_marker).Should().BeFalse();
    }

    [Test]
    public async Task RunAsync_ReaderThrows_Returns255AndStartsNoChild()
    {
        var (resource, _) = await StoreUserScriptAsync();
        JobResourceReader failing = (_, _) => throw new InvalidOperationException("store unreachable");

        int code = await RunAsync(ContainedExecutor.PackJob($"touch '{_marker}'", resource)[1], new ContainedExecutorOptions { ResourceReader = failing });

        code.Should().Be(255);
        File.Exists(_marker).Should().BeFalse();
    }

    [Test]
    public async Task RunAsync_PresetRootIsAFile_Returns255AndStartsNoChild()
    {
        string file = Path.Combine(_dir, "not-a-dir");
        File.WriteAllText(file, "x");

        int code = await RunAsync(ContainedExecutor.PackJob($"touch '{_marker}'", environment: new Dictionary<string, string> { ["JTRES_ROOT"] = file })[1]);

        code.Should().Be(255);
        File.Exists(_marker).Should().BeFalse();
        _logs.GetSnapshot().Should().Contain(r => r.Exception is JobResourceException && r.Exception.Message.Contains("not a directory", StringComparison.Ordinal));
    }

    [Test]
    public async Task RunAsync_PresetRootDirectory_IsUsedAndKept()
    {
        string root = Path.Combine(_dir, "preset");
        Directory.CreateDirectory(root);
        var (resource, _) = await StoreUserScriptAsync();

        int code = await RunAsync(
            ContainedExecutor.PackJob($"test \"$JTRES_ROOT\" = '{root}'", resource, new Dictionary<string, string> { ["JTRES_ROOT"] = root })[1],
            new ContainedExecutorOptions { ResourceReader = JobResourceReaders.FromJobStore(_store) });

        code.Should().Be(0);
        File.Exists(Path.Combine(root, resource.Sha256, resource.Name)).Should().BeTrue("a configured root belongs to its owner and is kept");
    }

    [Test]
    public async Task RunAsync_Cancelled_ForwardsSigtermToTheGroupIncludingGrandchild()
    {
        string pidFile = Path.Combine(_dir, "grandchild");
        using var cts = new CancellationTokenSource();
        var run = ContainedExecutor.RunAsync(
            [ContainedExecutor.PackJob($"sleep 100 & echo $! > '{pidFile}'; wait")[1]], loggerFactory: _loggerFactory, cancellationToken: cts.Token);
        int grandchild = await ProcessProbe.ReadPidFileAsync(pidFile);

        await cts.CancelAsync();
        int code = await run.WaitAsync(ProcessProbe.Bound);

        code.Should().Be(143);
        await ProcessProbe.WaitUntilAsync(() => !ProcessProbe.IsAlive(grandchild), "the grandchild is gone");
        _logs.GetSnapshot().Should().Contain(r => r.Message.StartsWith("Forwarding signal 15", StringComparison.Ordinal));
    }

    [Test]
    public async Task RunAsync_ChildIgnoresForwardedSignal_IsKilledAfterGracePeriod()
    {
        string ready = Path.Combine(_dir, "ready");
        using var cts = new CancellationTokenSource();
        var run = ContainedExecutor.RunAsync(
            [ContainedExecutor.PackJob($"trap '' TERM; echo 1 > '{ready}'; while :; do sleep 1; done")[1]],
            new ContainedExecutorOptions { TerminationGracePeriod = TimeSpan.FromMilliseconds(500) },
            _loggerFactory,
            cts.Token);
        await ProcessProbe.ReadPidFileAsync(ready);

        await cts.CancelAsync();
        int code = await run.WaitAsync(ProcessProbe.Bound);

        code.Should().Be(137);
        _logs.GetSnapshot().Should().Contain(r => r.Level == LogLevel.Warning && r.Message.Contains("sending SIGKILL", StringComparison.Ordinal));
    }

    [Test]
    public async Task RunAsync_CancelledBeforeStart_StartsNoChild()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        int code = await ContainedExecutor.RunAsync([ContainedExecutor.PackJob($"touch '{_marker}'")[1]], loggerFactory: _loggerFactory, cancellationToken: cts.Token);

        code.Should().Be(143);
        File.Exists(_marker).Should().BeFalse();
    }

    [Test]
    public async Task RunAsync_CancelledDuringUserScriptDownload_StartsNoChildAndRemovesRoot()
    {
        var (resource, _) = await StoreUserScriptAsync();
        string tmp = Path.Combine(_dir, "tmp");
        Directory.CreateDirectory(tmp);
        var reading = new TaskCompletionSource();
        JobResourceReader hanging = async (_, ct) =>
        {
            reading.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        };
        using var cts = new CancellationTokenSource();
        var run = ContainedExecutor.RunAsync(
            [ContainedExecutor.PackJob($"touch '{_marker}'", resource, new Dictionary<string, string> { ["TMPDIR"] = tmp })[1]],
            new ContainedExecutorOptions { ResourceReader = hanging },
            _loggerFactory,
            cts.Token);
        await reading.Task.WaitAsync(ProcessProbe.Bound);

        await cts.CancelAsync();
        int code = await run.WaitAsync(ProcessProbe.Bound);

        code.Should().Be(143);
        File.Exists(_marker).Should().BeFalse();
        Directory.GetFileSystemEntries(tmp).Should().BeEmpty();
    }

    [Test]
    public async Task RunAsync_InvalidOptions_Returns255()
    {
        int code = await RunAsync(ContainedExecutor.PackJob($"touch '{_marker}'")[1], new ContainedExecutorOptions { TerminationGracePeriod = TimeSpan.Zero });

        code.Should().Be(255);
        File.Exists(_marker).Should().BeFalse();
    }

    private Task<int> RunAsync(string argument, ContainedExecutorOptions? options = null) =>
        ContainedExecutor.RunAsync([argument], options, _loggerFactory).WaitAsync(ProcessProbe.Bound);

    private async Task<(JobResource Resource, byte[] Content)> StoreUserScriptAsync()
    {
        string path = Path.Combine(_dir, "Jobs.dll");
        byte[] content = RandomNumberGenerator.GetBytes(50_000);
        await File.WriteAllBytesAsync(path, content);
        var resource = await JobResource.CreateAsync(_store, path);
        File.Delete(path);
        return (resource, content);
    }
}
