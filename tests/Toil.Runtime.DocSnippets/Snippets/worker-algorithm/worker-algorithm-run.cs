// docs/worker-algorithm.md: compiled copy of a documentation block (docs/contributing-docs.md).
// begin-snippet: worker-algorithm-run
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Worker;

// snippet-context
using Toil.Runtime.JobStores;

namespace DocSnippets;

internal static class WorkerAlgorithmRun
{
    public static async Task<WorkerResult> RunAsync(IServiceCollection services, IServiceProvider provider, IJobStore jobStore, string jobStoreId, CancellationToken ct)
    {
        // snippet-body
        services.AddToilRuntime(o => { o.MaxLogFileSize = 1 << 20; o.CleanWorkDir = CleanWorkDirPolicy.OnSuccess; });
        // ... plus the job types and the body invoker of the authoring layer
        WorkerResult r = await provider.GetRequiredService<IWorkerRunner>()
            .RunAsync(new WorkerRequest(jobStore, jobStoreId), ct);
        // end-snippet
        return r;
    }
}
