using System.Diagnostics;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Authoring;
using Toil.Runtime.Deferred;
using Toil.Runtime.JobStores;
using Toil.Runtime.Stats;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

/// <summary>Everything from DI: registered job types, the default invoker, JobFileStore, the file-backed deferred manager.</summary>
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
            result.RetainedTempDirectory.Should().BeNull("the default policy removes the temporary directory");
        }
        finally
        {
            Directory.Delete(workDir, recursive: true);
        }
    }
}

public sealed record E2EInput(string Text);

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
public sealed class E2EChild : IJob<E2EInput>
{
    public async ValueTask RunAsync(E2EInput input, JobContext context, CancellationToken cancellationToken)
    {
        context.LogToLeader("child says " + input.Text);
        var psi = new ProcessStartInfo("/bin/sh");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("echo printed by sh");
        (await context.RunProcessAsync(psi, TimeSpan.FromMinutes(1), cancellationToken)).Should().Be(0);
    }
}
