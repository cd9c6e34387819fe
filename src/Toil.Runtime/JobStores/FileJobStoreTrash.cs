using System.Runtime.InteropServices;
using Toil.Runtime.IO;

namespace Toil.Runtime.JobStores;

/// <summary>
/// How a file job store deletes (<c>docs/job-store-format.md</c>): what goes is first renamed into a trash directory
/// under <c>tmp/</c> (one atomic, durable step), then deleted at leisure; trash a crash left behind is swept when the store
/// is next opened. Deleting never follows a symbolic link, and a whole store is destroyed the same way, beside its root.
/// </summary>
internal static class FileJobStoreTrash
{
    public const string TrashPrefix = "trash-";

    /// <summary>A new, unused trash path under <c>tmp/</c>.</summary>
    public static string NewTrashPath(FileJobStoreLayout layout) =>
        Path.Join(layout.Root, FileJobStoreLayout.TempDirectory, TrashPrefix + Guid.NewGuid().ToString("N"));

    /// <summary>Renames <paramref name="directory"/> (which the caller checked for links) into a new trash directory; no sync.</summary>
    /// <returns>The trash directory.</returns>
    public static string MoveToTrash(FileJobStoreLayout layout, string directory)
    {
        // Only tmp/ is checked: the trash name is new and random, so nothing can have been planted at it (and a rename
        // never follows a link at its target).
        string trash = NewTrashPath(layout);
        layout.Contained(layout.Directory(FileJobStoreLayout.TempDirectory));
        System.IO.Directory.Move(directory, trash);
        return trash;
    }

