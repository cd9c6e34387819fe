// docs/testing.md: compiled copy of a documentation block (docs/contributing-docs.md).
// begin-snippet: testing-read-leader-messages
using Microsoft.Extensions.Logging;
using Toil.Runtime.FileStores;

// Each stats message is archived once read: the next call returns only newer ones (readAll: true re-reads all).
// snippet-context
using Toil.Runtime.JobStores;

namespace DocSnippets;

internal static class TestingReadLeaderMessages
{
    public static async Task RunAsync(IJobStore store, ILogger logger, CancellationToken ct)
    {
        // snippet-body
        foreach (LeaderMessage message in await store.ReadLeaderMessagesAsync(cancellationToken: ct))
        {
            logger.Log(message.Level, "{Text}", message.Text);
        }
        // end-snippet
    }
}
