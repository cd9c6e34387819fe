// docs/deferred-functions.md: compiled copy of a documentation block (docs/contributing-docs.md).
// begin-snippet: deferred-cleanup
using Toil.Runtime.Deferred;

// snippet-context
using Microsoft.Extensions.Logging;

namespace DocSnippets;

internal static class DeferredCleanup
{
    public static async Task<DeferredFunctionRunResult> RunAsync(DeferredFunctionManagerOptions options, DeferredFunctionRegistry registry, ILogger logger, IServiceProvider services, CancellationToken ct)
    {
        // snippet-body
        DeferredFunctionRunResult r = await DeferredFunctionManager.CleanupAsync(options, registry, logger, services, ct);
        // end-snippet
        return r;
    }
}
