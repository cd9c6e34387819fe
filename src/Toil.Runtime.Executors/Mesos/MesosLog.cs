using System.Net;
using Microsoft.Extensions.Logging;

namespace Toil.Runtime.Executors.Mesos;

internal static partial class MesosLog
{
    [LoggerMessage(1, LogLevel.Warning, "Had to fake MESOS_AGENT_ENDPOINT as {Endpoint}")]
    public static partial void FakedAgentEndpoint(ILogger logger, string endpoint);

    [LoggerMessage(2, LogLevel.Information, "Subscribing to the Mesos agent at {Endpoint} as executor {ExecutorId} of framework {FrameworkId}")]
    public static partial void Subscribing(ILogger logger, string endpoint, string executorId, string frameworkId);

    [LoggerMessage(3, LogLevel.Information, "Subscribed to agent {AgentHost} ({UnacknowledgedTasks} unacknowledged task(s), {UnacknowledgedUpdates} unacknowledged update(s) handed over)")]
    public static partial void Subscribed(ILogger logger, string? agentHost, int unacknowledgedTasks, int unacknowledgedUpdates);

    [LoggerMessage(4, LogLevel.Warning, "The agent refused the subscription with HTTP {Status}: {Body}")]
    public static partial void SubscribeRefused(ILogger logger, HttpStatusCode status, string body);

    [LoggerMessage(5, LogLevel.Critical, "Disconnected from the agent: {Reason}")]
    public static partial void Disconnected(ILogger logger, string reason);

    [LoggerMessage(6, LogLevel.Warning, "Re-subscribing in {Delay} (attempt {Attempt}; giving up {Remaining} from now)")]
    public static partial void Resubscribing(ILogger logger, TimeSpan delay, int attempt, TimeSpan remaining);

    [LoggerMessage(7, LogLevel.Critical, "Could not re-subscribe within the recovery timeout of {RecoveryTimeout}; ending the executor")]
    public static partial void RecoveryTimedOut(ILogger logger, TimeSpan recoveryTimeout);

    [LoggerMessage(8, LogLevel.Critical, "The framework does not checkpoint; ending the executor after losing the agent")]
    public static partial void NoCheckpointExit(ILogger logger);

    [LoggerMessage(9, LogLevel.Debug, "Received event {Type}")]
    public static partial void Event(ILogger logger, string type);

    [LoggerMessage(10, LogLevel.Debug, "Ignoring event of unknown type '{Type}'")]
    public static partial void UnknownEvent(ILogger logger, string? type);

    [LoggerMessage(11, LogLevel.Error, "Ignoring an event that is not valid JSON for the executor API")]
    public static partial void BadEvent(ILogger logger, Exception exception);

    [LoggerMessage(12, LogLevel.Debug, "Launching task {TaskId}")]
    public static partial void Launching(ILogger logger, string taskId);

    [LoggerMessage(13, LogLevel.Warning, "Ignoring LAUNCH of task {TaskId}: a task with that ID is already known to this executor")]
    public static partial void DuplicateLaunch(ILogger logger, string taskId);

    [LoggerMessage(14, LogLevel.Error, "Rejecting a task group of {Count} tasks: this executor runs one task per group")]
    public static partial void GroupRejected(ILogger logger, int count);

    [LoggerMessage(15, LogLevel.Debug, "Ignoring KILL of unknown task {TaskId}")]
    public static partial void KillUnknown(ILogger logger, string taskId);

    [LoggerMessage(16, LogLevel.Information, "Killing task {TaskId}")]
    public static partial void Killing(ILogger logger, string taskId);

    [LoggerMessage(17, LogLevel.Debug, "Framework message of {Length} base64 characters (not used by Toil)")]
    public static partial void FrameworkMessage(ILogger logger, int length);

    [LoggerMessage(18, LogLevel.Critical, "FATAL ERROR from the agent: {Message}")]
    public static partial void AgentError(ILogger logger, string? message);

    [LoggerMessage(19, LogLevel.Critical, "Shutting down executor: killing {Count} task(s)")]
    public static partial void ShuttingDown(ILogger logger, int count);

    [LoggerMessage(20, LogLevel.Critical, "Executor shut down")]
    public static partial void ShutDown(ILogger logger);

    [LoggerMessage(21, LogLevel.Error, "{Count} task(s) did not report within the grace period of {GracePeriod}")]
    public static partial void GraceExceeded(ILogger logger, int count, TimeSpan gracePeriod);

    [LoggerMessage(22, LogLevel.Information, "Task {TaskId} is {State} ({Message}) after {WallTime:F3} s")]
    public static partial void TaskEnded(ILogger logger, string taskId, string state, string message, double wallTime);

    [LoggerMessage(23, LogLevel.Error, "Task {TaskId} failed before its command ran")]
    public static partial void TaskSetupFailed(ILogger logger, Exception exception, string taskId);

    [LoggerMessage(24, LogLevel.Warning, "Status update {State} of task {TaskId} was not accepted ({Reason}); it is kept until the agent acknowledges it")]
    public static partial void UpdateNotSent(ILogger logger, string state, string taskId, string reason);

    [LoggerMessage(25, LogLevel.Debug, "Agent acknowledged update {Uuid} of task {TaskId}")]
    public static partial void Acknowledged(ILogger logger, string? uuid, string? taskId);

    [LoggerMessage(26, LogLevel.Debug, "Agent state: {Summary}")]
    public static partial void AgentState(ILogger logger, string summary);

    [LoggerMessage(27, LogLevel.Warning, "Could not fetch the agent state from {Url}")]
    public static partial void AgentStateFailed(ILogger logger, Exception exception, Uri url);

    [LoggerMessage(28, LogLevel.Debug, "{Name}: {Value}")]
    public static partial void Diagnostic(ILogger logger, string name, string value);

    [LoggerMessage(29, LogLevel.Debug, "Node-info message not delivered")]
    public static partial void NodeInfoFailed(ILogger logger, Exception exception);

    [LoggerMessage(30, LogLevel.Debug, "Re-subscribed")]
    public static partial void Resubscribed(ILogger logger);

    [LoggerMessage(31, LogLevel.Error, "Could not signal the process group of task {TaskId}")]
    public static partial void SignalFailed(ILogger logger, Exception exception, string taskId);

    [LoggerMessage(32, LogLevel.Warning, "Could not remove the resource root {Path}")]
    public static partial void CleanupFailed(ILogger logger, Exception exception, string path);
}
