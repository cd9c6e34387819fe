using System.Text.Json.Serialization;

namespace Toil.Runtime.Cli.Store;

/// <summary>The aggregate of every run of one job type (<c>class_name</c> of the workers' job records).</summary>
internal sealed class JobTypeStats
{
    /// <summary>The job type (the job's display name as the worker recorded it).</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>How many bodies of this type ran (chained ones included).</summary>
    [JsonPropertyName("count")]
    public int Count { get; set; }

    /// <summary>How many of them failed.</summary>
    [JsonPropertyName("failed")]
    public int Failed { get; set; }

    /// <summary>Total wall-clock seconds.</summary>
    [JsonPropertyName("wallSeconds")]
    public double WallSeconds { get; set; }

    /// <summary>The longest run's wall-clock seconds.</summary>
    [JsonPropertyName("maxWallSeconds")]
    public double MaxWallSeconds { get; set; }

    /// <summary>Total CPU seconds.</summary>
    [JsonPropertyName("cpuSeconds")]
    public double CpuSeconds { get; set; }

    /// <summary>The highest peak memory of the worker process while one ran, in KiB.</summary>
    [JsonPropertyName("maxMemoryKiB")]
    public long MaxMemoryKiB { get; set; }

    /// <summary>The bytes the bodies wrote to the job store through their file stores.</summary>
    [JsonPropertyName("fileBytesWritten")]
    public long FileBytesWritten { get; set; }

    /// <summary>The bytes the bodies read from the job store through their file stores.</summary>
    [JsonPropertyName("fileBytesRead")]
    public long FileBytesRead { get; set; }

    /// <summary>Mean wall-clock seconds per run.</summary>
    [JsonPropertyName("meanWallSeconds")]
    public double MeanWallSeconds => Count == 0 ? 0 : WallSeconds / Count;

    /// <summary>Mean CPU seconds per run.</summary>
    [JsonPropertyName("meanCpuSeconds")]
    public double MeanCpuSeconds => Count == 0 ? 0 : CpuSeconds / Count;
}
