using System.Diagnostics;

namespace Toil.Runtime.Authoring;

/// <summary>The child-process part of <see cref="JobContext"/> (docs/decisions.md#log-capture, #environment).</summary>
public sealed partial class JobContext
{
    /// <summary>
    /// Runs a child process to completion with the leader's <see cref="Environment"/> applied, its standard output and
    /// error going to the worker log: line by line through the worker's child-output writer in-process, or through the
    /// inherited descriptors (already redirected to the worker log) in process mode.
    /// </summary>
    /// <param name="startInfo">
    /// What to run. <see cref="ProcessStartInfo.UseShellExecute"/> is turned off. The leader's environment is applied
    /// over the inherited environment; a variable the caller set to a different value in
    /// <see cref="ProcessStartInfo.Environment"/> keeps the caller's value.
    /// </param>
    /// <param name="timeout">How long the process may run; <see langword="null"/> (the default) means until cancelled.</param>
    /// <param name="cancellationToken">Kills the process tree and cancels the wait.</param>
    /// <returns>The process's exit code.</returns>
    /// <exception cref="TimeoutException">The process ran longer than <paramref name="timeout"/>; it was killed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired; the process was killed.</exception>
    public async Task<int> RunProcessAsync(ProcessStartInfo startInfo, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        startInfo.UseShellExecute = false;
        foreach (var (name, value) in _invocation.Environment)
        {
            bool callerChanged = startInfo.Environment.TryGetValue(name, out string? current)
                && !string.Equals(current, System.Environment.GetEnvironmentVariable(name), StringComparison.Ordinal);
            if (!callerChanged)
            {
                startInfo.Environment[name] = value;
            }
        }

        var output = _invocation.ChildOutput;
        if (output is not null)
        {
            startInfo.RedirectStandardOutput = true;
            startInfo.RedirectStandardError = true;
        }

        using var process = new Process { StartInfo = startInfo };
        if (output is not null)
        {
            process.OutputDataReceived += (_, e) => WriteLine(output, e.Data);
            process.ErrorDataReceived += (_, e) => WriteLine(output, e.Data);
        }

        AuthoringLog.StartingProcess(Logger, startInfo.FileName, JobStoreId);
        process.Start();
        if (output is not null)
        {
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } t)
        {
            limit.CancelAfter(t);
        }

        try
        {
            // With redirected output this also waits until both streams are drained.
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            if (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"Child process {startInfo.FileName} of job {JobStoreId} ran longer than {timeout} and was killed.");
            }

            throw;
        }

        if (output is not null)
        {
            lock (output)
            {
                output.Flush();
            }
        }

        return process.ExitCode;
    }

    private static void WriteLine(TextWriter output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.WriteLine(line);
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