    /// <summary>Deletes every trash directory under <c>tmp/</c> (left by a crash, or by a delete whose clean-up failed). Best effort.</summary>
    public static void Sweep(FileJobStoreLayout layout)
    {
        try
        {
            foreach (string trash in System.IO.Directory.EnumerateDirectories(layout.Contained(layout.Directory(FileJobStoreLayout.TempDirectory)), TrashPrefix + "*"))
            {
                TryDeleteJobTrash(trash);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Deletes the store at <paramref name="root"/>: finishes destroys and initialisations a crash interrupted, refuses a
    /// directory holding anything a store never holds, then renames the root aside (durably) and deletes it. Idempotent.
    /// </summary>
    /// <exception cref="JobStoreException">The directory does not look like a job store; nothing was deleted.</exception>
    public static void DestroyStore(string root)
    {
        string parent = Path.GetDirectoryName(root)!;
        string name = Path.GetFileName(root);
        if (System.IO.Directory.Exists(parent))
        {
            foreach (string leftover in System.IO.Directory.EnumerateDirectories(parent, $".{name}.*"))
            {
                string suffix = Path.GetFileName(leftover)[(name.Length + 2)..];
                if (suffix.EndsWith(".destroying", StringComparison.Ordinal) || suffix.EndsWith(".initializing", StringComparison.Ordinal))
                {
                    DeleteTree(leftover);
                }
            }
        }

        var info = new DirectoryInfo(root);
        if (!info.Exists)
        {
            return;
        }

        if (info.LinkTarget is null)
        {
            foreach (var entry in info.EnumerateFileSystemInfos())
            {
                if (!FileJobStoreLayout.RootEntries.Contains(entry.Name) && !entry.Name.EndsWith(DurableFile.TempSuffix, StringComparison.Ordinal))
                {
                    throw new JobStoreException($"Refusing to destroy '{root}': it holds '{entry.Name}', which a job store never does. Delete it by hand if it really is a job store.");
                }
            }
        }

        string trash = Path.Join(parent, $".{name}.{Guid.NewGuid():N}.destroying");
        try
        {
            System.IO.Directory.Move(root, trash);
        }
        catch (DirectoryNotFoundException)
        {
            return;
        }

        DurableFile.FsyncDirectory(parent);
        DeleteTree(trash);
    }

    /// <summary>Removes <paramref name="directory"/> if it is empty, and syncs its parent. Best effort.</summary>
    public static void TryDeleteEmptyDirectory(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, recursive: false);
            DurableFile.FsyncDirectory(Path.GetDirectoryName(directory)!);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Deletes a job's directory moved into the trash. The common case, a directory holding only the job's record, takes
    /// four calls: <c>open(O_DIRECTORY | O_NOFOLLOW)</c>, <c>unlinkat</c> of the record relative to it, <c>close</c> and
    /// <c>rmdir</c>; no listing and no link check, because the descriptor cannot be a link and <c>unlinkat</c> does not
    /// follow one. Anything else (more entries, a link, an error) goes to <see cref="DeleteTree"/>.
    /// </summary>
    public static void DeleteJobTrash(string directory)
    {
        if (OperatingSystem.IsWindows() || !TryDeleteRecordOnly(directory))
        {
            DeleteTree(directory);
        }
    }

    /// <summary><see cref="DeleteJobTrash"/>, ignoring I/O and permission errors (what is left is swept later).</summary>
    public static void TryDeleteJobTrash(string directory)
    {
        try
        {
            DeleteJobTrash(directory);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Unlinks the record of the job whose directory <paramref name="locked"/> holds open (<c>unlinkat</c> relative to the
    /// locked descriptor: no path is resolved again, and a link at <c>job</c> is removed, never followed). The commit
    /// point of an in-place deletion (<c>docs/decisions.md#in-place-deletion</c>).
    /// </summary>
    /// <returns>Whether a record was there (<see langword="false"/>: none, or a directory where the record should be).</returns>
    /// <exception cref="IOException">The unlink failed otherwise; its <see cref="Exception.HResult"/> is the <c>errno</c>.</exception>
    public static bool UnlinkRecord(FileJobStoreDirectoryLock locked)
    {
        ArgumentNullException.ThrowIfNull(locked);
        using var fd = new BorrowedDescriptor(locked);
        int errno = UnlinkRecordAt(fd.Value);
        return errno switch
        {
            0 => true,
            Libc.ENoEnt or Libc.EIsDir => false,
            _ => throw new IOException($"Cannot delete the job record in a locked job directory: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno),
        };
    }

    /// <summary>
    /// Removes a job's directory whose record is gone, if it is empty (<c>rmdir</c>; a link at the path is not followed).
    /// </summary>
    /// <returns><see langword="false"/> when it still holds something (cleanup files, a body file, an interrupted update's temp file).</returns>
    /// <exception cref="IOException">Another error; its <see cref="Exception.HResult"/> is the <c>errno</c>.</exception>
    public static bool RemoveEmptyJobDirectory(string directory)
    {
        if (Libc.Rmdir(directory) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno == Libc.ENoEnt)
        {
            return true; // Removed by someone else meanwhile (a sweep of record-less directories).
        }

        return errno == Libc.ENotEmpty || errno == Libc.EExist
            ? false
            : throw new IOException($"Cannot remove the job directory '{directory}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno);
    }

    private static bool TryDeleteRecordOnly(string directory)
    {
        int fd = Libc.Open(directory, Libc.OpenDirectoryNoFollowFlags, 0);
        if (fd < 0)
        {
            return false;
        }

        try
        {
            if (UnlinkRecordAt(fd) is not (0 or Libc.ENoEnt))
            {
                return false;
            }
        }
        finally
        {
            Libc.Close(fd);
        }

        try
        {
            return RemoveEmptyJobDirectory(directory);
        }
        catch (IOException)
        {
            return false; // replaced meanwhile, or another error: the walk deals with it
        }
    }

    /// <summary><c>unlinkat</c> of the record relative to the job directory's descriptor <paramref name="fd"/>: 0, or the <c>errno</c>.</summary>
    private static int UnlinkRecordAt(int fd) =>
        Libc.UnlinkAt(fd, FileJobStoreLayout.JobFileName, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Deletes a tree, tolerating entries that vanish meanwhile, and never following symbolic links (a link is removed, not entered).</summary>
    public static void DeleteTree(string directory)
    {
        var info = new DirectoryInfo(directory);
        try
        {
            if (info.LinkTarget is not null)
            {
                File.Delete(directory);
                return;
            }

            foreach (var entry in info.EnumerateFileSystemInfos())
            {
                try
                {
                    if (entry is DirectoryInfo && entry.LinkTarget is null)
                    {
                        DeleteTree(entry.FullName);
                    }
                    else
                    {
                        File.Delete(entry.FullName);
                    }
                }
                catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
                {
                }
            }

            info.Delete(recursive: false);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
