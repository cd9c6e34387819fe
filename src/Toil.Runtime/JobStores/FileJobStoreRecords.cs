using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Toil.Runtime.IO;

namespace Toil.Runtime.JobStores;

/// <summary>
/// How a file job store reads and writes what it persists (<c>docs/decisions.md#durable-writes</c>): every replacement is
/// temp file (a unique name per writer) → write + fsync → rename → fsync(directory); a job record is bounded by
/// <see cref="FileJobStoreOptions.MaxJobRecordBytes"/> both ways. Each filesystem step is retried on transient I/O errors
/// (<see cref="FileJobStoreOptions.TransientRetryAttempts"/>), and a read of what should exist waits for it to become
/// visible (<see cref="FileJobStoreOptions.VisibilityTimeout"/>, <c>docs/decisions.md#bounded-waits</c>): both are Polly
/// pipelines on the store's <see cref="TimeProvider"/>.
/// </summary>
internal sealed partial class FileJobStoreRecords
{
    /// <summary>The longest delay between two visibility polls.</summary>
    public static readonly TimeSpan MaxVisibilityDelay = TimeSpan.FromSeconds(1);

    private const int SmallReadBytes = 64 * 1024;
    private const int ErrorExists = 17;

    private readonly FileJobStoreLayout _layout;
    private readonly FileJobStoreOptions _options;
    private readonly UnixFileMode _fileMode;
    private readonly ResiliencePipeline _retry;
    private readonly BoundedRetry _visibility;

    /// <summary>Creates the record I/O of the store laid out by <paramref name="layout"/>.</summary>
    public FileJobStoreRecords(FileJobStoreLayout layout, FileJobStoreOptions options, UnixFileMode fileMode, ILogger logger)
    {
        _layout = layout;
        _options = options;
        _fileMode = fileMode;
        _retry = TransientRetry(options, logger);
        _visibility = VisibilityWait(options, logger);
    }

