// docs/executors.md: compiled copy of a documentation block (docs/contributing-docs.md).
// begin-snippet: executors-resource-reader
using Toil.Runtime.Executors.Contained;
using Toil.Runtime.Executors.Resources;

// snippet-context
using Microsoft.Extensions.Logging;

namespace DocSnippets;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class ExecutorsResourceReader
{
    public static async Task<int> RunAsync(string[] args, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        // snippet-body
        await using var resources = JobResourceReaders.FromLocator();
        var options = new ContainedExecutorOptions { ResourceReader = resources.ReadAsync };
        int exitCode = await ContainedExecutor.RunAsync(args, options, loggerFactory, cancellationToken);
        // end-snippet
        return exitCode;
    }
}
