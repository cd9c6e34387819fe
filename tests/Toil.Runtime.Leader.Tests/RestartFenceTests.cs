using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Toil.Runtime.Leader.BatchSystems;
using Toil.Runtime.Leader.Workflows;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Leader.Tests;

/// <summary>The leader's side of the restart fence (docs/decisions.md#restart-fence): when and with what it calls <see cref="IRestartFence"/>.</summary>
public sealed class RestartFenceTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    [Test]
    public async Task RunAsync_BatchSystemIsARestartFence_FencesTheWorkflowOnceBeforeItIssuesAnything()
    {
        string directory = Directory.CreateTempSubdirectory("toil-leader-fence-").FullName;
        try
        {
            var calls = new ConcurrentQueue<string>();
            var services = new ServiceCollection().AddLogging();
            services.AddTransient<IBatchSystem>(sp => new FencingBatchSystem(
                new InProcessBatchSystem(sp.GetRequiredService<IWorkerRunner>(), Options.Create(new InProcessBatchSystemOptions()), sp.GetService<IOptions<WorkerOptions>>()), calls));
            services.AddToilLeader(o => o.JobStore = "file:" + Path.Combine(directory, "store"));
            services.Configure<WorkerOptions>(o => { o.WorkDir = directory; o.CoordinationDir = directory; });
            services.AddToilJob(TokenSquare.Type);
            await using var provider = services.BuildServiceProvider();

            int value = await provider.GetRequiredService<IWorkflowRunner>().RunAsync(TokenSquare.Type, 4).WaitAsync(Bound);

            value.Should().Be(16);
            var list = calls.ToList();
            list.Should().ContainSingle(c => c.StartsWith("fence ", StringComparison.Ordinal));
            list[0].Should().StartWith("fence ", "the fence comes before the first issue");
            list[0].Should().NotBe("fence ", "the fence is given the workflow's ID");
            list.Should().Contain("issue");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>An in-process batch system that records the fence and the issues, in order.</summary>
    private sealed class FencingBatchSystem(InProcessBatchSystem inner, ConcurrentQueue<string> calls) : IBatchSystem, IRestartFence
    {
        public string Name => "fencing";

        public ValueTask<int> StopEarlierWorkersAsync(string workflowId, CancellationToken cancellationToken = default)
        {
            calls.Enqueue("fence " + workflowId);
            return ValueTask.FromResult(0);
        }

        public void CheckResourceRequest(JobResources resources) => inner.CheckResourceRequest(resources);

        public ValueTask<long> IssueJobAsync(BatchJobRequest request, CancellationToken cancellationToken = default)
        {
            calls.Enqueue("issue");
            return inner.IssueJobAsync(request, cancellationToken);
        }

        public ValueTask KillJobsAsync(IReadOnlyCollection<long> batchJobIds, CancellationToken cancellationToken = default) => inner.KillJobsAsync(batchJobIds, cancellationToken);

        public IReadOnlyCollection<long> GetIssuedJobIds() => inner.GetIssuedJobIds();

        public IReadOnlyDictionary<long, TimeSpan> GetRunningJobs() => inner.GetRunningJobs();

        public ValueTask<BatchJobUpdate> WaitForUpdateAsync(CancellationToken cancellationToken = default) => inner.WaitForUpdateAsync(cancellationToken);

        public ValueTask ShutdownAsync(CancellationToken cancellationToken = default) => inner.ShutdownAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
