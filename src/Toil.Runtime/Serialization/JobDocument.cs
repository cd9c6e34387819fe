using System.Text.Json.Serialization;

namespace Toil.Runtime.Serialization;

/// <summary>The persisted JSON form of a <see cref="Jobs.JobDescription"/> (schema versions 1 and 2).</summary>
internal sealed class JobDocument
{
    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("jobStoreId")]
    public string? JobStoreId { get; set; }

    [JsonPropertyName("jobName")]
    public string? JobName { get; set; }

    [JsonPropertyName("unitName")]
    public string? UnitName { get; set; }

    [JsonPropertyName("displayName")]
    public string? DisplayName { get; set; }

    [JsonPropertyName("local")]
    public bool Local { get; set; }

    [JsonPropertyName("requirements")]
    public RequirementsDocument? Requirements { get; set; }

    [JsonPropertyName("remainingTryCount")]
    public int? RemainingTryCount { get; set; }

    [JsonPropertyName("retryBackoffSeconds")]
    public double? RetryBackoffSeconds { get; set; }

    [JsonPropertyName("predecessorNumber")]
    public int PredecessorNumber { get; set; }

    [JsonPropertyName("predecessorsFinished")]
    public List<string?>? PredecessorsFinished { get; set; }

    [JsonPropertyName("successorPhases")]
    public List<List<string?>?>? SuccessorPhases { get; set; }

    [JsonPropertyName("serviceTree")]
    public Dictionary<string, List<string?>?>? ServiceTree { get; set; }

    [JsonPropertyName("body")]
    public BodyDocument? Body { get; set; }

    [JsonPropertyName("logJobStoreFileId")]
    public string? LogJobStoreFileId { get; set; }

    [JsonPropertyName("filesToDelete")]
    public List<string?>? FilesToDelete { get; set; }

    [JsonPropertyName("mergedJobNames")]
    public List<NamesDocument>? MergedJobNames { get; set; }

    [JsonPropertyName("filesToUse")]
    public List<string?>? FilesToUse { get; set; }

    [JsonPropertyName("version")]
    public long Version { get; set; }

    [JsonPropertyName("versionWriter")]
    public int VersionWriter { get; set; }

    [JsonPropertyName("checkpoint")]
    public BodyDocument? Checkpoint { get; set; }

    [JsonPropertyName("checkpointFilesToDelete")]
    public List<string?>? CheckpointFilesToDelete { get; set; }
}

internal sealed class RequirementsDocument
{
    [JsonPropertyName("memory")]
    public long? Memory { get; set; }

    [JsonPropertyName("cores")]
    public double? Cores { get; set; }

    [JsonPropertyName("disk")]
    public long? Disk { get; set; }

    [JsonPropertyName("accelerators")]
    public List<AcceleratorDocument>? Accelerators { get; set; }

    [JsonPropertyName("preemptible")]
    public bool? Preemptible { get; set; }

    [JsonPropertyName("walltimeSeconds")]
    public double? WalltimeSeconds { get; set; }
}

internal sealed class AcceleratorDocument
{
    [JsonPropertyName("count")]
    public int Count { get; set; } = 1;

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("model")]
    public string? Model { get; set; }

    [JsonPropertyName("brand")]
    public string? Brand { get; set; }

    [JsonPropertyName("api")]
    public string? Api { get; set; }
}

internal sealed class BodyDocument
{
    [JsonPropertyName("typeName")]
    public string? TypeName { get; set; }

    [JsonPropertyName("fileId")]
    public string? FileId { get; set; }

    // An inline body's JSON input (schemaVersion 2), base64 as System.Text.Json writes a byte array.
    [JsonPropertyName("input")]
    public byte[]? Input { get; set; }
}

internal sealed class NamesDocument
{
    [JsonPropertyName("jobName")]
    public string? JobName { get; set; }

    [JsonPropertyName("unitName")]
    public string? UnitName { get; set; }

    [JsonPropertyName("displayName")]
    public string? DisplayName { get; set; }

    [JsonPropertyName("statsName")]
    public string? StatsName { get; set; }

    [JsonPropertyName("jobStoreId")]
    public string? JobStoreId { get; set; }
}

internal sealed class WorkflowConfigDocument
{
    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; set; }

    [JsonPropertyName("workflowId")]
    public string? WorkflowId { get; set; }

    [JsonPropertyName("defaultMemory")]
    public long DefaultMemory { get; set; }

    [JsonPropertyName("defaultCores")]
    public double DefaultCores { get; set; }

    [JsonPropertyName("defaultDisk")]
    public long DefaultDisk { get; set; }

    [JsonPropertyName("defaultAccelerators")]
    public List<AcceleratorDocument>? DefaultAccelerators { get; set; }

    [JsonPropertyName("defaultPreemptible")]
    public bool DefaultPreemptible { get; set; }

    [JsonPropertyName("defaultWalltimeSeconds")]
    public double DefaultWalltimeSeconds { get; set; }

    [JsonPropertyName("retryCount")]
    public int RetryCount { get; set; }

    [JsonPropertyName("retryBackoffSeconds")]
    public double RetryBackoffSeconds { get; set; }

    [JsonPropertyName("retryBackoffFactor")]
    public double RetryBackoffFactor { get; set; }

    [JsonPropertyName("enableUnlimitedPreemptibleRetries")]
    public bool EnableUnlimitedPreemptibleRetries { get; set; }

    [JsonPropertyName("doubleMemory")]
    public bool DoubleMemory { get; set; }

    [JsonPropertyName("runLocalJobsOnWorkers")]
    public bool RunLocalJobsOnWorkers { get; set; }

    [JsonPropertyName("jobAssemblies")]
    public List<string>? JobAssemblies { get; set; }
}
