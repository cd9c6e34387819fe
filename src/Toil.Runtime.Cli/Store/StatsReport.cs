using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Toil.Runtime.Stats;

namespace Toil.Runtime.Cli.Store;

/// <summary>
/// Toil-style aggregate statistics of a store (Toil's <c>toil stats</c>): every stats message the workers wrote, merged;
/// job records grouped by type, worker totals summed. A message that is not a stats document is counted and skipped.
/// </summary>
internal sealed class StatsReport
{
    /// <summary>The store's locator.</summary>
    [JsonPropertyName("jobStore")]
    public required string JobStore { get; init; }

    /// <summary>How many worker messages were read.</summary>
    [JsonPropertyName("workers")]
    public int Workers { get; set; }

    /// <summary>How many job bodies the workers ran (chained ones included).</summary>
    [JsonPropertyName("jobsRun")]
    public long JobsRun { get; set; }

    /// <summary>The workers' total wall-clock seconds.</summary>
    [JsonPropertyName("workerWallSeconds")]
    public double WorkerWallSeconds { get; set; }

    /// <summary>The workers' total CPU seconds.</summary>
    [JsonPropertyName("workerCpuSeconds")]
    public double WorkerCpuSeconds { get; set; }

    /// <summary>The highest peak memory of a worker, in KiB.</summary>
    [JsonPropertyName("workerMaxMemoryKiB")]
    public long WorkerMaxMemoryKiB { get; set; }

    /// <summary>The bytes the jobs wrote to the job store through their file stores (records without the count add nothing).</summary>
    [JsonPropertyName("fileBytesWritten")]
    public long FileBytesWritten { get; set; }

    /// <summary>The bytes the jobs read from the job store through their file stores.</summary>
    [JsonPropertyName("fileBytesRead")]
    public long FileBytesRead { get; set; }

    /// <summary>Messages that were not stats documents (or could not be read).</summary>
    [JsonPropertyName("skippedMessages")]
    public int SkippedMessages { get; set; }

    /// <summary>One entry per job type, by total wall time, longest first.</summary>
    [JsonPropertyName("jobTypes")]
    public List<JobTypeStats> JobTypes { get; set; } = [];

    /// <summary>Aggregates <paramref name="messages"/>.</summary>
    public static StatsReport Aggregate(string locator, IEnumerable<byte[]> messages, Action<string>? skipped = null)
    {
        var report = new StatsReport { JobStore = locator };
        var types = new Dictionary<string, JobTypeStats>(StringComparer.Ordinal);
        foreach (byte[] message in messages)
        {
            StatsDocument document;
            try
            {
                document = StatsDocument.Parse(message);
            }
            catch (JsonException e)
            {
                report.SkippedMessages++;
                skipped?.Invoke(e.Message);
                continue;
            }

            report.Workers++;
            report.JobsRun += document.Workers.JobsRun ?? document.Jobs.Count;
            report.WorkerWallSeconds += Number(document.Workers.Time);
            report.WorkerCpuSeconds += Number(document.Workers.Clock);
            report.WorkerMaxMemoryKiB = Math.Max(report.WorkerMaxMemoryKiB, (long)Number(document.Workers.Memory));
            foreach (var job in document.Jobs)
            {
                string name = string.IsNullOrEmpty(job.ClassName) ? "(unnamed)" : job.ClassName;
                if (!types.TryGetValue(name, out var stats))
                {
                    types[name] = stats = new JobTypeStats { Name = name };
                }

                double wall = Number(job.Time);
                stats.Count++;
                stats.Failed += string.Equals(job.Succeeded, "False", StringComparison.Ordinal) ? 1 : 0;
                stats.WallSeconds += wall;
                stats.MaxWallSeconds = Math.Max(stats.MaxWallSeconds, wall);
                stats.CpuSeconds += Number(job.Clock);
                stats.MaxMemoryKiB = Math.Max(stats.MaxMemoryKiB, (long)Number(job.Memory));
                long written = Bytes(job.FileBytesWritten);
                long read = Bytes(job.FileBytesRead);
                stats.FileBytesWritten += written;
                stats.FileBytesRead += read;
                report.FileBytesWritten += written;
                report.FileBytesRead += read;
            }
        }

        report.JobTypes = [.. types.Values.OrderByDescending(t => t.WallSeconds).ThenBy(t => t.Name, StringComparer.Ordinal)];
        return report;
    }

    /// <summary>The report as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, StatsReportJsonContext.Default.StatsReport);

    // A byte count the worker wrote (file_bytes_written, file_bytes_read; not in Toil's stats): anything else is none.
    private static long Bytes(string? text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value : 0;

    private static double Number(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value) && value >= 0 ? value : 0;
}
