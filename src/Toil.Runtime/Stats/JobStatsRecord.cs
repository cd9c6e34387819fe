using System.Text.Json.Serialization;

namespace Toil.Runtime.Stats;

/// <summary>The statistics of one job body run (an entry of <see cref="StatsDocument.Jobs"/>); values are strings, as in Toil.</summary>
internal sealed class JobStatsRecord
{
    /// <summary>When the body started, in seconds since the Unix epoch.</summary>
    [JsonPropertyName("start")]
    public string? Start { get; set; }

    /// <summary>The body's wall-clock time in seconds.</summary>
    [JsonPropertyName("time")]
    public string? Time { get; set; }

    /// <summary>The CPU time the process used while the body ran, in seconds.</summary>
    [JsonPropertyName("clock")]
    public string? Clock { get; set; }

    /// <summary>The job's ID in the job store (not in Toil's stats; the leader's run summary and timeline use it).</summary>
    [JsonPropertyName("job_id")]
    public string? JobStoreId { get; set; }

    /// <summary>The job's name, its registered type name (not in Toil's stats; the run summary groups by it).</summary>
    [JsonPropertyName("job_name")]
    public string? JobName { get; set; }

    /// <summary>
    /// The bytes the job wrote to the job store through its file store, global files written (not in Toil's stats; the
    /// run summary adds them up).
    /// </summary>
    [JsonPropertyName("file_bytes_written")]
    public string? FileBytesWritten { get; set; }

    /// <summary>The bytes the job read from the job store through its file store, global files read (not in Toil's stats).</summary>
    [JsonPropertyName("file_bytes_read")]
    public string? FileBytesRead { get; set; }

    /// <summary>The job's display name.</summary>
    [JsonPropertyName("class_name")]
    public string? ClassName { get; set; }

    /// <summary>The process's peak memory in KiB.</summary>
    [JsonPropertyName("memory")]
    public string? Memory { get; set; }

    /// <summary>The cores the job requested.</summary>
    [JsonPropertyName("requested_cores")]
    public string? RequestedCores { get; set; }

    /// <summary>The bytes used in the job's temporary directory.</summary>
    [JsonPropertyName("disk")]
    public string? Disk { get; set; }

    /// <summary><c>True</c> or <c>False</c>.</summary>
    [JsonPropertyName("succeeded")]
    public string? Succeeded { get; set; }
}