    /// <summary>Whether a failed step is worth retrying: an I/O error other than not-found, already-exists or a held lock.</summary>
    public static bool IsTransient(Exception exception) =>
        exception is IOException io
        && io is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException or EndOfStreamException)
        && !FileLock.IsContention(io)
        && !IsAlreadyExists(io);

    /// <summary>Whether <paramref name="exception"/> says the target already exists.</summary>
    public static bool IsAlreadyExists(IOException exception) =>
        exception.HResult is ErrorExists or unchecked((int)0x80070050) or unchecked((int)0x800700B7);

    /// <summary>The retry of transient I/O errors: exponential with jitter from <see cref="FileJobStoreOptions.TransientRetryDelay"/>, <see cref="FileJobStoreOptions.TransientRetryAttempts"/> times.</summary>
    public static ResiliencePipeline TransientRetry(FileJobStoreOptions options, ILogger logger)
    {
        if (options.TransientRetryAttempts == 0)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && IsTransient(e)),
                MaxRetryAttempts = options.TransientRetryAttempts,
                Delay = options.TransientRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    LogTransientRetry(logger, args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>The wait for what another node wrote to show up: not-found retried, from <see cref="FileJobStoreOptions.VisibilityPollInterval"/> doubling up to one second, for at most <see cref="FileJobStoreOptions.VisibilityTimeout"/>.</summary>
    public static BoundedRetry VisibilityWait(FileJobStoreOptions options, ILogger logger) =>
        new(
            options.TimeProvider,
            options.VisibilityTimeout,
            options.VisibilityPollInterval,
            MaxVisibilityDelay,
            static e => e is FileNotFoundException or DirectoryNotFoundException,
            (what, delay) => LogVisibilityWait(logger, what ?? string.Empty, delay));

    /// <summary>Runs <paramref name="probe"/> until it stops failing with not-found, for at most the visibility timeout.</summary>
    public ValueTask<T> WhenVisibleAsync<T>(string what, Func<ValueTask<T>> probe, CancellationToken cancellationToken) =>
        _visibility.ExecuteAsync(probe, what, cancellationToken);

    /// <summary>Whether <paramref name="directory"/> exists, waiting for it to become visible.</summary>
    public async ValueTask<bool> IsVisibleAsync(string directory, CancellationToken cancellationToken)
    {
        try
        {
            return await WhenVisibleAsync(directory, () => Directory.Exists(directory) ? ValueTask.FromResult(true) : throw new DirectoryNotFoundException(directory), cancellationToken).ConfigureAwait(false);
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Calls the fault injector (a test seam) with a step name.</summary>
    public ValueTask InjectAsync(string step) => _options.FaultInjector is { } inject ? inject(step) : ValueTask.CompletedTask;

    /// <summary>Runs one filesystem step, retried on transient errors.</summary>
    public ValueTask IoAsync(string step, Action action, CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(
            async _ =>
            {
                await InjectAsync(step).ConfigureAwait(false);
                action();
            },
            cancellationToken);

    /// <summary>
    /// Makes the changes already made in each of <paramref name="directories"/> durable, through the process's group of
    /// directory syncs (<see cref="DirectorySyncGroup"/>, <c>docs/decisions.md#group-commits</c>): concurrent writers of a
    /// directory share an <c>fsync</c>, and each returns only after one that began after its change. Retried on transient errors.
    /// </summary>
    public ValueTask SyncDirectoriesAsync(string step, CancellationToken cancellationToken, params string[] directories) =>
        _retry.ExecuteAsync(
            async ct =>
            {
                await InjectAsync(step).ConfigureAwait(false);
                foreach (string directory in directories)
                {
                    await DirectorySyncGroup.Shared.SyncAsync(directory, ct).ConfigureAwait(false);
                }
            },
            cancellationToken);

    /// <summary>Runs one filesystem step, retried on transient errors.</summary>
    public ValueTask<T> IoAsync<T>(string step, Func<T> action, CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(
            async _ =>
            {
                await InjectAsync(step).ConfigureAwait(false);
                return action();
            },
            cancellationToken);

    /// <summary>Refuses to write a record the store would refuse to read back.</summary>
    /// <exception cref="JobStoreException">The record is larger than <see cref="FileJobStoreOptions.MaxJobRecordBytes"/>.</exception>
    public byte[] CheckRecordSize(string jobId, byte[] record) =>
        record.Length <= _options.MaxJobRecordBytes
            ? record
            : throw new JobStoreException($"The record of job '{jobId}' is {record.Length} bytes, more than the store's limit of {_options.MaxJobRecordBytes} bytes ({nameof(FileJobStoreOptions)}.{nameof(FileJobStoreOptions.MaxJobRecordBytes)}); nothing was written.");

    /// <summary>
    /// Reads a job record whole. A record larger than <see cref="FileJobStoreOptions.MaxJobRecordBytes"/>, one that is
    /// not a readable regular file, or one shorter than its length is corrupt: <see cref="CorruptJobRecordException"/>,
    /// which the retry pipeline never retries (it is not an <see cref="IOException"/>).
    /// </summary>
    public byte[] ReadJobRecord(string path, string jobId, bool underLock)
    {
        // Without .NET's advisory flock: the record is published whole by rename (docs/performance.md, "Fan-out through
        // the leader: the second pass"). On Linux the link check and the open are one call, the size and type one more.
        try
        {
            using var handle = _layout.OpenReadContained(path, leafOnly: underLock);
            long length;
            byte[] bytes = UnlockedFile.ReadAll(handle, path, _options.MaxJobRecordBytes, out length)
                ?? throw new CorruptJobRecordException(jobId, $"the record is {length} bytes, more than the store's limit of {_options.MaxJobRecordBytes} bytes ({nameof(FileJobStoreOptions)}.{nameof(FileJobStoreOptions.MaxJobRecordBytes)})");
            return bytes.Length == length
                ? bytes
                : throw new CorruptJobRecordException(jobId, $"the record ended after {bytes.Length} of its {length} bytes");
        }
        catch (UnauthorizedAccessException ex)
        {
            // A directory where the record should be, or a record the store's own user cannot read.
            throw new CorruptJobRecordException(jobId, "the record is not a readable file", ex);
        }
    }

    /// <summary>temp (unique name) → write + fsync → rename → fsync(directory); each step retried on transient errors.</summary>
    /// <remarks>
    /// With <paramref name="directoryVerified"/> the caller has checked the target's directory for links (taking the job's
    /// lock does). <paramref name="renamed"/> runs once the rename is done, before the directory's sync: a caller that
    /// keeps a version beside the record learns that the record moved even when the sync then fails or is cancelled.
    /// </remarks>
    public async ValueTask ReplaceAsync(string target, ReadOnlyMemory<byte> bytes, bool overwrite, CancellationToken cancellationToken, bool directoryVerified = false, Action? renamed = null)
    {
        string temp = DurableFile.NewTempPath(target);
        await IoAsync("write-temp", () =>
        {
            // The rename replaces whatever is at the target (a link too) without following it; the directories on the way
            // must be the store's own.
            if (!directoryVerified)
            {
                _layout.Contained(Path.GetDirectoryName(target)!);
            }

            DurableFile.WriteNewFile(temp, bytes.Span, _fileMode);
        }, cancellationToken).ConfigureAwait(false);
        await CommitTempAsync(temp, target, overwrite, cancellationToken, renamed).ConfigureAwait(false);
    }

    /// <summary>Lets <paramref name="writer"/> fill a temp file once, then commits it to <paramref name="target"/> (only the commit is retried).</summary>
    public async ValueTask CommitStreamAsync(string target, Func<Stream, CancellationToken, ValueTask> writer, bool overwrite, CancellationToken cancellationToken, bool mustExist = false, UnixFileMode? mode = null, string? temp = null)
    {
        temp ??= DurableFile.NewTempPath(target);
        _layout.Contained(Path.GetDirectoryName(target)!);

        // The caller's writer runs once (it may consume a stream that cannot be replayed); only the commit is retried.
        await DurableFile.WriteNewFileAsync(temp, writer, cancellationToken, mode ?? _fileMode).ConfigureAwait(false);
        if (mustExist && !File.Exists(target))
        {
            DurableFile.TryDelete(temp);
            throw new FileNotFoundException("The file was deleted while it was being updated.", target);
        }

        await CommitTempAsync(temp, target, overwrite, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Opens a store file for reading. A small one (job bodies, promises: most reads) is read at once into memory:
    /// asynchronous reads of a file stream go through the thread pool on Unix, which for a few hundred bytes cost more
    /// than the read, in thread hops and spinning pool threads.
    /// </summary>
    public static Stream OpenReadFile(string path) => OpenReadFile(UnlockedFile.OpenRead(path), path);

    /// <summary>Reads a store file opened as <paramref name="handle"/> (which this disposes) as <see cref="OpenReadFile(string)"/> does.</summary>
    /// <param name="handle">The file, opened for reading.</param>
    /// <param name="path">Its path (reopened as a stream when the file is large).</param>
    public static Stream OpenReadFile(Microsoft.Win32.SafeHandles.SafeFileHandle handle, string path)
    {
        // Opened without .NET's advisory flock (UnlockedFile): store files are published whole by rename.
        byte[]? bytes;
        using (handle)
        {
            bytes = UnlockedFile.ReadAll(handle, path, SmallReadBytes, out _);
        }

        return bytes is null ? OpenRead(path) : new MemoryStream(bytes, 0, bytes.Length, writable: false);
    }

    /// <summary>Opens a store file as a stream for reading; it may be deleted or replaced meanwhile.</summary>
    public static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);

    /// <summary>
    /// Renames <paramref name="temp"/> onto <paramref name="target"/>, then syncs the directory. <paramref name="renamed"/>
    /// runs once the rename is done: from then on the new file is what readers see, even if the sync fails or is cancelled.
    /// </summary>
    private async ValueTask CommitTempAsync(string temp, string target, bool overwrite, CancellationToken cancellationToken, Action? renamed = null)
    {
        try
        {
            await IoAsync("rename", () => File.Move(temp, target, overwrite), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            DurableFile.TryDelete(temp);
            if (ex is IOException io && IsAlreadyExists(io))
            {
                throw new JobStoreException($"'{target}' already exists.", ex);
            }

            throw;
        }

        renamed?.Invoke();
        await SyncDirectoriesAsync("fsync-directory", cancellationToken, Path.GetDirectoryName(target)!).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Transient I/O error in the file job store; retry {Attempt} in {Delay}")]
    private static partial void LogTransientRetry(ILogger logger, int attempt, TimeSpan delay, Exception? exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "'{Path}' is not visible yet; polling again in {Delay}")]
    private static partial void LogVisibilityWait(ILogger logger, string path, TimeSpan delay);
}
