using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Toil.Runtime.Authoring;
using Toil.Runtime.FileStores;
using Toil.Runtime.JobStores;
using Toil.Runtime.Tests.Testing;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

/// <summary>A successful in-process run leaves nothing behind in the work (temporary) directory, and what jobs sent to
/// the leader reads back typed.</summary>
[TestFixture]
public sealed class WorkerRunnerTidyTests
{
    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("toil-tidy-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private ServiceProvider Provider(string workDir, string? coordinationDir, FakeLoggerProvider? host = null) => new ServiceCollection()
        .AddLogging(b =>
        {
            if (host is not null)
            {
                b.AddProvider(host).SetMinimumLevel(LogLevel.Trace);
            }
        })
        .AddToilRuntime(o =>
        {
            o.WorkDir = workDir;
            o.CoordinationDir = coordinationDir;
        })
        .AddToilJob<HarnessSplit, PartsInput>(HarnessTestJson.Default.PartsInput)
        .AddToilJob<HarnessCount, TextInput, int>(HarnessTestJson.Default.TextInput, HarnessTestJson.Default.Int32)
        .AddToilJob<HarnessTotal, TotalInput, int>(HarnessTestJson.Default.TotalInput, HarnessTestJson.Default.Int32)
        .AddSingleton(new Toil.Runtime.Deferred.DeferredFunctionRegistry().Register("cleanup", HarnessTestJson.Default.CleanupArgs, (_, _) => ValueTask.CompletedTask))
        .BuildServiceProvider();

    [TestCase(false)]
    [TestCase(true)]
    public async Task RunAsync_SuccessfulInProcessRuns_LeaveTheWorkAndCoordinationDirectoriesEmpty(bool separateCoordinationDir)
    {
        string workDir = Directory.CreateDirectory(Path.Combine(_root, "work")).FullName;
        string coordination = Directory.CreateDirectory(Path.Combine(_root, separateCoordinationDir ? "coordination" : "work")).FullName;
        await using var provider = Provider(workDir, coordination);
        var store = new InMemoryJobStore();
        var runner = provider.GetRequiredService<IWorkerRunner>();
        string root = await store.CreateRootJobAsync<HarnessSplit, PartsInput>(provider.GetRequiredService<JobTypeRegistry>(), new PartsInput(["a b", "c"]));

        // The root, then each child, then the follow-on: four worker runs, as a leader would issue them.
        var first = await runner.RunAsync(new WorkerRequest(store, root));
        first.ExitCode.Should().Be(0, first.Error?.ToString());
        var rootJob = await store.LoadJobAsync(root);
        foreach (string child in rootJob.Children.Concat(rootJob.FollowOns).ToList())
        {
            var result = await runner.RunAsync(new WorkerRequest(store, child));
            result.ExitCode.Should().Be(0, result.Error?.ToString());
        }

        Directory.EnumerateFileSystemEntries(workDir).Should().BeEmpty("a successful run removes its toilwf-<hash> directory when nothing else is in it");
        Directory.EnumerateFileSystemEntries(coordination).Should().BeEmpty();
    }

    [Test]
    public async Task RunAsync_WhileAnotherRunOfTheWorkflowHoldsItsDirectory_KeepsIt()
    {
        string workDir = Directory.CreateDirectory(Path.Combine(_root, "work")).FullName;
        await using var provider = Provider(workDir, workDir);
        var store = new InMemoryJobStore();
        string id = await store.CreateRootJobAsync<HarnessCount, TextInput>(provider.GetRequiredService<JobTypeRegistry>(), new TextInput("a", "x"));
        string workflowDir = Path.Combine(workDir, "toilwf-" + WorkerDirectories.WorkflowComponent(store.Config.WorkflowId));
        string other = Directory.CreateDirectory(Path.Combine(workflowDir, "worker-other")).FullName;

        var result = await provider.GetRequiredService<IWorkerRunner>().RunAsync(new WorkerRequest(store, id));

        result.ExitCode.Should().Be(0, result.Error?.ToString());
        Directory.Exists(other).Should().BeTrue();
    }

    [Test]
    public async Task RunAsync_SuccessfulTwoJobWorkflow_WritesNothingAtInformationToTheHostLog()
    {
        string workDir = Directory.CreateDirectory(Path.Combine(_root, "work")).FullName;
        using var host = new FakeLoggerProvider();
        await using var provider = Provider(workDir, workDir, host);
        var store = new InMemoryJobStore();
        var runner = provider.GetRequiredService<IWorkerRunner>();
        string root = await store.CreateRootJobAsync<HarnessSplit, PartsInput>(provider.GetRequiredService<JobTypeRegistry>(), new PartsInput(["a b", "c"]));
        (await runner.RunAsync(new WorkerRequest(store, root))).ExitCode.Should().Be(0);
        string child = (await store.LoadJobAsync(root)).Children.First();

        (await runner.RunAsync(new WorkerRequest(store, child))).ExitCode.Should().Be(0);

        var records = host.Collector.GetSnapshot();
        records.Where(r => r.Message.StartsWith("Working on job", StringComparison.Ordinal)).Should().HaveCount(2, "per-job lines reach the host at Debug");
        records.Where(r => r.Level >= LogLevel.Information && r.Category != "Toil.Runtime.Job")
            .Select(r => $"{r.Level} {r.Category}: {r.Message}")
            .Should().BeEmpty("Information is for what an operator acts on; the jobs' own entries (Toil.Runtime.Job) are theirs");
    }

    [Test]
    public async Task ReadLeaderMessagesAsync_AfterWorkerRuns_ReturnsEachMessageWithItsLevelOnce()
    {
        string workDir = Directory.CreateDirectory(Path.Combine(_root, "work")).FullName;
        await using var provider = Provider(workDir, workDir);
        var store = new InMemoryJobStore();
        var registry = provider.GetRequiredService<JobTypeRegistry>();
        var runner = provider.GetRequiredService<IWorkerRunner>();
        string count = await store.CreateRootJobAsync<HarnessCount, TextInput>(registry, new TextInput("doc", "one two"));
        (await runner.RunAsync(new WorkerRequest(store, count))).ExitCode.Should().Be(0);

        var messages = await store.ReadLeaderMessagesAsync();
        var again = await store.ReadLeaderMessagesAsync();
        var all = await store.ReadLeaderMessagesAsync(readAll: true);

        messages.Should().Contain(new LeaderMessage("doc: 2 words", LogLevel.Information));
        again.Should().BeEmpty("a read archives what it returned");
        all.Should().Equal(messages);
        (await store.ReadStatsAsync(readAll: true)).Should().ContainSingle().Which.Workers.JobsRun.Should().NotBeNull();
    }
}
