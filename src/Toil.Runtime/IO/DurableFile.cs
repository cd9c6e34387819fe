using System.Runtime.InteropServices;

namespace Toil.Runtime.IO;

/// <summary>
/// Crash-safe replacement of persisted files (<c>docs/decisions.md#durable-writes</c>): temp file → flush+fsync → rename →
/// fsync(directory). A reader sees either the old content or the new, never a torn file, and the
/// rename survives a power loss once the call returns.
/// </summary>
internal static class DurableFile
{
    private const int ORdOnly = 0;
    private const int EInval = 22;

    /// <summary>The suffix of temporary files; directory scanners skip names ending with it.</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>Atomically and durably replaces (or creates) <paramref name="path"/> with <paramref name="bytes"/>.</summary>
    /// <remarks>The temporary file is <c>&lt;name&gt;.&lt;random&gt;.tmp</c> beside the target, so a crashed
    /// writer's leftovers can be found by the target's name prefix. The file is created with <paramref name="mode"/>
    /// (private, 0600, unless told otherwise).</remarks>
    public static async Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken, UnixFileMode mode = AccessModes.PrivateFile)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        string temp = NewTempPath(full);
        await WriteNewFileAsync(temp, (stream, ct) => stream.WriteAsync(bytes, ct), cancellationToken, mode).ConfigureAwait(false);
        try
        {
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        FsyncDirectory(directory);
    }

    /// <summary>A unique temporary name beside <paramref name="fullPath"/> (<c>&lt;name&gt;.&lt;random&gt;.tmp</c>): one per writer, never shared (<c>docs/decisions.md#optimistic-concurrency</c>).</summary>
    public static string NewTempPath(string fullPath) => $"{fullPath}.{Guid.NewGuid():N}{TempSuffix}";

    /// <summary>Creates <paramref name="path"/> (which must not exist) with <paramref name="mode"/>, writes <paramref name="bytes"/> and fsyncs it.</summary>
    /// <remarks>Synchronous on purpose: for small records the thread-pool hop of async file I/O costs more than the write.</remarks>
    public static void WriteNewFile(string path, ReadOnlySpan<byte> bytes, UnixFileMode mode = AccessModes.PrivateFile)
    {
        try
        {
            // Without .NET's advisory flock (UnlockedFile): the temp file's name is the writer's own.
            using var handle = UnlockedFile.CreateNew(path, mode);
            UnlockedFile.WriteAndSync(handle, bytes, path);
        }
        catch
        {
            TryDelete(path);
            throw;
        }
    }

    /// <summary>
    /// Creates <paramref name="path"/> (which must not exist), lets <paramref name="writer"/> fill it and fsyncs it. If the
    /// writer throws, the file is deleted and the exception propagates.
    /// </summary>
    /// <remarks>The writer may dispose the stream it is given; the file is then reopened to be fsynced. The file is created
    /// with <paramref name="mode"/>.</remarks>
    public static async Task WriteNewFileAsync(string path, Func<Stream, CancellationToken, ValueTask> writer, CancellationToken cancellationToken, UnixFileMode mode = AccessModes.PrivateFile)
    {
        try
        {
            var stream = AccessModes.Create(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, FileOptions.None, mode);
            await using (stream.ConfigureAwait(false))
            {
                await writer(stream, cancellationToken).ConfigureAwait(false);
                if (stream.CanWrite)
                {
                    stream.Flush(flushToDisk: true);
                    return;
                }
            }

            using var reopened = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None, bufferSize: 0);
            reopened.Flush(flushToDisk: true);
        }
        catch
        {
            TryDelete(path);
            throw;
        }
    }

    /// <summary>
    /// Creates <paramref name="directory"/> and any missing parents with <paramref name="mode"/>, fsyncing the parent of
    /// each one created so the new entries survive a power loss.
    /// </summary>
    /// <returns><see langword="true"/> if a directory was created.</returns>
    public static bool CreateDirectory(string directory, UnixFileMode mode = AccessModes.PrivateDirectory)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var missing = new Stack<string>();
        for (string? d = full; d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d))
        {
            missing.Push(d);
        }

        if (missing.Count == 0)
        {
            return false;
        }

        while (missing.TryPop(out string? created))
        {
            AccessModes.CreateDirectory(created, mode);
            FsyncDirectory(Path.GetDirectoryName(created)!);
        }

        return true;
    }

    /// <summary>Deletes <paramref name="path"/> if it exists and makes the removal durable.</summary>
    /// <returns><see langword="true"/> if a file was deleted.</returns>
    public static bool Delete(string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            return false;
        }

        File.Delete(full);
        FsyncDirectory(Path.GetDirectoryName(full)!);
        return true;
    }

    /// <summary>Renames <paramref name="source"/> to <paramref name="destination"/> (no overwrite) and fsyncs both directories.</summary>
    public static void Move(string source, string destination)
    {
        string src = Path.GetFullPath(source);
        string dst = Path.GetFullPath(destination);
        File.Move(src, dst, overwrite: false);
        FsyncDirectory(Path.GetDirectoryName(dst)!);
        string srcDir = Path.GetDirectoryName(src)!;
        if (!string.Equals(srcDir, Path.GetDirectoryName(dst), StringComparison.Ordinal))
        {
            FsyncDirectory(srcDir);
        }
    }

    /// <summary>Flushes a directory's entries to disk so that a rename or unlink inside it is durable.</summary>
    /// <remarks>.NET cannot open a directory handle, so this goes through libc. On Windows it is a no-op
    /// (NTFS journals metadata and has no directory fsync).</remarks>
    public static void FsyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd = Libc.Open(directory, ORdOnly, 0);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory '{directory}' to fsync it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            // Some filesystems (e.g. certain FUSE/NFS setups) refuse fsync on a directory with EINVAL:
            // there is nothing more we can do there, and failing every write would make them unusable.
            if (Libc.Fsync(fd) != 0 && Marshal.GetLastPInvokeError() is int errno && errno != EInval)
            {
                throw new IOException($"fsync of directory '{directory}' failed (errno {errno})");
            }
        }
        finally
        {
            _ = Libc.Close(fd);
        }
    }

    /// <summary>Deletes a file, ignoring a missing file and I/O errors (used for temporary files on error paths).</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

}
