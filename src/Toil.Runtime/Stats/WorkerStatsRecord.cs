using System.Text.Json.Serialization;

namespace Toil.Runtime.Stats;

/// <summary>The worker-level part of a <see cref="StatsDocument"/>.</summary>
internal sealed class WorkerStatsRecord
{
    /// <summary>Every message jobs in the chain sent to the leader, in order.</summary>
    [JsonPropertyName("logs_to_leader")]
    public List<LeaderMessageRecord> LogsToLeader { get; set; } = [];

    /// <summary>Every named user log stream jobs in the chain sent to the leader, in order.</summary>
    [JsonPropertyName("logging_user_streams")]
    public List<UserStreamRecord> LoggingUserStreams { get; set; } = [];

    /// <summary>The cores the first job requested (a number, not a string).</summary>
    [JsonPropertyName("requested_cores")]
    public double? RequestedCores { get; set; }

    /// <summary>The chain's wall-clock time in seconds; absent when the chain did not finish.</summary>
    [JsonPropertyName("time")]
    public string? Time { get; set; }

    /// <summary>The chain's CPU time in seconds; absent when the chain did not finish.</summary>
    [JsonPropertyName("clock")]
    public string? Clock { get; set; }

    /// <summary>The process's peak memory in KiB; absent when the chain did not finish.</summary>
    [JsonPropertyName("memory")]
    public string? Memory { get; set; }

    /// <summary>The largest disk use of any job in the chain; absent when the chain did not finish.</summary>
    [JsonPropertyName("disk")]
    public string? Disk { get; set; }

    /// <summary>How many job bodies ran; absent when the chain did not finish.</summary>
    [JsonPropertyName("jobs_run")]
    public int? JobsRun { get; set; }
}
