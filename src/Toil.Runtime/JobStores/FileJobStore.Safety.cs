using Microsoft.Extensions.Logging;
using Toil.Runtime.IO;

namespace Toil.Runtime.JobStores;

/// <content>
/// What keeps a file job store to itself: the modes it creates entries with, the refusal of symbolic links, the bound on
/// a job record and the removal of a deleted job's last directory (<c>docs/job-store-format.md</c>, "Limits",
/// "Who can read a store", "Symbolic links").
/// </content>
public sealed partial class FileJobStore
{
    private static readonly string[] s_layoutPaths =
    [
        JobsDirectory, JobFilesDirectory, FlatFilesDirectory, SharedDirectory, TempDirectory, StatsDirectory,
        Path.Join(StatsDirectory, InboxDirectory), Path.Join(StatsDirectory, ArchiveDirectory), FileJobStoreFormat.FileName,
        Path.Join(SharedDirectory, SharedFileNames.Config),
    ];

    private static (UnixFileMode Directory, UnixFileMode File) Modes(FileJobStoreOptions options) =>
        options.ShareWithGroup ? (AccessModes.GroupDirectory, AccessModes.GroupFile) : (AccessModes.PrivateDirectory, AccessModes.PrivateFile);

    /// <summary>Refuses a store whose layout directories or markers are symbolic links, before reading anything through them.</summary>
    private static void RefuseLinkedLayout(string root, string locator)
    {
        foreach (string entry in s_layoutPaths)
        {
            if (SymbolicLinks.FindBelow(root, Path.Join(root, entry)) is { } link)
            {
                throw new SymbolicLinkInJobStoreException(link, locator);
            }
        }
    }

    /// <summary>
    /// Returns <paramref name="path"/> (a path under the root) after checking that no entry on the way to it, itself
    /// included, is a symbolic link. The store never makes links, so one can only lead out of it.
    /// </summary>
    /// <exception cref="SymbolicLinkInJobStoreException">An entry is a link.</exception>
    private string Contained(string path) =>
        SymbolicLinks.FindBelow(_root, path) is { } link ? throw new SymbolicLinkInJobStoreException(link, Locator) : path;

    /// <summary>
    /// Returns <paramref name="path"/> after checking only its last entry for a link: for a path whose directories the
    /// same operation has just checked (the job's lock path is checked whole when the lock is taken).
    /// </summary>
    /// <exception cref="SymbolicLinkInJobStoreException">The entry is a link.</exception>
    private string LeafContained(string path) =>
        SymbolicLinks.FindBelow(Path.GetDirectoryName(path)!, path) is { } link ? throw new SymbolicLinkInJobStoreException(link, Locator) : path;

    /// <summary>Creates (or opens, when a retried step made it already) a job's empty lock file with the store's file mode.</summary>
    private void CreateLockFile(string path)
    {
        using var stream = AccessModes.Create(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0, FileOptions.None, _fileMode);
        if (AccessModes.NeedsChmod(_fileMode) && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(stream.SafeFileHandle, _fileMode);
        }
    }

    /// <summary>Refuses to write a record the store would refuse to read back.</summary>
    /// <exception cref="JobStoreException">The record is larger than <see cref="FileJobStoreOptions.MaxJobRecordBytes"/>.</exception>
    private byte[] CheckRecordSize(string jobId, byte[] record) =>
        record.Length <= _options.MaxJobRecordBytes
            ? record
            : throw new JobStoreException($"The record of job '{jobId}' is {record.Length} bytes, more than the store's limit of {_options.MaxJobRecordBytes} bytes ({nameof(FileJobStoreOptions)}.{nameof(FileJobStoreOptions.MaxJobRecordBytes)}); nothing was written.");

    /// <summary>
    /// Reads a job record whole. A record larger than <see cref="FileJobStoreOptions.MaxJobRecordBytes"/>, one that is
    /// not a readable regular file, or one shorter than its length is corrupt: <see cref="CorruptJobRecordException"/>,
    /// which the retry pipeline never retries (it is not an <see cref="IOException"/>).
    /// </summary>
    private byte[] ReadJobRecord(string path, string jobId, bool underLock)
    {
        Microsoft.Win32.SafeHandles.SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(underLock ? LeafContained(path) : Contained(path), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (UnauthorizedAccessException ex)
        {
            // A directory where the record should be, or a record the store's own user cannot read.
            throw new CorruptJobRecordException(jobId, "the record is not a readable file", ex);
        }

        using (handle)
        {
            long length = RandomAccess.GetLength(handle);
            if (length > _options.MaxJobRecordBytes)
            {
                throw new CorruptJobRecordException(jobId, $"the record is {length} bytes, more than the store's limit of {_options.MaxJobRecordBytes} bytes ({nameof(FileJobStoreOptions)}.{nameof(FileJobStoreOptions.MaxJobRecordBytes)})");
            }

            // Records are published whole by rename and never written in place, so the length is the content's.
            byte[] bytes = GC.AllocateUninitializedArray<byte>((int)length);
            int read = 0;
            while (read < bytes.Length && RandomAccess.Read(handle, bytes.AsSpan(read), read) is > 0 and var n)
            {
                read += n;
            }

            return read == bytes.Length
                ? bytes
                : throw new CorruptJobRecordException(jobId, $"the record ended after {read} of its {length} bytes");
        }
    }

    /// <summary>
    /// After a job's file was deleted: when the job itself is gone, its <c>job-files/&lt;id&gt;/</c> directory is removed
    /// if that left it empty (a deleted job's kept file is usually consumed after the job ends). Best effort: a directory
    /// that is not empty, or that vanished meanwhile, stays as it is.
    /// </summary>
    private void RemoveDeletedJobsFilesDirectory(string fileId)
    {
        if (!fileId.StartsWith(JobFilesDirectory + "/", StringComparison.Ordinal))
        {
            return;
        }

        // job-files/kind-<slug>/instance-<hex>/...
        int kindEnd = fileId.IndexOf('/', JobFilesDirectory.Length + 1);
        int instanceEnd = kindEnd < 0 ? -1 : fileId.IndexOf('/', kindEnd + 1);
        if (instanceEnd < 0)
        {
            return;
        }

        string jobId = fileId[(JobFilesDirectory.Length + 1)..instanceEnd];
        if (!IsJobId(jobId) || Directory.Exists(JobDirectory(jobId)))
        {
            return;
        }

        string files = Path.Join(_root, JobFilesDirectory, jobId);
        TryDeleteEmptyDirectory(Path.Join(files, CleanupDirectory));
        TryDeleteEmptyDirectory(files);
    }

    /// <summary>Warns when the root lets more users in than the configured mode would (a store made before stores were private, or loosened by hand).</summary>
    private void WarnIfRootIsLoose()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        UnixFileMode actual;
        try
        {
            actual = File.GetUnixFileMode(_root);
        }
        catch (IOException)
        {
            return;
        }

        if ((actual & ~_directoryMode) != 0)
        {
            LogLooseRoot(_logger, _root, Octal(actual), Octal(_directoryMode));
        }
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0xFFF, 8).PadLeft(4, '0');

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "The job store root '{Root}' has mode {Actual}, looser than the store's {Expected}: other users may read job inputs, outputs, logs and the leader's environment. Run chmod {Expected} on it (or set FileJobStoreOptions.ShareWithGroup if the group should read it).")]
    private static partial void LogLooseRoot(ILogger logger, string root, string actual, string expected);
}
