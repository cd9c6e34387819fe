using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Executors.Processes;
using Toil.Runtime.Executors.Resources;

namespace Toil.Runtime.Executors.Contained;

/// <summary>One execution of a decoded payload; all its state lives here (docs/decisions.md#failure-state-per-run).</summary>
internal sealed class ContainedExecutorRun
{
    private readonly ContainedExecutorPayload _payload;
    private readonly ContainedExecutorOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _preparation = new();
    private ProcessGroupChild? _child;
    private int _pendingSignal;
    private TaskCompletionSource? _escalation;

    public ContainedExecutorRun(ContainedExecutorPayload payload, ContainedExecutorOptions options, ILogger logger)
    {
        _payload = payload;
        _options = options;
        _logger = logger;
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        int exitCode = ContainedExecutor.UnavailableExitCode;
        JobResourceRoot? root = null;

        // Handlers go in before the child exists, so a signal can never kill the executor and orphan the job.
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var cancelled = cancellationToken.Register(() => RequestTermination(UnixSignal.Terminate));
        try
        {
            var childEnvironment = new Dictionary<string, string?>(StringComparer.Ordinal);
            if (_payload.Environment is { } environment)
            {
                foreach (var (name, value) in environment)
                {
                    childEnvironment[name] = value;
                }

                ContainedExecutorLog.EnvironmentApplied(_logger, string.Join(", ", environment.Keys));
            }

            // Toil applies the payload's environment before choosing the root, so its TMPDIR and JTRES_ROOT count.
            root = JobResourceRoot.Prepare(Effective(childEnvironment, JobResourceRoot.EnvironmentVariable), Effective(childEnvironment, "TMPDIR"));
            ContainedExecutorLog.ResourceRoot(_logger, root.Path);
            if (_payload.UserScript is { } userScript)
            {
                var reader = _options.ResourceReader
                    ?? throw new JobResourceException($"the payload has a userScript but no job-store reader is configured to fetch it from '{userScript.JobStore}'");
                string localPath = await root.DownloadAsync(userScript, reader, _preparation.Token).ConfigureAwait(false);
                ContainedExecutorLog.ResourceDeployed(_logger, userScript.Name, localPath);
            }

            foreach (var (name, value) in root.GetEnvironment(_payload.UserScript))
            {
                childEnvironment[name] = value;
            }

            ProcessGroupChild child;
            lock (_gate)
            {
                if (_pendingSignal != 0)
                {
                    ContainedExecutorLog.TerminatedBeforeStart(_logger, _pendingSignal);
                    return exitCode = 128 + _pendingSignal;
                }

                child = _child = ProcessGroupChild.Start(_payload.Command, childEnvironment);
            }

            ContainedExecutorLog.ChildStarted(_logger, child.ProcessId);
            exitCode = await child.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            ContainedExecutorLog.ChildExited(_logger, exitCode);
            TaskCompletionSource? escalation;
            lock (_gate)
            {
                escalation = _escalation;
            }

            if (escalation is not null)
            {
                // Terminating: the job is the whole group, so wait (bounded by the grace period) for what is left of it.
                await escalation.Task.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_pendingSignal != 0)
        {
            ContainedExecutorLog.TerminatedBeforeStart(_logger, _pendingSignal);
            exitCode = 128 + _pendingSignal;
        }
        catch (Exception ex)
        {
            ContainedExecutorLog.ChildFailed(_logger, ex);
            exitCode = ContainedExecutor.UnavailableExitCode;
        }
        finally
        {
            ContainedExecutorLog.CleaningUp(_logger);
            if (root is not null)
            {
                try
                {
                    root.DeleteIfOwned();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // The job's outcome stands; a leftover temporary directory is only logged.
                    ContainedExecutorLog.CleanupFailed(_logger, root.Path, ex);
                }
            }

            ContainedExecutorLog.ShuttingDown(_logger, exitCode);
            _preparation.Dispose();
        }

        return exitCode;
    }

    private static string? Effective(Dictionary<string, string?> overrides, string name) =>
        overrides.TryGetValue(name, out string? value) ? value : Environment.GetEnvironmentVariable(name);

    private void OnSignal(PosixSignalContext context)
    {
        // Handled: the executor outlives the signal and exits with the child's code.
        context.Cancel = true;
        RequestTermination(UnixSignal.FromPosixSignal(context.Signal));
    }

    private void RequestTermination(int signal)
    {
        ProcessGroupChild? child;
        TaskCompletionSource? escalation = null;
        lock (_gate)
        {
            child = _child;
            if (child is null)
            {
                if (_pendingSignal == 0)
                {
                    _pendingSignal = signal;
                }

                try
                {
                    _preparation.Cancel();
                }
                catch (ObjectDisposedException)
                {
                }

                return;
            }

            if (_escalation is null)
            {
                escalation = _escalation = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        ContainedExecutorLog.Forwarding(_logger, signal, child.ProcessGroupId);
        TrySignal(child, signal);
        if (escalation is not null)
        {
            _ = EscalateAsync(child, escalation);
        }
    }

    /// <summary>After a forwarded signal, gives the whole group (not just the shell: a background grandchild may ignore
    /// SIGINT) the grace period to exit, then SIGKILLs what is left.</summary>
    private async Task EscalateAsync(ProcessGroupChild child, TaskCompletionSource done)
    {
        var time = _options.TimeProvider;
        long started = time.GetTimestamp();
        try
        {
            await child.WaitForExitAsync().WaitAsync(_options.TerminationGracePeriod, time).ConfigureAwait(false);
            while (GroupExists(child))
            {
                var left = _options.TerminationGracePeriod - time.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException();
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(50, left.TotalMilliseconds)), time).ConfigureAwait(false);
            }
        }
        catch (TimeoutException)
        {
            ContainedExecutorLog.Escalating(_logger, child.ProcessGroupId, _options.TerminationGracePeriod);
            TrySignal(child, UnixSignal.Kill);
        }
        finally
        {
            done.TrySetResult();
        }
    }

    private bool GroupExists(ProcessGroupChild child)
    {
        try
        {
            return child.SignalGroup(0);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            ContainedExecutorLog.SignalFailed(_logger, child.ProcessGroupId, ex);
            return false;
        }
    }

    private void TrySignal(ProcessGroupChild child, int signal)
    {
        try
        {
            child.SignalGroup(signal);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            ContainedExecutorLog.SignalFailed(_logger, child.ProcessGroupId, ex);
        }
    }
}
