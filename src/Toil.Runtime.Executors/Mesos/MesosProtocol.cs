using System.Text.Json;
using System.Text.Json.Serialization;

namespace Toil.Runtime.Executors.Mesos;

// The JSON shapes of the Mesos v1 executor HTTP API (mesos/v1/executor/executor.proto, mesos/v1/mesos.proto).
// Field names are the proto field names (snake_case); enums travel as strings, so they are kept as strings here:
// an event or state this version does not know still parses and can be ignored. TaskInfo is kept as the raw JSON
// the agent sent, because SUBSCRIBE must give unacknowledged tasks back whole (resources, executor, labels...).

/// <summary>A Mesos <c>*ID</c> message: <c>{"value": "..."}</c>.</summary>
internal sealed class MesosId
{
    public MesosId()
    {
    }

    public MesosId(string value) => Value = value;

    public string? Value { get; set; }
}

/// <summary>An executor <c>Call</c>.</summary>
internal sealed class MesosCall
{
    public const string Subscribe = "SUBSCRIBE";
    public const string Update = "UPDATE";
    public const string Message = "MESSAGE";

    public string? Type { get; set; }

    public MesosId? ExecutorId { get; set; }

    public MesosId? FrameworkId { get; set; }

    [JsonPropertyName("subscribe")]
    public MesosSubscribeCall? SubscribeBody { get; set; }

    [JsonPropertyName("update")]
    public MesosUpdateCall? UpdateBody { get; set; }

    [JsonPropertyName("message")]
    public MesosMessageBody? MessageBody { get; set; }
}

/// <summary><c>Call.Subscribe</c>.</summary>
internal sealed class MesosSubscribeCall
{
    public List<JsonElement> UnacknowledgedTasks { get; set; } = [];

    public List<MesosUpdateCall> UnacknowledgedUpdates { get; set; } = [];
}

/// <summary><c>Call.Update</c>.</summary>
internal sealed class MesosUpdateCall
{
    public MesosTaskStatus? Status { get; set; }
}

/// <summary><c>Call.Message</c> and <c>Event.Message</c>: opaque bytes, base64 in JSON.</summary>
internal sealed class MesosMessageBody
{
    public string? Data { get; set; }
}

/// <summary>A <c>TaskStatus</c>, as far as an executor fills it in.</summary>
internal sealed class MesosTaskStatus
{
    public const string SourceExecutor = "SOURCE_EXECUTOR";

    public MesosId? TaskId { get; set; }

    public string? State { get; set; }

    public string? Message { get; set; }

    public string? Source { get; set; }

    public MesosId? ExecutorId { get; set; }

    public MesosId? AgentId { get; set; }

    public double? Timestamp { get; set; }

    /// <summary>Base64 of 16 random bytes.</summary>
    public string? Uuid { get; set; }

    public MesosLabels? Labels { get; set; }
}

/// <summary>The task states an executor sends.</summary>
internal static class MesosTaskState
{
    public const string Running = "TASK_RUNNING";
    public const string Finished = "TASK_FINISHED";
    public const string Failed = "TASK_FAILED";
    public const string Killed = "TASK_KILLED";
    public const string Staging = "TASK_STAGING";
}

/// <summary><c>Labels</c>.</summary>
internal sealed class MesosLabels
{
    public List<MesosLabel> Labels { get; set; } = [];
}

/// <summary><c>Label</c>.</summary>
internal sealed class MesosLabel
{
    public string? Key { get; set; }

    public string? Value { get; set; }
}

/// <summary>An executor <c>Event</c>.</summary>
internal sealed class MesosEvent
{
    public const string Subscribed = "SUBSCRIBED";
    public const string Launch = "LAUNCH";
    public const string LaunchGroup = "LAUNCH_GROUP";
    public const string Kill = "KILL";
    public const string Acknowledged = "ACKNOWLEDGED";
    public const string Message = "MESSAGE";
    public const string Shutdown = "SHUTDOWN";
    public const string Error = "ERROR";
    public const string Heartbeat = "HEARTBEAT";

    public string? Type { get; set; }

