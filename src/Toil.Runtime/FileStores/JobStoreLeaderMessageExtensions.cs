using Toil.Runtime.JobStores;
using Toil.Runtime.Logging;
using Toil.Runtime.Stats;

namespace Toil.Runtime.FileStores;

/// <summary>
/// The leader's side of <see cref="IFileStore.LogToLeader"/>: every successful worker writes one stats message
/// (<see cref="StatsDocument"/>) into the job store; these read them back, typed. See docs/testing.md, "Reading what jobs
/// sent to the leader".
/// </summary>
public static class JobStoreLeaderMessageExtensions
{
    /// <summary>
    /// Reads the workers' stats messages. Without <paramref name="readAll"/> each message is archived once it has been
    /// read (what a leader does: the next call returns only newer ones); with it, archived messages are returned too and
    /// nothing changes.
    /// </summary>
    /// <param name="store">The job store.</param>
    /// <param name="readAll">Whether to return archived messages too (and archive nothing).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The messages, in the order the store delivered them.</returns>
    /// <exception cref="System.Text.Json.JsonException">A message is not a stats document; it is left unarchived.</exception>
    internal static async ValueTask<IReadOnlyList<StatsDocument>> ReadStatsAsync(this IJobStore store, bool readAll = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        List<StatsDocument> documents = [];
        await store.ReadLogsAsync(
            async (stream, ct) =>
            {
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, ct).ConfigureAwait(false);
                documents.Add(StatsDocument.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
            },
            readAll,
            cancellationToken).ConfigureAwait(false);
        return documents;
    }

    /// <summary>
    /// Reads what jobs sent with <see cref="IFileStore.LogToLeader"/> (<see cref="Authoring.JobContext.LogToLeader"/>),
    /// worker by worker, in each worker's order; archives the stats messages as <see cref="ReadStatsAsync"/> does.
    /// </summary>
    /// <param name="store">The job store.</param>
    /// <param name="readAll">Whether to return archived messages too (and archive nothing).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The messages with their levels.</returns>
    public static async ValueTask<IReadOnlyList<LeaderMessage>> ReadLeaderMessagesAsync(this IJobStore store, bool readAll = false, CancellationToken cancellationToken = default)
    {
        var documents = await store.ReadStatsAsync(readAll, cancellationToken).ConfigureAwait(false);
        return [.. documents.SelectMany(GetLeaderMessages)];
    }

    /// <summary>The messages to the leader in one worker's stats message.</summary>
    /// <param name="document">The stats message.</param>
    /// <returns>The messages, with Python's level numbers turned back into <see cref="Microsoft.Extensions.Logging.LogLevel"/>.</returns>
    internal static IReadOnlyList<LeaderMessage> GetLeaderMessages(this StatsDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return [.. document.Workers.LogsToLeader.Select(m => new LeaderMessage(m.Text, ToilLogLevel.ToLogLevel(m.Level)))];
    }
}
