// docs/authoring.md: compiled copy of a documentation block (docs/contributing-docs.md).
// begin-snippet: authoring-start-workflow
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;
using Toil.Runtime.JobStores;

// snippet-context

namespace DocSnippets;

internal static class AuthoringStartWorkflow
{
    public static async Task<(string, int)> RunAsync(IServiceProvider provider, IJobStore store, FanInput fanInput, CountInput countInput, CancellationToken ct)
    {
        // snippet-body
        var registry = provider.GetRequiredService<JobTypeRegistry>();
        string rootId = await store.CreateRootJobAsync(registry, FanOut.Type, fanInput, cancellationToken: ct);

        // Or, to read the root's return value when it has run:
        RootJob<int> root = await store.CreateRootJobAsync(registry, CountWords.Type, countInput, cancellationToken: ct);
        // ... run the workflow ...
        int words = await root.ReadResultAsync(store, ct);
        // end-snippet
        return (rootId, words);
    }
}
