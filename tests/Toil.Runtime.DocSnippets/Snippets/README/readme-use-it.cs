// README.md: compiled copy of a documentation block (docs/contributing-docs.md).
// begin-snippet: readme-use-it
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

// snippet-context

namespace DocSnippets;

internal static class ReadmeUseIt
{
    public static async Task<WorkerResult> RunAsync()
    {
        // snippet-body
        await using var provider = new ServiceCollection()
            .AddLogging()
            .AddToilRuntime()
            .AddWordCountJobs()
            .BuildServiceProvider();

        var store = new InMemoryJobStore();                       // or a FileJobStore (file:/path)
        var registry = provider.GetRequiredService<JobTypeRegistry>();
        string rootId = await store.CreateRootJobAsync(registry, FanOut.Type, new FanInput([new("a", "one two"), new("b", "three")]));
        WorkerResult result = await provider.GetRequiredService<IWorkerRunner>().RunAsync(new WorkerRequest(store, rootId));
        // end-snippet
        return result;
    }
}
