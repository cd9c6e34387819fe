// src/Toil.Runtime/README.md: compiled copy of a documentation block (docs/contributing-docs.md).
// begin-snippet: package-readme-runtime
using Microsoft.Extensions.DependencyInjection;

// snippet-context

namespace DocSnippets;

internal static class PackageReadmeRuntime
{
    public static IServiceCollection Create()
    {
        // snippet-body
        var services = new ServiceCollection()
            .AddLogging()
            .AddToilRuntime();   // then AddToilJob(X.Type) for each job type
        // end-snippet
        return services;
    }
}
