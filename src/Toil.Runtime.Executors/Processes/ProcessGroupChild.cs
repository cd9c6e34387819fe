using System.Collections;
using System.ComponentModel;

namespace Toil.Runtime.Executors.Processes;

/// <summary>
/// A shell command running as the leader of its own process group: <c>/bin/sh -c &lt;command&gt;</c> is spawned with
/// <c>posix_spawn</c> and <c>POSIX_SPAWN_SETPGROUP</c> (what Toil's <c>setpgrp</c> before exec does), so signals aimed
/// at the host's group do not reach the job, and <see cref="SignalGroup"/> reaches the shell and everything it started.
/// </summary>
/// <remarks>
/// <para>The exit code is the shell's own exit status, or 128+N when the shell was killed by signal N
/// (the shell and container convention, docs/decisions.md#contained-executor; 137 for SIGKILL).</para>
/// <para>Standard input, output and error are inherited. Signal dispositions are reset to their defaults and the
/// signal mask is empty in the child, whatever the host ignores or blocks.</para>
/// <para>The child is reaped by a dedicated background thread; the object holds no other resource, so it needs no
/// disposal. Unix only.</para>
/// </remarks>
public sealed class ProcessGroupChild
{
    private const string Shell = "/bin/sh";

    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile int _terminatingSignal;

    private ProcessGroupChild(int processId)
    {
        ProcessId = processId;
    }

    /// <summary>The process ID of the shell.</summary>
    public int ProcessId { get; }

    /// <summary>The ID of the child's process group; equal to <see cref="ProcessId"/>.</summary>
    public int ProcessGroupId => ProcessId;

    /// <summary>Whether the shell has exited (and been reaped).</summary>
    public bool HasExited => _exit.Task.IsCompleted;

    /// <summary>The exit code once the shell has exited, otherwise <see langword="null"/>.</summary>
    /// <value>The shell's exit status; 128+N if it was killed by signal N; 255 if its status could not be
    /// obtained because another part of the process reaped it.</value>
    public int? ExitCode => _exit.Task.IsCompletedSuccessfully ? _exit.Task.Result : null;

    /// <summary>The number of the signal that killed the shell, or <see langword="null"/> if it exited normally
    /// or is still running.</summary>
    public int? TerminatingSignal => _terminatingSignal == 0 ? null : _terminatingSignal;

    /// <summary>Starts <c>/bin/sh -c <paramref name="command"/></c> in a new process group.</summary>
    /// <param name="command">The shell command line.</param>
    /// <param name="environment">Variables to set in the child on top of this process's environment; a
    /// <see langword="null"/> value removes the variable. <see langword="null"/> inherits the environment unchanged.</param>
    /// <param name="workingDirectory">The child's working directory, or <see langword="null"/> for this process's.</param>
    /// <returns>The running child.</returns>
    /// <exception cref="ArgumentException"><paramref name="command"/> or a variable contains a NUL character, or a
    /// variable name is empty or contains <c>=</c>.</exception>
    /// <exception cref="Win32Exception">The shell could not be started (e.g. the working directory does not exist).</exception>
    public static ProcessGroupChild Start(string command, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        RejectNul(command, nameof(command));
        var envp = BuildEnvironment(environment);
        int pid = PosixProcessInterop.SpawnInNewProcessGroup(Shell, [Shell, "-c", command], envp, workingDirectory);
        var child = new ProcessGroupChild(pid);
        var waiter = new Thread(child.Reap)
        {
            IsBackground = true,
            Name = $"toil-child-{pid}",
        };
        waiter.Start();
        return child;
    }

    /// <summary>Waits for the shell to exit. Cancelling stops the wait, not the child.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The exit code (see <see cref="ExitCode"/>).</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public Task<int> WaitForExitAsync(CancellationToken cancellationToken = default) => _exit.Task.WaitAsync(cancellationToken);

    /// <summary>Sends a signal to every process in the child's group (<c>kill(-pgid, signal)</c>), including
    /// grandchildren that stay in it. After the shell has exited this still reaches what is left of its group.</summary>
    /// <param name="signalNumber">The signal number, e.g. <see cref="UnixSignal.Terminate"/> or <see cref="UnixSignal.Kill"/>;
    /// 0 sends nothing and only probes whether the group still has members.</param>
    /// <returns><see langword="true"/> if the signal was sent; <see langword="false"/> if the group no longer exists.</returns>
    /// <exception cref="Win32Exception">The signal could not be sent for another reason (e.g. an invalid signal number).</exception>
    public bool SignalGroup(int signalNumber) => PosixProcessInterop.KillGroup(ProcessGroupId, signalNumber);

    private static List<string> BuildEnvironment(IReadOnlyDictionary<string, string?>? overrides)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && entry.Value is string value)
            {
                merged[key] = value;
            }
        }

        if (overrides is not null)
        {
            foreach (var (key, value) in overrides)
            {
                if (key.Length == 0 || key.Contains('=', StringComparison.Ordinal))
                {
                    throw new ArgumentException($"invalid environment variable name '{key}'", nameof(overrides));
                }

                RejectNul(key, nameof(overrides));
                if (value is null)
                {
                    merged.Remove(key);
                }
                else
                {
                    RejectNul(value, nameof(overrides));
                    merged[key] = value;
                }
            }
        }

        return merged.Select(pair => $"{pair.Key}={pair.Value}").ToList();
    }

    private static void RejectNul(string value, string parameter)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("a NUL character cannot be passed to a process", parameter);
        }
    }

    private void Reap()
    {
        try
        {
            int? status = PosixProcessInterop.WaitForExit(ProcessId);
            if (status is null)
            {
                _exit.TrySetResult(255);
                return;
            }

            var (exitCode, signal) = PosixProcessInterop.DecodeWaitStatus(status.Value);
            _terminatingSignal = signal ?? 0;
            _exit.TrySetResult(exitCode);
        }
        catch (Win32Exception ex)
        {
            _exit.TrySetException(ex);
        }
    }
}
