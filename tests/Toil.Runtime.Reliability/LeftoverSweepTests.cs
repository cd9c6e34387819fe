using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Leader.Workflows;
using Toil.Runtime.Reliability.Host;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Reliability;

/// <summary>
/// The leftovers the long chaos campaign found after finished workflows (docs/reliability.md, "What the long run found"):
/// a trash directory, a stats message's temp file and unowned promise files left by SIGKILLed processes are removed when
/// the workflow succeeds, while what outlives a workflow by design (a file kept without cleanup, the root's result, a
/// file the host wrote without an owner) stays (docs/decisions.md#at-least-once).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LeftoverSweepTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("toil-leftover-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    [CancelAfter(3 * 60 * 1000)]
    public async Task RunAsync_KilledProcessesLeftoversInTheStore_RemovedAtTheEndAndKeptFilesStay(CancellationToken cancellationToken)
    {
        string store = Path.Combine(_directory, "store");
        string work = Directory.CreateDirectory(Path.Combine(_directory, "work")).FullName;
        string hostFile;
        await using (var created = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = "file:" + store }, cancellationToken: cancellationToken))
        {
            // A file the host writes without an owner (Toil's import) is the host's (any base name but the reserved "promise").
            hostFile = await created.WriteFileAsync("host"u8.ToArray(), jobId: null, cleanup: false, baseName: "imported", cancellationToken);
        }

        await using var leader = InProcessLeader(store, work);

        // RunAsync reads the root's result file after the workflow: the sweep must not take it.
        string kept = await leader.GetRequiredService<IWorkflowRunner>().RunAsync<LeftoverPlantingJob, LeftoverPlantingInput, string>(new(store), cancellationToken);

        foreach (string relative in LeftoverJobs.Planted)
        {
            string path = Path.Combine(store, relative);
            (File.Exists(path) || Directory.Exists(path)).Should().BeFalse($"{relative} is a leftover of a killed process");
        }

        await using var opened = await FileJobStore.OpenAsync("file:" + store, cancellationToken);
        await using (var stream = await opened.OpenReadFileAsync(kept, cancellationToken))
        {
            (await new StreamReader(stream).ReadToEndAsync(cancellationToken)).Should().Be("kept", "a file written without cleanup outlives its job");
        }

        await using (var stream = await opened.OpenReadFileAsync(hostFile, cancellationToken))
        {
            (await new StreamReader(stream).ReadToEndAsync(cancellationToken)).Should().Be("host");
        }
    }

    [Test]
    [CancelAfter(3 * 60 * 1000)]
    public async Task RunWorkflowAsync_RestartOnAFinishedWorkflowWithAKilledWorkersDirectory_RemovesTheDirectory(CancellationToken cancellationToken)
    {
        string store = Path.Combine(_directory, "store");
        string work = Directory.CreateDirectory(Path.Combine(_directory, "work")).FullName;
        await using (var first = InProcessLeader(store, work))
        {
            await first.GetRequiredService<IWorkflowRunner>().RunAsync<LeftoverPlantingJob, LeftoverPlantingInput, string>(new(store), cancellationToken);
        }

        // A worker of this workflow SIGKILLed under a leader that was killed too: its directory, its liveness file unlocked.
        string killed = await File.ReadAllTextAsync(Path.Combine(_directory, "worker-directory"), cancellationToken);
        Path.GetRelativePath(work, killed).Should().NotStartWith("..", "the worker's directory is in the work directory");
        Directory.CreateDirectory(killed);
        await File.WriteAllTextAsync(Path.Combine(killed, "worker.alive"), string.Empty, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(killed, "worker.log"), "killed", cancellationToken);

        // The last leader finds the workflow finished and issues nothing; its shutdown still cleans the workflow's workers.
        await using (var last = LeftoverJobs.Register(new ServiceCollection().AddLogging())
            .AddToilLeader(o => Configure(o, store))
            .AddLocalProcessBatchSystem(o => { o.WorkerCommand = ["/bin/false"]; o.Cores = 1; o.Memory = 1L << 30; o.Disk = 1L << 30; })
            .Configure<WorkerOptions>(o => { o.WorkDir = work; o.CoordinationDir = work; })
            .BuildServiceProvider())
        {
            var result = await last.GetRequiredService<IWorkflowRunner>().RunWorkflowAsync<LeftoverPlantingJob, LeftoverPlantingInput>(new(store), cancellationToken);
            result.Succeeded.Should().BeTrue();
            result.AttemptsIssued.Should().Be(0, "the workflow had finished");
        }

        Directory.Exists(killed).Should().BeFalse("a killed worker's directory is the next leader's to clean");
    }

    private static void Configure(LeaderOptions o, string store)
    {
        o.JobStore = "file:" + store;
        o.Restart = true;
        o.Clean = CleanPolicy.Never;
        o.Config = new WorkflowConfig { RetryCount = 0 };
    }

    private static ServiceProvider InProcessLeader(string store, string work) =>
        LeftoverJobs.Register(new ServiceCollection().AddLogging())
            .AddToilLeader(o => Configure(o, store))
            .ConfigureInProcessBatchSystem(o => { o.MaxCores = 1; o.MaxMemory = 4L << 30; o.MaxDisk = 4L << 30; })
            .Configure<WorkerOptions>(o => { o.WorkDir = work; o.CoordinationDir = work; })
            .BuildServiceProvider();
}
