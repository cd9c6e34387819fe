using System.Collections.Concurrent;
using System.ComponentModel;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Toil.Runtime.Executors.Contained;
using Toil.Runtime.Executors.Processes;
using Toil.Runtime.Executors.Resources;

namespace Toil.Runtime.Executors.Mesos;

/// <summary>
/// Toil's Mesos executor (<c>_toil_mesos_executor</c>): speaks the Mesos v1 executor HTTP API to the agent that started
/// it, runs each launched task's worker command in its own process group, and reports exactly one terminal status
/// update per task.
/// </summary>
/// <remarks>
/// <para>A task's <c>TaskInfo.data</c> holds Toil's payload: JSON with <c>command</c>, <c>environment</c> and
/// <c>userScript</c> (see <c>docs/executors.md</c>). The task is reported TASK_RUNNING, its command runs as
/// <c>/bin/sh -c</c> in a new process group with the payload's environment, and it ends TASK_FINISHED (exit 0),
/// TASK_KILLED (killed through KILL or SHUTDOWN, or by SIGKILL) or TASK_FAILED (the exit status as message).
/// Every update carries a <c>wallTime</c> label in seconds.</para>
/// <para>Unix only: it relies on process groups and signals.</para>
/// </remarks>
public sealed class MesosExecutor
{
    /// <summary>The exit code after a SHUTDOWN from the agent: every task was killed and reported.</summary>
    public const int ExitShutdown = 0;

    /// <summary>The exit code after losing the agent (no checkpointing, or no re-subscription within the recovery
    /// timeout): every task was killed; updates the agent never acknowledged are lost with the executor.</summary>
    public const int ExitAgentLost = 1;

    // The agent's events are small; a LAUNCH carries one TaskInfo whose data is a command line and an environment.
    private const int MaxRecordSize = 64 * 1024 * 1024;

    private readonly MesosExecutorOptions options;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly MesosAgentClient client;
    private readonly MesosUpdateLedger ledger = new();
    private readonly ConcurrentDictionary<string, MesosTaskRun> tasks = new(StringComparer.Ordinal);
    private readonly MesosId executorId;
    private readonly MesosId frameworkId;
    private readonly Lock resourceGate = new();
    private Task? nodeInfoLoop;
    private JobResourceRoot? resourceRoot;

    internal MesosExecutor(MesosExecutorOptions options, ILoggerFactory? loggerFactory, HttpMessageHandler? handler)
    {
        this.options = options;
        logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Toil.Runtime.Executors.Mesos");
        time = options.TimeProvider;
        client = new MesosAgentClient(options, handler);
        executorId = new MesosId(options.ExecutorId!);
        frameworkId = new MesosId(options.FrameworkId!);
    }

    internal MesosUpdateLedger Ledger => ledger;

    /// <summary>Runs the executor until the agent shuts it down or is lost.</summary>
    /// <param name="options">The options, usually read from the agent's environment by
    /// <see cref="MesosExecutorEnvironment.Read(Func{string, string?}, ILogger?)"/>.</param>
    /// <param name="loggerFactory">The logger factory; <see langword="null"/> for no logging.</param>
    /// <param name="cancellationToken">Stops the executor: its tasks are killed first (reported TASK_KILLED when the agent
    /// can still be reached), then <see cref="OperationCanceledException"/> is thrown.</param>
    /// <returns><see cref="ExitShutdown"/> after SHUTDOWN, <see cref="ExitAgentLost"/> after losing the agent.</returns>
    /// <exception cref="OptionsValidationException">The options are not valid.</exception>
    public static Task<int> RunAsync(MesosExecutorOptions options, ILoggerFactory? loggerFactory, CancellationToken cancellationToken) =>
        RunAsync(options, loggerFactory, handler: null, cancellationToken);

    internal static async Task<int> RunAsync(MesosExecutorOptions options, ILoggerFactory? loggerFactory, HttpMessageHandler? handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = new MesosExecutorOptionsValidator().Validate(Options.DefaultName, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(MesosExecutorOptions), validation.Failures);
        }

