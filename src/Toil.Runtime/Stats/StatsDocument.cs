using System.Text.Json;
using System.Text.Json.Serialization;

namespace Toil.Runtime.Stats;

/// <summary>
/// The stats and log message one worker invocation writes to the job store's log inbox, success or failure (Toil's
/// <c>StatsDict</c>; docs/worker-algorithm.md, "Stats"). Keys and value types follow Toil's, so tools that read Toil's stats read ours:
/// most numbers are strings, <c>requested_cores</c>, <c>jobs_run</c> and message levels are numbers.
/// </summary>
internal sealed class StatsDocument
{
    /// <summary>The schema version this library writes.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>The document's schema version.</summary>
    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; set; } = CurrentSchemaVersion;

    /// <summary>One record per job body run by the worker (chained jobs too), in order.</summary>
    [JsonPropertyName("jobs")]
    public List<JobStatsRecord> Jobs { get; set; } = [];

    /// <summary>The worker-level statistics and the messages jobs sent to the leader.</summary>
    [JsonPropertyName("workers")]
    public WorkerStatsRecord Workers { get; set; } = new();

    /// <summary>The worker log, present only for a successful attempt under debug logging or "write logs from all jobs".</summary>
    [JsonPropertyName("logs")]
    public WorkerLogsRecord? Logs { get; set; }

    /// <summary>Parses a stats message (source-generated JSON).</summary>
    /// <param name="utf8Json">The message bytes.</param>
    /// <returns>The document.</returns>
    /// <exception cref="JsonException">The message is not a stats document (also: a list or list element that is JSON
    /// <c>null</c>, or a string that is not valid text).</exception>
    public static StatsDocument Parse(ReadOnlySpan<byte> utf8Json)
    {
        StatsDocument document;
        try
        {
            document = JsonSerializer.Deserialize(utf8Json, StatsJsonContext.Default.StatsDocument) ?? throw new JsonException("The stats message is null.");
        }
        catch (InvalidOperationException ex)
        {
            throw new JsonException($"The stats message holds a string that is not valid text ({ex.Message}).", ex);
        }

        // The types promise non-null lists of non-null entries; a message from another writer may not keep that promise.
        WorkerStatsRecord? workers = document.Workers;
        bool valid = document.Jobs is { } jobs && !jobs.Contains(null!)
            && workers is not null && (workers.RequestedCores is not { } cores || double.IsFinite(cores))
            && workers.LogsToLeader is { } messages && messages.TrueForAll(m => m?.Text is not null)
            && workers.LoggingUserStreams is { } streams && streams.TrueForAll(s => s?.Name is not null && s.Text is not null)
            && (document.Logs is null || (document.Logs.Names is { } names && !names.Contains(null!) && document.Logs.Messages is { } lines && !lines.Contains(null!)));
        return valid ? document : throw new JsonException("The stats message has a null where a list, an entry or a text is required, or a number out of range.");
    }

    /// <summary>Serializes the document to UTF-8 JSON.</summary>
    /// <returns>The JSON bytes.</returns>
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, StatsJsonContext.Default.StatsDocument);

    /// <summary>Serializes the document to UTF-8 JSON into <paramref name="output"/>: the bytes of <see cref="ToUtf8Json"/>.</summary>
    /// <param name="output">Where the JSON goes (written synchronously: meant for a stream in memory).</param>
    public void WriteUtf8Json(Stream output) => JsonSerializer.Serialize(output, this, StatsJsonContext.Default.StatsDocument);
}
