using HelloWorkflow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Jobs;
using Toil.Runtime.Leader.TestHost;
using Toil.Runtime.Leader.Workflows;

namespace Toil.Runtime.Slurm.Tests;

/// <summary>
/// Whole workflows through the leader with every worker a Slurm job on the local cluster: the HelloWorkflow sample's
/// workflow and the leader's ported static-graph tests. The job store is a file job store the node reaches (the same
/// machine); the worker program is this test assembly (<see cref="WorkerProgram"/>).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SlurmWorkflowTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);
    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        SlurmCluster.Require();
        _directory = Directory.CreateTempSubdirectory("toil-slurm-workflow-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Test]
    public async Task RunAsync_HelloWorkflowOnSlurm_CountsWordsAndRetriesTheFlakyJob()
    {
        string scratch = Directory.CreateDirectory(Path.Combine(_directory, "scratch")).FullName;
        using var output = new StringWriter();
        await using var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Information).AddProvider(new ProgressLoggerProvider(output)))
            .AddToilLeader(o =>
            {
                o.JobStore = "file:" + Path.Combine(_directory, "store");
                o.Config = new WorkflowConfig { RetryCount = 1, RetryBackoffSeconds = 0.2 };
                o.WorkerEnvironment["TOIL_WORKDIR"] = Directory.CreateDirectory(Path.Combine(_directory, "work")).FullName;
            })
            .AddSlurmBatchSystem(o => Configure(o, WorkerProgram.HelloMode))
            .AddToilJob<WordCountJob>().AddToilJob<CountChunkJob>().AddToilJob<HelloWorkflow.SumJob>().AddToilJob<GreetJob>()
            .AddToilJob<ShoutJob>().AddToilJob<PublishJob>().AddToilJob<FlakyUploadJob>()
            .BuildServiceProvider();

        int chunks = await services.GetRequiredService<IWorkflowRunner>()
            .RunAsync<WordCountJob, WordCountInput, int>(new("Toil.Runtime", [.. HelloWorkflowRun.Chunks], scratch)).WaitAsync(Bound);

        string text = output.ToString();
        chunks.Should().Be(HelloWorkflowRun.Chunks.Count, text);
        int words = HelloWorkflowRun.Chunks.Sum(c => c.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        text.Should().Contain($"total: {words} words in {HelloWorkflowRun.Chunks.Count} chunks");
        text.Should().Contain("HELLO, TOIL.RUNTIME! (chained after greet: kind-greet/");
        text.Should().Contain("uploaded on attempt 2", "the flaky job failed on Slurm once and the leader retried it");
        text.Should().Contain("Finished toil run successfully");
        Directory.Exists(Path.Combine(_directory, "store")).Should().BeFalse("the store is destroyed on success");
    }

    [TestCase(false, "ABCDEFG", false)]
    [TestCase(true, "ABCDE", false)]
    [TestCase(false, "ABCDEFG", true)]
    public async Task RunWorkflowAsync_StaticGraphOnSlurm_LastJobWritesWholeAlphabet(bool second, string expected, bool coalesce)
    {
        string outFile = Path.Combine(_directory, "out");
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddToilLeader(o =>
            {
                o.JobStore = "file:" + Path.Combine(_directory, "store");
                o.Config = new WorkflowConfig { RetryCount = 1, RetryBackoffSeconds = 0 };
                o.WorkerEnvironment["TOIL_WORKDIR"] = Directory.CreateDirectory(Path.Combine(_directory, "work")).FullName;
            })
            .AddSlurmBatchSystem(o =>
            {
                Configure(o, WorkerProgram.LeaderMode);
                o.CoalesceJobs = coalesce;
                o.CoalesceWindow = TimeSpan.FromMilliseconds(300);
            })
            .AddToilJob<StaticGraphJob>().AddToilJob<LetterJob>()
            .BuildServiceProvider();

        var result = await services.GetRequiredService<IWorkflowRunner>().RunWorkflowAsync<StaticGraphJob, StaticInput>(new(outFile, second)).WaitAsync(Bound);

        result.Succeeded.Should().BeTrue();
        (await File.ReadAllTextAsync(outFile)).Should().Be(expected);
        Directory.Exists(Path.Combine(_directory, "store")).Should().BeFalse("the store is destroyed on success");
    }

    [Test]
    public async Task RunWorkflowAsync_JobOverItsMemoryOnSlurm_LeaderDoublesMemoryAndRetrySucceeds()
    {
        // 150 MiB per job: the first attempt (runtime + 140 MB) is killed over its --mem and reported MemLimit; with
        // DoubleMemory the leader retries it with 300 MiB, where it fits.
        string starts = Path.Combine(_directory, "starts");
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddToilLeader(o =>
            {
                o.JobStore = "file:" + Path.Combine(_directory, "store");
                o.Config = new WorkflowConfig { RetryCount = 1, RetryBackoffSeconds = 0, DoubleMemory = true, DefaultMemory = 150L * 1024 * 1024 };
            })
            .AddSlurmBatchSystem(o => Configure(o, WorkerProgram.LeaderMode))
            .AddToilJob<MemoryHogJob>()
            .BuildServiceProvider();

        var result = await services.GetRequiredService<IWorkflowRunner>().RunWorkflowAsync<MemoryHogJob, string>(starts).WaitAsync(Bound);

        result.Succeeded.Should().BeTrue();
        (await File.ReadAllLinesAsync(starts)).Should().HaveCount(2, "the first attempt was killed over its memory and retried with twice as much");
    }

    private void Configure(SlurmBatchSystemOptions options, string mode)
    {
        options.WorkerCommand = WorkerProgram.Command(mode);
        options.WorkerLogDirectory = Path.Combine(_directory, "slurm-logs");
        options.PollInterval = TimeSpan.FromMilliseconds(250);
    }
}
