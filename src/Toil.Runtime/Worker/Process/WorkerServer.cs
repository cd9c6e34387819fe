using System.Collections;
using Microsoft.Win32.SafeHandles;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Worker;

/// <summary>
/// A serving worker process (<see cref="ToilWorkerEntryPoint.ServeOption"/>, docs/batch-systems.md#warm-worker-pool):
/// reads <see cref="ServeRequest"/> lines, runs each job as a one-job worker process would, writes a
/// <see cref="ServeResult"/> line each. The protocol runs on private, close-on-exec copies of descriptors 0 and 1;
/// descriptor 0 then reads <c>/dev/null</c> and descriptor 1 writes to standard error, so neither a job nor a process it
/// starts can take a request or forge a result.
/// </summary>
internal static class WorkerServer
{
    /// <summary>Serves until standard input ends, a job finds its leader gone, or <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async Task<int> ServeAsync(Func<WorkflowConfig, IServiceProvider> buildServices, bool ownsProvider, TextWriter error, CancellationToken cancellationToken)
    {
        if (!UnixFileDescriptors.IsSupported)
        {
            await error.WriteLineAsync($"error: '{ToilWorkerEntryPoint.ServeOption}' needs Linux or macOS").ConfigureAwait(false);
            return WorkerExitCodes.Failed;
        }

        var (input, output) = TakeProtocolDescriptors();
        using var reader = new StreamReader(new FileStream(new SafeFileHandle(input, ownsHandle: true), FileAccess.Read, bufferSize: 0), WorkerServeProtocol.Encoding, false, 4096);
        var writer = new StreamWriter(new FileStream(new SafeFileHandle(output, ownsHandle: true), FileAccess.Write, bufferSize: 0), WorkerServeProtocol.Encoding);
        await using var writerDisposal = writer.ConfigureAwait(false);
        IJobStore? store = null;
        string? storeLocator = null;
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = cancellationToken.Register(() => cancelled.TrySetResult()).ConfigureAwait(false);
        try
        {
            while (true)
            {
                // An idle server ends on cancellation (SIGTERM) without waiting for a line; the pending read dies with the process.
                var read = reader.ReadLineAsync(CancellationToken.None).AsTask();
                if (await Task.WhenAny(read, cancelled.Task).ConfigureAwait(false) != read)
                {
                    return WorkerExitCodes.Failed;
                }

                string? line = await read.ConfigureAwait(false);
                if (line is null)
                {
                    return WorkerExitCodes.Success;
                }

                if (line.Length == 0)
                {
                    continue;
                }

                var request = WorkerServeProtocol.TryParseRequest(line, out long id, out string? problem);
                if (request is null)
                {
                    await error.WriteLineAsync($"error: malformed request line: {problem}").ConfigureAwait(false);
                    await WriteAsync(writer, new ServeResult(id, WorkerServeProtocol.MalformedRequestExitCode, problem)).ConfigureAwait(false);
                    continue;
                }

                int exitCode = WorkerExitCodes.Failed;
                var saved = Snapshot();
                try
                {
                    if (request.Environment is { } additions)
                    {
                        WorkerEnvironment.ApplyToProcess(additions);
                    }

                    if (store is null || !string.Equals(storeLocator, request.JobStoreLocator, StringComparison.Ordinal))
                    {
                        if (store is not null)
                        {
                            await store.DisposeAsync().ConfigureAwait(false);
                            store = null;
                        }

                        (store, exitCode) = await ToilWorkerEntryPoint.OpenStoreAsync(request.JobStoreLocator, error, cancellationToken).ConfigureAwait(false);
                        storeLocator = request.JobStoreLocator;
                    }

                    if (store is not null)
                    {
                        var arguments = new WorkerArguments(request.JobName, request.JobStoreLocator, request.JobStoreId);
                        exitCode = await ToilWorkerEntryPoint.RunOnStoreAsync(store, arguments, buildServices, ownsProvider, error, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        exitCode = exitCode is WorkerExitCodes.Success ? WorkerExitCodes.Failed : exitCode;
                    }
                }
                finally
                {
                    // A one-job worker's environment dies with its process: the next job starts from the server's own.
                    Restore(saved);
                }

                await WriteAsync(writer, new ServeResult(request.Id, exitCode)).ConfigureAwait(false);
                if (exitCode == WorkerExitCodes.LeaderGone)
                {
                    return WorkerExitCodes.LeaderGone;
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    return WorkerExitCodes.Failed;
                }
            }
        }
        catch (IOException e)
        {
            // The leader closed the result pipe (it is gone, or stopped this worker).
            await error.WriteLineAsync($"error: the serving worker's protocol pipe failed: {e.Message}").ConfigureAwait(false);
            return WorkerExitCodes.Failed;
        }
        finally
        {
            if (store is not null)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task WriteAsync(StreamWriter writer, ServeResult result)
    {
        await writer.WriteLineAsync(WorkerServeProtocol.Format(result)).ConfigureAwait(false);
        await writer.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Keeps private copies of descriptors 0 and 1 for the protocol, then points 0 at /dev/null and 1 at standard error.</summary>
    private static (int Input, int Output) TakeProtocolDescriptors()
    {
        Console.Out.Flush();
        int input = UnixFileDescriptors.DuplicateCloseOnExec(UnixFileDescriptors.StandardInput);
        int output = UnixFileDescriptors.DuplicateCloseOnExec(UnixFileDescriptors.StandardOutput);
        int devNull = UnixFileDescriptors.OpenReadOnly("/dev/null");
        try
        {
            UnixFileDescriptors.Redirect(devNull, UnixFileDescriptors.StandardInput);
        }
        finally
        {
            UnixFileDescriptors.CloseDescriptor(devNull);
        }

        UnixFileDescriptors.Redirect(UnixFileDescriptors.StandardError, UnixFileDescriptors.StandardOutput);

        // .NET's Console writes through its own duplicate of descriptor 1, which dup2 does not move: point it at 2 too.
        Console.SetOut(Console.Error);
        Console.SetIn(TextReader.Null);
        return (input, output);
    }

    private static Dictionary<string, string> Snapshot()
    {
        var copy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            copy[(string)entry.Key] = (string?)entry.Value ?? string.Empty;
        }

        return copy;
    }

    private static void Restore(Dictionary<string, string> saved)
    {
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            string name = (string)entry.Key;
            if (!saved.ContainsKey(name))
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }

        foreach (var (name, value) in saved)
        {
            if (!string.Equals(Environment.GetEnvironmentVariable(name), value, StringComparison.Ordinal))
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
