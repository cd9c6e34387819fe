// docs/authoring.md: compiled copy of a documentation block (docs/contributing-docs.md).
// begin-snippet: authoring-job-file-store
using Toil.Runtime.FileStores;

// snippet-context
using Microsoft.Extensions.Logging;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace DocSnippets;

internal static class AuthoringJobFileStore
{
    public static NonCachingFileStore Create(IJobStore jobStore, JobDescription liveJob, string jobTempDirectory, ILogger logger, NonCachingFileStore? previousStore)
    {
        // snippet-body
        var fileStore = new NonCachingFileStore(jobStore, liveJob, jobTempDirectory, logger, previousStore is null ? null : previousStore.WaitForCommitAsync);
        // end-snippet
        return fileStore;
    }
}