    [JsonPropertyName("subscribed")]
    public MesosSubscribedEvent? SubscribedBody { get; set; }

    [JsonPropertyName("launch")]
    public MesosLaunchEvent? LaunchBody { get; set; }

    [JsonPropertyName("launch_group")]
    public MesosLaunchGroupEvent? LaunchGroupBody { get; set; }

    [JsonPropertyName("kill")]
    public MesosKillEvent? KillBody { get; set; }

    [JsonPropertyName("acknowledged")]
    public MesosAcknowledgedEvent? AcknowledgedBody { get; set; }

    [JsonPropertyName("message")]
    public MesosMessageBody? MessageBody { get; set; }

    [JsonPropertyName("error")]
    public MesosErrorEvent? ErrorBody { get; set; }
}

/// <summary><c>Event.Subscribed</c>.</summary>
internal sealed class MesosSubscribedEvent
{
    public JsonElement? ExecutorInfo { get; set; }

    public MesosFrameworkInfo? FrameworkInfo { get; set; }

    public MesosAgentInfo? AgentInfo { get; set; }
}

/// <summary>The parts of <c>FrameworkInfo</c> the executor reads.</summary>
internal sealed class MesosFrameworkInfo
{
    public MesosId? Id { get; set; }

    public string? Name { get; set; }
}

/// <summary>The parts of <c>AgentInfo</c> the executor reads.</summary>
internal sealed class MesosAgentInfo
{
    public string? Hostname { get; set; }

    public int? Port { get; set; }

    public MesosId? Id { get; set; }
}

/// <summary><c>Event.Launch</c>.</summary>
internal sealed class MesosLaunchEvent
{
    public JsonElement? Task { get; set; }
}

/// <summary><c>Event.LaunchGroup</c>.</summary>
internal sealed class MesosLaunchGroupEvent
{
    public MesosTaskGroup? TaskGroup { get; set; }
}

/// <summary><c>TaskGroupInfo</c>.</summary>
internal sealed class MesosTaskGroup
{
    public List<JsonElement> Tasks { get; set; } = [];
}

/// <summary><c>Event.Kill</c>.</summary>
internal sealed class MesosKillEvent
{
    public MesosId? TaskId { get; set; }
}

/// <summary><c>Event.Acknowledged</c>.</summary>
internal sealed class MesosAcknowledgedEvent
{
    public MesosId? TaskId { get; set; }

    public string? Uuid { get; set; }
}

/// <summary><c>Event.Error</c>.</summary>
internal sealed class MesosErrorEvent
{
    public string? Message { get; set; }
}

/// <summary>The parts of a <c>TaskInfo</c> the executor reads.</summary>
internal sealed class MesosTaskInfoView
{
    public string? Name { get; set; }

    public MesosId? TaskId { get; set; }

    public MesosId? AgentId { get; set; }

    /// <summary>Base64 of the task's bytes: Toil's payload.</summary>
    public string? Data { get; set; }
}

/// <summary>The node-info message the executor sends to the framework (Toil's keys, JSON instead of a Python literal).</summary>
internal sealed class MesosNodeInfoMessage
{
    [JsonPropertyName("address")]
    public string? Address { get; set; }

    [JsonPropertyName("nodeInfo")]
    public MesosNodeInfo? NodeInfo { get; set; }
}

/// <summary>The <c>nodeInfo</c> part of <see cref="MesosNodeInfoMessage"/>.</summary>
internal sealed class MesosNodeInfo
{
    [JsonPropertyName("coresUsed")]
    public double CoresUsed { get; set; }

    [JsonPropertyName("memoryUsed")]
    public double MemoryUsed { get; set; }

    [JsonPropertyName("coresTotal")]
    public int CoresTotal { get; set; }

    [JsonPropertyName("memoryTotal")]
    public long MemoryTotal { get; set; }

    [JsonPropertyName("workers")]
    public int Workers { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(MesosCall))]
[JsonSerializable(typeof(MesosEvent))]
[JsonSerializable(typeof(MesosTaskInfoView))]
[JsonSerializable(typeof(MesosNodeInfoMessage))]
internal sealed partial class MesosJsonContext : JsonSerializerContext
{
}
