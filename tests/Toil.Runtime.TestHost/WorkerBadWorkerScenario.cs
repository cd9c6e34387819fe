using Microsoft.Extensions.Options;
using Toil.Runtime.Authoring;
using Toil.Runtime.Deferred;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.TestHost;

/// <summary>
/// Runs a job that waits two minutes through <see cref="WorkerRunner"/> in process mode with <c>BadWorker = 1</c> and a
/// short fail interval, so the worker is killed from outside (SIGUSR1, then SIGKILL) while the job runs. Exits with 4
/// if it ever gets past the run.
/// Arguments: <c>workDir</c>.
/// </summary>
public sealed class WorkerBadWorkerScenario : IHostScenario
{
    /// <inheritdoc />
    public string Name => "worker-bad-worker";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        string workDir = args[0];
        var store = new InMemoryJobStore();
        var job = new JobDescription("sleepy");
        await store.AssignJobIdAsync(job);
        job.AttachBody(new JobBody("sleepy", "none"));
        await store.CreateJobsAsync([job]);

        var options = Options.Create(new WorkerOptions
        {
            WorkDir = workDir,
            CoordinationDir = Path.Combine(workDir, "coord"),
            BadWorker = 1.0,
            BadWorkerFailInterval = TimeSpan.FromMilliseconds(500),
        });
        var runner = new WorkerRunner(new SleepyInvoker(), new InMemoryDeferredFunctionManagerFactory(new DeferredFunctionRegistry()), options, new EmptyServices());
        await runner.RunAsync(new WorkerRequest(store, job.JobStoreId) { Mode = WorkerMode.Process });
        return 4;
    }

    private sealed class SleepyInvoker : IJobBodyInvoker
    {
        public async ValueTask<JobBodyOutcome> InvokeAsync(JobInvocation invocation, CancellationToken cancellationToken = default)
        {
            await Task.Delay(TimeSpan.FromMinutes(2), cancellationToken);
            return new JobBodyOutcome();
        }
    }

    private sealed class EmptyServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
