using System.Text.Json;
using Microsoft.Extensions.Logging;
using Toil.Runtime.IO;

namespace Toil.Runtime.Deferred;

/// <summary>
/// Invokes persisted calls and claims orphaned state of dead workers in one <c>deferred</c> directory.
/// Shared by <see cref="DeferredFunctionManager"/> and its static batch-system cleanup.
/// </summary>
internal sealed class DeferredFunctionRunner(string directory, DeferredFunctionInvoker invoker)
{
    public const string LockExtension = ".lock";
    public const string StateExtension = ".json";
    public const string SetAsideDirectoryName = "set-aside";

    public string Directory { get; } = directory;

    public ILogger Logger => invoker.Logger;

    public DeferredFunctionInvoker Invoker => invoker;

    public string LockPath(string workerId) => Path.Combine(Directory, workerId + LockExtension);

    public string StatePath(string workerId) => Path.Combine(Directory, workerId + StateExtension);

    /// <summary>Worker IDs are 32 lower-case hex digits; anything else in the directory (NFS <c>.nfsXXXX</c>, user files) is ignored.</summary>
    public static bool IsWorkerId(string value)
        => value.Length == 32 && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    public async Task WriteStateAsync(string workerId, IReadOnlyList<DeferredCall> calls, CancellationToken cancellationToken)
    {
        if (calls.Count == 0)
        {
            DurableFile.Delete(StatePath(workerId));
            return;
        }

        var document = new DeferredStateDocument { WorkerId = workerId, Functions = [.. calls] };
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(document, DeferredJsonContext.Default.DeferredStateDocument);
        await DurableFile.WriteAllBytesAsync(StatePath(workerId), bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes calls that cannot run to <c>set-aside/&lt;workerId&gt;[-&lt;n&gt;].json</c> and logs each. If they cannot be
    /// written back as JSON and <paramref name="originalStatePath"/> is given, that file (the bytes the calls came from) is
    /// moved there instead.
    /// </summary>
    /// <returns>Whether <paramref name="originalStatePath"/> was moved (the caller must then not delete it).</returns>
    public async Task<bool> SetAsideAsync(
        string workerId,
        List<(DeferredCall Call, DeferredFunctionException Error)> setAside,
        string? originalStatePath,
        CancellationToken cancellationToken)
    {
        if (setAside.Count == 0)
        {
            return false;
        }

        string path = NewSetAsidePath(workerId);
        var document = new DeferredStateDocument
        {
            WorkerId = workerId,
            Reason = string.Join("; ", setAside.Select(s => s.Error.Message).Distinct(StringComparer.Ordinal)),
            Functions = [.. setAside.Select(s => s.Call)],
        };
        byte[]? bytes = TrySerialize(document, out Exception? problem);
        bool movedOriginal = false;
        if (bytes is not null)
        {
            await DurableFile.WriteAllBytesAsync(path, bytes, cancellationToken).ConfigureAwait(false);
        }
        else if (originalStatePath is not null)
        {
            // Never reached for a document that passed ReadOrSetAsideAsync; kept so a set-aside can never fail to happen.
            DurableFile.Move(originalStatePath, path);
            movedOriginal = true;
        }
        else
        {
            throw new DeferredFunctionException($"the calls of worker {workerId} to set aside cannot be written: {problem!.Message}", problem);
        }

        foreach (var (call, error) in setAside)
        {
            DeferredLog.SetAside(Logger, error, call.Name, workerId, path);
        }

        return movedOriginal;
    }

    /// <summary>Serializes <paramref name="document"/>, or gives <see langword="null"/> and why not.</summary>
    private static byte[]? TrySerialize(DeferredStateDocument document, out Exception? problem)
    {
        try
        {
            problem = null;
            return JsonSerializer.SerializeToUtf8Bytes(document, DeferredJsonContext.Default.DeferredStateDocument);
        }
        catch (Exception ex) when (IsParseFailure(ex))
        {
            problem = ex;
            return null;
        }
    }

    /// <summary>Every failure to read or write a state document, except those that say nothing about the document.</summary>
    private static bool IsParseFailure(Exception ex) =>
        ex is not (OutOfMemoryException or InsufficientExecutionStackException or OperationCanceledException);

    private string NewSetAsidePath(string workerId)
    {
        string dir = Path.Combine(Directory, SetAsideDirectoryName);
        System.IO.Directory.CreateDirectory(dir);
        for (int n = 0; ; n++)
        {
            string path = Path.Combine(dir, n == 0 ? workerId + StateExtension : $"{workerId}-{n}{StateExtension}");
            if (!File.Exists(path))
            {
                return path;
            }
        }
    }

    /// <summary>Repeats passes over the directory until a pass claims no dead worker's state.</summary>
    /// <remarks>A worker scans at every job's start and end; with no directory (the usual case) that costs no task.</remarks>
    public Task<DeferredFunctionRunResult> RunOrphansAsync(string? ownWorkerId, CancellationToken cancellationToken) =>
        System.IO.Directory.Exists(Directory) ? RunOrphansCoreAsync(ownWorkerId, cancellationToken) : NothingRun;

    private static readonly Task<DeferredFunctionRunResult> NothingRun = Task.FromResult(default(DeferredFunctionRunResult));

    private async Task<DeferredFunctionRunResult> RunOrphansCoreAsync(string? ownWorkerId, CancellationToken cancellationToken)
    {
        var total = default(DeferredFunctionRunResult);

        bool claimedAny;
        do
        {
            claimedAny = false;
            foreach (string path in System.IO.Directory.GetFiles(Directory))
            {
                cancellationToken.ThrowIfCancellationRequested();
                string name = Path.GetFileName(path);
                if (name.EndsWith(LockExtension + DurableFile.TempSuffix, StringComparison.Ordinal))
                {
                    RemoveAbandonedLockTemp(path);
                    continue;
                }

                if (!name.EndsWith(LockExtension, StringComparison.Ordinal))
                {
                    continue;
                }

                string workerId = name[..^LockExtension.Length];
                if (!IsWorkerId(workerId) || workerId == ownWorkerId)
                {
                    continue;
                }

                DeferredFunctionRunResult? result;
                try
                {
                    result = await TryRunOrphanAsync(workerId, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // One unreadable worker must not stop the others (nor this worker); its files stay for a later attempt.
                    DeferredLog.OrphanFailed(Logger, ex, workerId);
                    continue;
                }

                if (result is { } r)
                {
                    claimedAny = true;
                    total += r;
                }
            }
        }
        while (claimedAny);

        return total;
    }

    /// <summary>Claims one worker's state if its owner is dead (its lock can be taken), runs it and removes it.</summary>
    /// <returns><see langword="null"/> if the worker is alive or its state is already gone.</returns>
    private async Task<DeferredFunctionRunResult?> TryRunOrphanAsync(string workerId, CancellationToken cancellationToken)
    {
        string lockPath = LockPath(workerId);
        FileStream? held = TryLock(lockPath);
        if (held is null)
        {
            return null;
        }

        await using (held.ConfigureAwait(false))
        {
            // The owner (or another cleaner) unlinks the lock file while still holding it, so a lock
            // taken on a file that is no longer at its path belongs to state that is already handled.
            // Worker IDs are random and never reused, so existence is as good as Toil's inode check.
            if (!File.Exists(lockPath))
            {
                return null;
            }

            var result = default(DeferredFunctionRunResult);
            string statePath = StatePath(workerId);
            if (File.Exists(statePath))
            {
                DeferredFunctionRunResult? ran = await RunOrphanStateAsync(workerId, statePath, cancellationToken).ConfigureAwait(false);
                if (ran is null)
                {
                    // Corrupt and could not be moved aside: keep everything (released, not deleted) for a later attempt.
                    return null;
                }

                result = ran.Value;
            }

            foreach (string temp in System.IO.Directory.GetFiles(Directory, workerId + StateExtension + ".*" + DurableFile.TempSuffix))
            {
                File.Delete(temp);
            }

            DurableFile.Delete(lockPath);
            return result;
        }
    }

    private async Task<DeferredFunctionRunResult?> RunOrphanStateAsync(string workerId, string statePath, CancellationToken cancellationToken)
    {
        var (document, setAsideCorrupt) = await ReadOrSetAsideAsync(workerId, statePath, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return setAsideCorrupt ? new(0, 0, 1) : null;
        }

        DeferredLog.RunningOrphans(Logger, document.Functions.Count, workerId);
        var setAside = new List<(DeferredCall, DeferredFunctionException)>();
        int done = 0;
        DeferredFunctionRunResult result;
        try
        {
            result = await invoker.RunCallsAsync(workerId, document.Functions, i => done = i, setAside, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Keep what did not finish (and what cannot run) for the next cleaner; the lock is released on return. A
            // document that passed validation always serializes; should it not, the original file stays as it is (every
            // call kept: at least once).
            List<DeferredCall> left = [.. setAside.Select(s => s.Item1), .. document.Functions.Skip(done)];
            if (TrySerialize(new DeferredStateDocument { WorkerId = workerId, Functions = left }, out _) is not null)
            {
                await WriteStateAsync(workerId, left, CancellationToken.None).ConfigureAwait(false);
            }

            throw;
        }

        if (!await SetAsideAsync(workerId, setAside, statePath, cancellationToken).ConfigureAwait(false))
        {
            DurableFile.Delete(statePath);
        }

        return result;
    }

    /// <returns>The document, or <see langword="null"/> and whether the unreadable file was moved aside.</returns>
    private async Task<(DeferredStateDocument? Document, bool SetAside)> ReadOrSetAsideAsync(string workerId, string statePath, CancellationToken cancellationToken)
    {
        Exception? problem;
        try
        {
            byte[] bytes = await File.ReadAllBytesAsync(statePath, cancellationToken).ConfigureAwait(false);
            DeferredStateDocument? document = JsonSerializer.Deserialize(bytes, DeferredJsonContext.Default.DeferredStateDocument);
            string? invalid = Validate(document, workerId);
            if (invalid is null)
            {
                return (document, false);
            }

            problem = new InvalidDataException(invalid);
        }
        catch (Exception ex) when (ex is not IOException and not UnauthorizedAccessException && IsParseFailure(ex))
        {
            problem = ex;
        }

        string target = Path.Combine(Directory, SetAsideDirectoryName, $"{workerId}.corrupt-{Guid.NewGuid():N}{StateExtension}");
        string? moved = null;
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            DurableFile.Move(statePath, target);
            moved = target;
        }
        catch (IOException)
        {
            // Left in place: the lock file is then kept too, so the state is retried, never dropped.
        }

        var error = new DeferredStateCorruptException($"deferred state file '{statePath}' cannot be read: {problem.Message}", problem)
        {
            StatePath = statePath,
            SetAsidePath = moved,
        };
        DeferredLog.Corrupt(Logger, error, statePath, moved);
        return (null, moved is not null);
    }

    /// <summary>
    /// Checks everything the runner needs before it acts on a document: the schema version, the worker ID, a list of
    /// calls, each with a valid registered-name shape and arguments present, and that the whole document can be written
    /// back (what is not run is rewritten or set aside).
    /// </summary>
    /// <returns>What is wrong, or <see langword="null"/>.</returns>
    internal static string? Validate(DeferredStateDocument? document, string workerId)
    {
        if (document is null)
        {
            return "the document is null";
        }

        if (document.SchemaVersion != DeferredStateDocument.CurrentSchemaVersion)
        {
            return $"unsupported schema version {document.SchemaVersion}";
        }

        if (document.WorkerId != workerId)
        {
            return $"worker ID '{document.WorkerId}' does not match the file name";
        }

        if (document.Functions is null)
        {
            return "the document has no function list";
        }

        for (int i = 0; i < document.Functions.Count; i++)
        {
            DeferredCall? call = document.Functions[i];
            if (call is null)
            {
                return $"function entry {i} is null";
            }

            if (string.IsNullOrWhiteSpace(call.Name) || call.Name.Length > DeferredFunctionRegistry.MaxNameLength || call.Name.Any(char.IsControl))
            {
                return $"function entry {i} has no valid name (1 to {DeferredFunctionRegistry.MaxNameLength} characters, no control characters)";
            }

            if (call.Arguments.ValueKind == JsonValueKind.Undefined)
            {
                return $"function entry {i} ('{call.Name}') has no arguments";
            }
        }

        return TrySerialize(document, out Exception? problem) is null
            ? $"the document cannot be written back ({problem!.Message})"
            : null;
    }

    private void RemoveAbandonedLockTemp(string path)
    {
        // A worker that died between creating and renaming its lock file leaves no state; remove the file once its lock is free.
        using FileStream? held = TryLock(path);
        if (held is not null && File.Exists(path))
        {
            File.Delete(path);
        }
    }

    /// <summary>Takes an exclusive, non-blocking lock (FileShare.None is <c>flock(LOCK_EX|LOCK_NB)</c> on Unix).</summary>
    /// <returns>The locked stream, or <see langword="null"/> if the file is gone or locked by a live process.</returns>
    public static FileStream? TryLock(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (IOException)
        {
            // Sharing violation: the owner is alive.
            return null;
        }
    }
}
