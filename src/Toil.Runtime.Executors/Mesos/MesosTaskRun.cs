using System.ComponentModel;
using Toil.Runtime.Executors.Processes;

namespace Toil.Runtime.Executors.Mesos;

/// <summary>
/// One launched task. It is registered before its command starts, so a KILL arriving at any moment of the launch
/// is seen: before the start the command is never started, after it the whole process group is killed.
/// </summary>
internal sealed class MesosTaskRun(string taskId, string? agentId, string? data)
{
    private readonly Lock gate = new();
    private ProcessGroupChild? child;
    private bool killRequested;

    public string TaskId { get; } = taskId;

    public string? AgentId { get; } = agentId;

    public string? Data { get; } = data;

    public Task Completion { get; set; } = Task.CompletedTask;

    public bool KillRequested
    {
        get
        {
            lock (gate)
            {
                return killRequested;
            }
        }
    }

    /// <summary>Starts the command unless a kill was requested first.</summary>
    /// <returns>The child, or <see langword="null"/> if the task was killed before it started.</returns>
    public ProcessGroupChild? StartUnlessKilled(Func<ProcessGroupChild> start)
    {
        lock (gate)
        {
            if (killRequested)
            {
                return null;
            }

            child = start();
            return child;
        }
    }

    /// <summary>Marks the task killed and SIGKILLs its process group if it runs.</summary>
    /// <exception cref="Win32Exception">The group could not be signalled.</exception>
    public void RequestKill()
    {
        lock (gate)
        {
            killRequested = true;
            if (child is { HasExited: false })
            {
                child.SignalGroup(UnixSignal.Kill);
            }
        }
    }
}
