// docs/job-store-format.md: compiled copy of a documentation block (docs/contributing-docs.md).
// begin-snippet: job-store-format-open
using Toil.Runtime.JobStores;

// snippet-context

namespace DocSnippets;

internal static class JobStoreFormatOpen
{
    public static async Task RunAsync(Toil.Runtime.Jobs.WorkflowConfig config)
    {
        // snippet-body
        // A new store (fails with JobStoreExistsException if anything is at the path).
        await using var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = "file:/data/run-42" }, config);

        // An existing one (NoSuchJobStoreException if there is no complete store there) — what a worker does.
        await using var worker = await FileJobStore.OpenAsync("file:/data/run-42");

        // Delete it, also when it is half made or half deleted (idempotent).
        await FileJobStore.DestroyAsync("file:/data/run-42");
        // end-snippet
    }
}
