using Toil.Runtime.JobStores;
using Toil.Runtime.Stats;

namespace Toil.Runtime.Worker;

/// <summary>
/// Writes a run's stats to its job store. It lives with the worker, which owns the store, because <c>Stats/</c> stands
/// apart from the job stores (docs/architecture.md).
/// </summary>
internal static class StatsSpoolJobStoreExtensions
{
    /// <summary>
    /// Writes <paramref name="document"/> with <paramref name="spool"/>'s lists to <paramref name="store"/>'s log inbox:
    /// as one buffer when nothing was spilled (a short chain), streamed otherwise.
    /// </summary>
    /// <param name="spool">The run's spool.</param>
    /// <param name="store">The job store.</param>
    /// <param name="document">Everything else of the document; the spool's lists replace its own.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the message is durable.</returns>
    public static ValueTask WriteAsync(this StatsSpool spool, IJobStore store, StatsDocument document, CancellationToken cancellationToken)
    {
        if (!spool.TryCompleteInMemory(document))
        {
            return store.WriteLogsAsync((stream, ct) => spool.WriteDocumentAsync(stream, document, ct), cancellationToken);
        }

        // A store that keeps the message in memory captures it as it is serialized: one array instead of the
        // serializer's plus the store's copy of it (docs/performance.md, "CPU per chained job: the second pass").
        return store is IJobStoreTraits { WritesAreInMemory: true }
            ? store.WriteLogsAsync(WriteInMemory(document), cancellationToken)
            : store.WriteLogsAsync(document.ToUtf8Json(), cancellationToken);
    }

    private static Func<Stream, CancellationToken, ValueTask> WriteInMemory(StatsDocument document) => (stream, _) =>
    {
        document.WriteUtf8Json(stream);
        return ValueTask.CompletedTask;
    };
}
