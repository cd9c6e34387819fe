// docs/worker-process.md: compiled copy of a documentation block (docs/contributing-docs.md).
// begin-snippet: worker-process-program
// Program.cs
using Toil.Runtime.Worker;

// snippet-context

namespace DocSnippets;

internal static class WorkerProcessProgram
{
    public static async Task<int> MainAsync(string[] args)
    {
        // snippet-body
        if (args is ["worker", .. var workerArgs])
        {
            return await ToilWorkerEntryPoint.RunAsync(workerArgs, services => services.AddWordCountJobs());
        }
        // ... the rest of the application
        // end-snippet
        return 0;
    }
}
