using System.Text.Json;

namespace Toil.Runtime.Executors.Mesos;

/// <summary>
/// The executor's unacknowledged tasks and status updates. An update is recorded before it is sent and stays until the
/// agent acknowledges it (never resent on its own: a re-SUBSCRIBE hands the remainder to the agent). A task stays until
/// any of its updates is acknowledged.
/// </summary>
internal sealed class MesosUpdateLedger
{
    private readonly Lock gate = new();
    private readonly OrderedDictionary<string, JsonElement> tasks = new(StringComparer.Ordinal);
    private readonly OrderedDictionary<string, MesosTaskStatus> updates = new(StringComparer.Ordinal);

    public void AddTask(string taskId, JsonElement taskInfo)
    {
        lock (gate)
        {
            tasks[taskId] = taskInfo.Clone();
        }
    }

    public void AddUpdate(MesosTaskStatus status)
    {
        ArgumentException.ThrowIfNullOrEmpty(status.Uuid);
        lock (gate)
        {
            updates[status.Uuid] = status;
        }
    }

    /// <summary>Records an acknowledgement.</summary>
    /// <returns><see langword="true"/> if the update was known.</returns>
    public bool Acknowledge(string? taskId, string? uuid)
    {
        lock (gate)
        {
            bool known = uuid is not null && updates.Remove(uuid, out MesosTaskStatus? status);
            if (taskId is not null)
            {
                tasks.Remove(taskId);
            }

            return known;
        }
    }

    public (List<JsonElement> Tasks, List<MesosUpdateCall> Updates) Snapshot()
    {
        lock (gate)
        {
            return (
                [.. tasks.Values],
                [.. updates.Values.Select(status => new MesosUpdateCall { Status = status })]);
        }
    }
}
