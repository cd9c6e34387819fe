using System.Diagnostics;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Leader.BatchSystems.LocalProcess;

/// <summary>
/// One serving worker process of the warm worker pool (<c>worker --serve</c>, docs/batch-systems.md#warm-worker-pool):
/// requests go to its standard input, results come from its standard output, and its standard error (what it writes
/// outside the jobs' log capture) is drained into a file for as long as it lives. It runs one attempt at a time.
/// </summary>
internal sealed class PooledWorker
{
    private long _lastRequestId;

    private PooledWorker(Process process, AttemptOutput standardError)
    {
        Process = process;
        ProcessId = process.Id;
        StandardError = standardError;
        Exited = process.WaitForExitAsync();
    }

    public Process Process { get; }

    public int ProcessId { get; }

    /// <summary>Gets the drain of the process's standard error.</summary>
    public AttemptOutput StandardError { get; }

    /// <summary>Gets a task that completes when the process has been reaped.</summary>
    public Task Exited { get; }

    /// <summary>Gets or sets the task that stops the process for good (set once, when it leaves the pool).</summary>
    public Task? Retirement { get; set; }

    /// <summary>Starts the process (<paramref name="startInfo"/> must redirect all three standard streams).</summary>
    public static PooledWorker Start(ProcessStartInfo startInfo, string standardErrorPath)
    {
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Process.Start returned no process");
        process.StandardInput.AutoFlush = true;
        return new PooledWorker(process, AttemptOutput.Start(process.StandardError.BaseStream, standardErrorPath));
    }

    /// <summary>
    /// Hands one job to the process and waits for its result: the exit code a one-job worker would have exited with,
    /// with the protocol's error for a request the server refused; <see langword="null"/> when the process ended (or its
    /// pipes broke) first. Lines that are not a result of this request (a host's own output before it started serving) are skipped.
    /// </summary>
    public async Task<ServeResult?> RunAsync(string jobName, string jobStoreLocator, string jobStoreId, Dictionary<string, string> environment)
    {
        long id = ++_lastRequestId;
        try
        {
            await Process.StandardInput.WriteLineAsync(WorkerServeProtocol.Format(new ServeRequest(id, jobName, jobStoreLocator, jobStoreId, environment))).ConfigureAwait(false);
            while (await Process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (WorkerServeProtocol.TryParseResult(line) is { } result && (result.Id == id || (result.Id == 0 && result.Error is not null)))
                {
                    return result;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The process is gone (a broken pipe): the caller reads its exit code.
        }

        return null;
    }

    /// <summary>Ends the process: closes its standard input (a serving worker exits at its end), then SIGKILL (with its
    /// descendants) if it is still there after <paramref name="bound"/>; waits at most <paramref name="bound"/> more.</summary>
    /// <returns>Whether the process was reaped.</returns>
    public async Task<bool> StopAsync(TimeSpan bound, TimeProvider time)
    {
        try
        {
            Process.StandardInput.Close();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
        }

        if (await EndsWithinAsync(Exited, bound, time).ConfigureAwait(false))
        {
            return true;
        }

        try
        {
            Process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }

        return await EndsWithinAsync(Exited, bound, time).ConfigureAwait(false);
    }

    private static async Task<bool> EndsWithinAsync(Task task, TimeSpan bound, TimeProvider time)
    {
        try
        {
            await task.WaitAsync(bound, time).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