        var executor = new MesosExecutor(options, loggerFactory, handler);
        try
        {
            return await executor.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            executor.client.Dispose();
        }
    }

    internal async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            if (options.StartupDiagnostics)
            {
                await MesosStartupDiagnostics.LogAsync(client, logger, cancellationToken).ConfigureAwait(false);
            }

            var resubscription = new MesosResubscription(
                time,
                options.Checkpoint,
                options.RecoveryTimeout,
                options.SubscriptionBackoffMax,
                (delay, attempt, remaining) => MesosLog.Resubscribing(logger, delay, attempt, remaining));
            MesosSession last = await resubscription.RunAsync(
                async ct =>
                {
                    var (wasSubscribed, shutdown, reason) = await SubscribeAndServeAsync(stopping.Token, ct).ConfigureAwait(false);
                    if (!shutdown)
                    {
                        MesosLog.Disconnected(logger, reason);
                    }

                    return new MesosSession(wasSubscribed, shutdown, reason);
                },
                cancellationToken).ConfigureAwait(false);
            if (last.Shutdown)
            {
                return ExitShutdown;
            }

            if (!options.Checkpoint)
            {
                MesosLog.NoCheckpointExit(logger);
            }
            else
            {
                MesosLog.RecoveryTimedOut(logger, options.RecoveryTimeout);
            }

            await StopAllTasksAsync().ConfigureAwait(false);
            return ExitAgentLost;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await StopAllTasksAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            CleanResources();
            await stopping.CancelAsync().ConfigureAwait(false);
            if (nodeInfoLoop is not null)
            {
                try
                {
                    await nodeInfoLoop.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The loop ends by cancellation.
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Node information is best effort; it must not replace the executor's own outcome.
                    MesosLog.NodeInfoFailed(logger, e);
                }
            }
        }
    }

    /// <summary>The wait before subscription attempt <paramref name="attempt"/>; see <see cref="MesosResubscription.Backoff"/>.</summary>
    internal static TimeSpan Backoff(int attempt, TimeSpan max) => MesosResubscription.Backoff(attempt, max);

    private async Task<(bool WasSubscribed, bool Shutdown, string Reason)> SubscribeAndServeAsync(
        CancellationToken stopping, CancellationToken cancellationToken)
    {
        var (unackedTasks, unackedUpdates) = ledger.Snapshot();
        var call = NewCall(MesosCall.Subscribe);
        call.SubscribeBody = new MesosSubscribeCall { UnacknowledgedTasks = unackedTasks, UnacknowledgedUpdates = unackedUpdates };
        MesosLog.Subscribing(logger, options.AgentEndpoint, executorId.Value!, frameworkId.Value!);

        HttpResponseMessage response;
        try
        {
            response = await client.SubscribeAsync(call, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException)
        {
            return (false, false, "subscription failed: " + e.Message);
        }

        using (response)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                string body = await ReadErrorBodyAsync(response, cancellationToken).ConfigureAwait(false);
                MesosLog.SubscribeRefused(logger, response.StatusCode, body);
                return (false, false, $"subscription refused with HTTP {(int)response.StatusCode}");
            }

            bool subscribed = false;
            try
            {
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    var reader = new RecordIoReader(stream, MaxRecordSize);
                    while (true)
                    {
                        byte[]? record = await ReadEventAsync(reader, cancellationToken).ConfigureAwait(false);
                        if (record is null)
                        {
                            return (subscribed, false, "the agent closed the event stream");
                        }

                        MesosEvent? ev;
                        try
                        {
                            ev = JsonSerializer.Deserialize(record, MesosJsonContext.Default.MesosEvent);
                        }
                        catch (JsonException e)
                        {
                            MesosLog.BadEvent(logger, e);
                            continue;
                        }

                        if (ev is null)
                        {
                            continue;
                        }

                        switch (ev.Type)
                        {
                            case MesosEvent.Subscribed:
                                subscribed = true;
                                OnSubscribed(ev.SubscribedBody, unackedTasks.Count, unackedUpdates.Count, stopping);
                                break;
                            case MesosEvent.Launch:
                                MesosLog.Event(logger, ev.Type);
                                OnLaunch(ev.LaunchBody?.Task);
                                break;
                            case MesosEvent.LaunchGroup:
                                MesosLog.Event(logger, ev.Type);
                                OnLaunchGroup(ev.LaunchGroupBody?.TaskGroup?.Tasks ?? []);
                                break;
                            case MesosEvent.Kill:
                                MesosLog.Event(logger, ev.Type);
                                OnKill(ev.KillBody?.TaskId?.Value);
                                break;
                            case MesosEvent.Acknowledged:
                                MesosLog.Acknowledged(logger, ev.AcknowledgedBody?.Uuid, ev.AcknowledgedBody?.TaskId?.Value);
                                ledger.Acknowledge(ev.AcknowledgedBody?.TaskId?.Value, ev.AcknowledgedBody?.Uuid);
                                break;
                            case MesosEvent.Message:
                                MesosLog.FrameworkMessage(logger, ev.MessageBody?.Data?.Length ?? 0);
                                break;
                            case MesosEvent.Shutdown:
                                MesosLog.Event(logger, ev.Type);
                                await ShutdownAsync().ConfigureAwait(false);
                                return (subscribed, true, string.Empty);
                            case MesosEvent.Error:
                                MesosLog.AgentError(logger, ev.ErrorBody?.Message);
                                return (subscribed, false, "the agent reported an error: " + ev.ErrorBody?.Message);
                            case MesosEvent.Heartbeat:
                                MesosLog.Event(logger, ev.Type);
                                break;
                            default:
                                MesosLog.UnknownEvent(logger, ev.Type);
                                break;
                        }
                    }
                }
            }
            catch (Exception e) when (e is MesosProtocolException or IOException or HttpRequestException or TimeoutException)
            {
                return (subscribed, false, e.Message);
            }
        }
    }

    private async Task<byte[]?> ReadEventAsync(RecordIoReader reader, CancellationToken cancellationToken)
    {
        if (options.EventStreamIdleTimeout is not { } idle)
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var timer = time.CreateTimer(static s => ((CancellationTokenSource)s!).Cancel(), cts, idle, Timeout.InfiniteTimeSpan);
        try
        {
            return await reader.ReadAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no event from the agent for {idle}");
        }
    }

    private async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(options.CallTimeout);
        try
        {
            string body = await response.Content.ReadAsStringAsync(cts.Token).ConfigureAwait(false);
            return body.Length > 1000 ? body[..1000] : body;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return "(no body: " + e.Message + ")";
        }
    }

    private void OnSubscribed(MesosSubscribedEvent? subscribed, int handedTasks, int handedUpdates, CancellationToken stopping)
    {
        string? host = subscribed?.AgentInfo?.Hostname;
        MesosLog.Subscribed(logger, host, handedTasks, handedUpdates);
        if (nodeInfoLoop is null)
        {
            var reporter = new NodeInfoReporter(
                time, Random.Shared, options.NodeInfoIntervalMin, options.NodeInfoIntervalMax, SendNodeInfoAsync, () => tasks.Count, logger);
            nodeInfoLoop = Task.Run(
                async () =>
                {
                    string address = await ResolveAddressAsync(host, stopping).ConfigureAwait(false);
                    await reporter.RunAsync(address, stopping).ConfigureAwait(false);
                },
                CancellationToken.None);
        }
        else
        {
            MesosLog.Resubscribed(logger);
        }
    }

    private async Task<string> ResolveAddressAsync(string? host, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(host))
        {
            return MesosExecutorEnvironment.TryParseEndpoint(options.AgentEndpoint, out Uri? uri) ? uri!.Host : options.AgentEndpoint;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(options.CallTimeout);
        try
        {
            IPAddress[] addresses = await Dns.GetHostAddressesAsync(host, AddressFamily.InterNetwork, cts.Token).ConfigureAwait(false);
            return addresses.Length > 0 ? addresses[0].ToString() : host;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return host;
        }
    }

    private async Task SendNodeInfoAsync(MesosNodeInfoMessage message, CancellationToken cancellationToken)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(message, MesosJsonContext.Default.MesosNodeInfoMessage);
        var call = NewCall(MesosCall.Message);
        call.MessageBody = new MesosMessageBody { Data = Convert.ToBase64String(json) };
        _ = await client.PostAsync(call, cancellationToken).ConfigureAwait(false);
    }

    private void OnLaunch(JsonElement? taskInfo)
    {
        if (taskInfo is not { ValueKind: JsonValueKind.Object } info)
        {
            MesosLog.BadEvent(logger, new JsonException("LAUNCH without a task"));
            return;
        }

        MesosTaskInfoView? view;
        try
        {
            view = info.Deserialize(MesosJsonContext.Default.MesosTaskInfoView);
        }
        catch (JsonException e)
        {
            MesosLog.BadEvent(logger, e);
            return;
        }

        string? taskId = view?.TaskId?.Value;
        if (string.IsNullOrEmpty(taskId))
        {
            MesosLog.BadEvent(logger, new JsonException("LAUNCH task has no task_id"));
            return;
        }

        var run = new MesosTaskRun(taskId, view!.AgentId?.Value, view.Data);
        if (!tasks.TryAdd(taskId, run))
        {
            MesosLog.DuplicateLaunch(logger, taskId);
            return;
        }

        MesosLog.Launching(logger, taskId);
        ledger.AddTask(taskId, info);
        run.Completion = Task.Run(() => RunTaskAsync(run), CancellationToken.None);
    }

    private void OnLaunchGroup(List<JsonElement> group)
    {
        if (group.Count == 1)
        {
            OnLaunch(group[0]);
            return;
        }

        // Toil never launches groups, and running several tasks without the group's all-or-nothing semantics would
        // be wrong; every task of the group is reported failed instead of silently ignored (as pymesos does).
        MesosLog.GroupRejected(logger, group.Count);
        foreach (JsonElement info in group)
        {
            MesosTaskInfoView? view = null;
            try
            {
                view = info.Deserialize(MesosJsonContext.Default.MesosTaskInfoView);
            }
            catch (JsonException e)
            {
                MesosLog.BadEvent(logger, e);
            }

            if (view?.TaskId?.Value is { Length: > 0 } taskId)
            {
                ledger.AddTask(taskId, info);
                var run = new MesosTaskRun(taskId, view.AgentId?.Value, data: null);
                _ = Task.Run(
                    () => SendUpdateAsync(run, MesosTaskState.Failed, $"task groups of {group.Count} tasks are not supported by the Toil executor", 0),
                    CancellationToken.None);
            }
        }
    }

    private void OnKill(string? taskId)
    {
        if (taskId is null || !tasks.TryGetValue(taskId, out MesosTaskRun? run))
        {
            MesosLog.KillUnknown(logger, taskId ?? "(none)");
            return;
        }

        MesosLog.Killing(logger, taskId);
        Kill(run);
    }

    private void Kill(MesosTaskRun run)
    {
        try
        {
            run.RequestKill();
        }
        catch (Win32Exception e)
        {
            MesosLog.SignalFailed(logger, e, run.TaskId);
        }
    }

    private async Task ShutdownAsync()
    {
        MesosLog.ShuttingDown(logger, tasks.Count);
        await StopAllTasksAsync().ConfigureAwait(false);
        MesosLog.ShutDown(logger);
    }

    /// <summary>Kills every task and waits for its terminal update to be sent, within most of the grace period
    /// (the rest is left for the process to exit before the agent destroys the container).</summary>
    private async Task StopAllTasksAsync()
    {
        MesosTaskRun[] runs = [.. tasks.Values];
        foreach (MesosTaskRun run in runs)
        {
            Kill(run);
        }

        if (runs.Length == 0)
        {
            return;
        }

        TimeSpan wait = options.ShutdownGracePeriod * 0.8;
        try
        {
            await Task.WhenAll(runs.Select(r => r.Completion)).WaitAsync(wait, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            MesosLog.GraceExceeded(logger, runs.Count(r => !r.Completion.IsCompleted), options.ShutdownGracePeriod);
        }
    }

    private async Task RunTaskAsync(MesosTaskRun run)
    {
        long started = time.GetTimestamp();
        try
        {
            await SendUpdateAsync(run, MesosTaskState.Running, string.Empty, 0).ConfigureAwait(false);

            ContainedExecutorPayload payload;
            try
            {
                payload = ContainedExecutorPayload.Decode(run.Data ?? throw new ContainedExecutorPayloadException("the task has no data (Toil's payload)"));
            }
            catch (ContainedExecutorPayloadException e)
            {
                MesosLog.TaskSetupFailed(logger, e, run.TaskId);
                await SendUpdateAsync(run, MesosTaskState.Failed, e.Message, 0).ConfigureAwait(false);
                return;
            }

            string state;
            string message;
            try
            {
                Dictionary<string, string?> environment = await ChildEnvironmentAsync(payload).ConfigureAwait(false);
                ProcessGroupChild? child = run.StartUnlessKilled(() => ProcessGroupChild.Start(payload.Command, environment));
                if (child is null)
                {
                    (state, message) = (MesosTaskState.Killed, "killed before it started");
                }
                else
                {
                    int exitCode = await child.WaitForExitAsync().ConfigureAwait(false);
                    bool killed = (run.KillRequested && exitCode != 0) || child.TerminatingSignal == UnixSignal.Kill;
                    (state, message) = killed ? (MesosTaskState.Killed, exitCode.ToString(CultureInfo.InvariantCulture))
                        : exitCode == 0 ? (MesosTaskState.Finished, string.Empty)
                        : (MesosTaskState.Failed, exitCode.ToString(CultureInfo.InvariantCulture));
                }
            }
            catch (Exception e) when (e is Win32Exception or ArgumentException or IOException or UnauthorizedAccessException or JobResourceException)
            {
                MesosLog.TaskSetupFailed(logger, e, run.TaskId);
                (state, message) = (MesosTaskState.Failed, e.Message);
            }

            double wallTime = time.GetElapsedTime(started).TotalSeconds;
            MesosLog.TaskEnded(logger, run.TaskId, state, message, wallTime);
            await SendUpdateAsync(run, state, message, wallTime).ConfigureAwait(false);
        }
        finally
        {
            tasks.TryRemove(new KeyValuePair<string, MesosTaskRun>(run.TaskId, run));
        }
    }

    /// <summary>The payload's environment over this process's, with the executor's resource root and the task's
    /// deployed user script (Toil's <c>JTRES_*</c> variables).</summary>
    private async Task<Dictionary<string, string?>> ChildEnvironmentAsync(ContainedExecutorPayload payload)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);

        // As Toil: the worker's work directory defaults to the sandbox the agent started us in.
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("TOIL_WORKDIR")))
        {
            environment["TOIL_WORKDIR"] = Environment.CurrentDirectory;
        }

        foreach (var (key, value) in payload.Environment ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        JobResourceRoot root = ResourceRoot();
        if (payload.UserScript is { } userScript)
        {
            var reader = options.ResourceReader
                ?? throw new JobResourceException($"the task has a userScript but no job-store reader is configured to fetch it from '{userScript.JobStore}'");
            using var cts = new CancellationTokenSource(options.ResourceDownloadTimeout, time);
            _ = await root.DownloadAsync(userScript, reader, cts.Token).ConfigureAwait(false);
        }

        foreach (var (key, value) in root.GetEnvironment(payload.UserScript))
        {
            environment[key] = value;
        }

        return environment;
    }

    /// <summary>One resource root per executor (Toil's <c>prepareSystem</c>), shared by its tasks and removed when the
    /// executor ends (<c>cleanSystem</c>).</summary>
    private JobResourceRoot ResourceRoot()
    {
        lock (resourceGate)
        {
            return resourceRoot ??= JobResourceRoot.Prepare(
                Environment.GetEnvironmentVariable(JobResourceRoot.EnvironmentVariable), Environment.GetEnvironmentVariable("TMPDIR"));
        }
    }

    private void CleanResources()
    {
        JobResourceRoot? root;
        lock (resourceGate)
        {
            root = resourceRoot;
            resourceRoot = null;
        }

        if (root is null)
        {
            return;
        }

        try
        {
            root.DeleteIfOwned();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            MesosLog.CleanupFailed(logger, e, root.Path);
        }
    }

    private async Task SendUpdateAsync(MesosTaskRun run, string state, string message, double wallTime)
    {
        var status = new MesosTaskStatus
        {
            TaskId = new MesosId(run.TaskId),
            State = state,
            Message = message,
            Source = MesosTaskStatus.SourceExecutor,
            ExecutorId = executorId,
            AgentId = run.AgentId is null ? null : new MesosId(run.AgentId),
            Timestamp = time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0,
            Uuid = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)),
            Labels = new MesosLabels { Labels = [new MesosLabel { Key = "wallTime", Value = wallTime.ToString("R", CultureInfo.InvariantCulture) }] },
        };

        // Recorded first: if the call is lost, the next SUBSCRIBE hands the update to the agent.
        ledger.AddUpdate(status);
        var call = NewCall(MesosCall.Update);
        call.UpdateBody = new MesosUpdateCall { Status = status };
        try
        {
            var (code, body) = await client.PostAsync(call, CancellationToken.None).ConfigureAwait(false);
            if (code != HttpStatusCode.Accepted)
            {
                MesosLog.UpdateNotSent(logger, state, run.TaskId, $"HTTP {(int)code}: {body}");
            }
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or IOException or ObjectDisposedException)
        {
            // ObjectDisposedException: a task that outlived the grace period reports after the executor ended.
            MesosLog.UpdateNotSent(logger, state, run.TaskId, e.Message);
        }
    }

    private MesosCall NewCall(string type) => new() { Type = type, ExecutorId = executorId, FrameworkId = frameworkId };
}
