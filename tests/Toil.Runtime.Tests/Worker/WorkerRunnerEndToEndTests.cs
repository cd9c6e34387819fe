using System.Diagnostics;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Authoring;
using Toil.Runtime.Deferred;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Stats;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

/// <summary>Everything from DI: registered job types, the default invoker, NonCachingFileStore, the file-backed deferred manager.</summary>
[TestFixture]
public sealed class WorkerRunnerEndToEndTests
{
    [Test]
    [Platform("Linux,MacOsX")]
    public async Task RunAsync_FromDependencyInjection_ChainsRegisteredJobsAndCapturesChildProcessOutput()
    {
        string workDir = Path.Combine(Path.GetTempPath(), "toil-worker-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(workDir);
        try
        {
            await using var provider = new ServiceCollection()
                .AddLogging()
                .AddToilRuntime(o =>
                {
                    o.WorkDir = workDir;
                    o.LogLevel = LogLevel.Debug;
                })
                .AddToilJob<E2EParent, E2EInput>(E2EJson.Default.E2EInput)
                .AddToilJob<E2EChild, E2EInput>(E2EJson.Default.E2EInput)
                .BuildServiceProvider();
            var store = new InMemoryJobStore();
            string root = await store.CreateRootJobAsync<E2EParent, E2EInput>(provider.GetRequiredService<JobTypeRegistry>(), new E2EInput("hello"));

            var result = await provider.GetRequiredService<IWorkerRunner>().RunAsync(new WorkerRequest(store, root));

            result.ExitCode.Should().Be(0, result.Error?.ToString());
            result.JobsRun.Should().HaveCount(2);
            result.SubtreeDeleted.Should().BeTrue();
            var stats = new List<StatsDocument>();
            await store.ReadLogsAsync(async (s, ct) =>
            {
                using var m = new MemoryStream();
                await s.CopyToAsync(m, ct);
                stats.Add(StatsDocument.Parse(m.ToArray()));
            });
            var doc = stats.Should().ContainSingle().Subject;
            doc.Workers.LogsToLeader.Select(m => m.Text).Should().Contain(["parent says hello", "child says hello"]);
            doc.Logs!.Messages.Should().Contain(l => l.Contains("printed by sh", StringComparison.Ordinal));
            doc.Logs.Messages.Where(l => l.Contains("logged through the DI logger", StringComparison.Ordinal)).Should().ContainSingle(
                "a job's own ILogger<T> from DI is captured once (HostLogCaptureProvider)");
            doc.Logs.Messages.Where(l => l.Contains("Working on job", StringComparison.Ordinal)).Should().HaveCount(2, "the runner's own entries are not captured twice");
            result.RetainedTempDirectory.Should().BeNull("the default policy removes the temporary directory");
        }
        finally
        {
            Directory.Delete(workDir, recursive: true);
        }
    }

    [Test]
    public async Task RunAsync_ConcurrentRunsLoggingThroughDi_EachLogHoldsOnlyItsOwnEntries()
    {
        string workDir = Path.Combine(Path.GetTempPath(), "toil-worker-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(workDir);
        try
        {
            await using var provider = new ServiceCollection()
                .AddLogging()
                .AddToilRuntime(o => o.WorkDir = workDir)
                .AddToilJob<E2EFailing, E2EInput>(E2EJson.Default.E2EInput)
                .BuildServiceProvider();
            var store = new InMemoryJobStore();
            var registry = provider.GetRequiredService<JobTypeRegistry>();
            string[] ids = [.. await Task.WhenAll(Enumerable.Range(0, 4).Select(i => store.CreateRootJobAsync<E2EFailing, E2EInput>(registry, new E2EInput("run-" + i)).AsTask()))];
            var runner = provider.GetRequiredService<IWorkerRunner>();

            var results = await Task.WhenAll(ids.Select(id => runner.RunAsync(new WorkerRequest(store, id))));

            for (int i = 0; i < ids.Length; i++)
            {
                results[i].Failed.Should().BeTrue();
                string log = System.Text.Encoding.UTF8.GetString(await store.ReadAllBytesAsync(results[i].LogFileId!));
                log.Should().Contain("entry of run-" + i);
                for (int j = 0; j < ids.Length; j++)
                {
                    if (j != i)
                    {
                        log.Should().NotContain("entry of run-" + j + "\n");
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(workDir, recursive: true);
        }
    }

    [Test]
    public async Task RunAsync_CheckpointWhoseChildFailed_IsRestoredAndRerunsFromItsSnapshot()
    {
        // Toil's checkpoint semantics with the real invoker: the checkpoint runs and adds a child; the child fails for good; the
        // leader reissues the checkpoint; the worker charges a try, deletes the failed child and reruns the body.
        string workDir = Path.Combine(Path.GetTempPath(), "toil-worker-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(workDir);
        try
        {
            await using var provider = new ServiceCollection()
                .AddToilRuntime(o => o.WorkDir = workDir)
                .AddToilJob<E2ECheckpoint, E2EInput>(E2EJson.Default.E2EInput)
                .AddToilJob<E2EFailing, E2EInput>(E2EJson.Default.E2EInput)
                .BuildServiceProvider();
            var store = new InMemoryJobStore(new WorkflowConfig { RetryCount = 1 });
            var runner = provider.GetRequiredService<IWorkerRunner>();
            string root = await store.CreateRootJobAsync<E2ECheckpoint, E2EInput>(provider.GetRequiredService<JobTypeRegistry>(), new E2EInput("cp"), checkpoint: true);

            (await runner.RunAsync(new WorkerRequest(store, root))).ExitCode.Should().Be(0);
            var first = (CheckpointJobDescription)await store.LoadJobAsync(root);
            first.Checkpoint.Should().NotBeNull();
            string failedChild = first.AllSuccessors().Should().ContainSingle().Subject;
            (await runner.RunAsync(new WorkerRequest(store, failedChild))).Failed.Should().BeTrue();

            var second = await runner.RunAsync(new WorkerRequest(store, root));

            second.ExitCode.Should().Be(0, second.Error?.ToString());
            var restored = (CheckpointJobDescription)await store.LoadJobAsync(root);
            restored.RemainingTryCount.Should().Be(first.RemainingTryCount - 1);
            (await store.JobExistsAsync(failedChild)).Should().BeFalse();
            restored.AllSuccessors().Should().ContainSingle().Which.Should().NotBe(failedChild, "the body ran again and made a new child");
            restored.HasBody.Should().BeFalse();
        }
        finally
        {
            Directory.Delete(workDir, recursive: true);
        }
    }
}

public sealed record E2EInput(string Text);

[ToilJob("e2e-checkpoint")]
public sealed class E2ECheckpoint : IJob<E2EInput>
{
    public ValueTask RunAsync(E2EInput input, JobContext context, CancellationToken cancellationToken)
    {
        context.AddChild<E2EFailing, E2EInput>(input with { Text = input.Text + "-child" });
        return ValueTask.CompletedTask;
    }
}

[ToilJob("e2e-failing")]
public sealed partial class E2EFailing(ILogger<E2EFailing> logger) : IJob<E2EInput>
{
    public async ValueTask RunAsync(E2EInput input, JobContext context, CancellationToken cancellationToken)
    {
        await Task.Yield();
        LogEntry(logger, input.Text);
        await Task.Delay(20, cancellationToken);
        throw new InvalidOperationException("fail so the log is stored");
    }

    [LoggerMessage(1, LogLevel.Information, "entry of {Run}")]
    private static partial void LogEntry(ILogger logger, string run);
}

[JsonSerializable(typeof(E2EInput))]
internal sealed partial class E2EJson : JsonSerializerContext
{
}

[ToilJob("e2e-parent")]
public sealed class E2EParent : IJob<E2EInput>
{
    public ValueTask RunAsync(E2EInput input, JobContext context, CancellationToken cancellationToken)
    {
        context.LogToLeader("parent says " + input.Text);
        context.AddChild<E2EChild, E2EInput>(input);
        return ValueTask.CompletedTask;
    }
}

[ToilJob("e2e-child")]
public sealed partial class E2EChild(ILogger<E2EChild> logger) : IJob<E2EInput>
{
    public async ValueTask RunAsync(E2EInput input, JobContext context, CancellationToken cancellationToken)
    {
        LogThroughDi(logger);
        context.LogToLeader("child says " + input.Text);
        var psi = new ProcessStartInfo("/bin/sh");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("echo printed by sh");
        (await context.RunProcessAsync(psi, TimeSpan.FromMinutes(1), cancellationToken)).Should().Be(0);
    }

    [LoggerMessage(1, LogLevel.Information, "logged through the DI logger")]
    private static partial void LogThroughDi(ILogger logger);
}
