using Toil.Runtime.IO;

namespace Toil.Runtime.JobStores;

public sealed partial class FileJobStore
{
    /// <summary>
    /// Removes what processes killed in the middle of a store operation left and no later operation of the workflow will
    /// find: trash directories in <c>tmp/</c> (a process killed while deleting; opening the store sweeps them, but the
    /// last opening may have come first), stats messages' temp files in <c>stats/inbox/</c> (a worker killed while
    /// writing one; readers skip them), and unowned promise files with their directories in <c>files-flat/</c> (a commit
    /// killed between making its promise files and creating the jobs that consume them). Only meaningful once the
    /// workflow has succeeded and nothing writes to the store: the leader calls it with
    /// <see cref="RemoveUnrecordedJobDirectoriesAsync"/> (docs/decisions.md#at-least-once). Unowned files of other names
    /// (the root's result, files a host wrote without an owner) are never touched.
    /// </summary>
    /// <returns>How many entries were removed.</returns>
    internal async ValueTask<int> RemoveLeftoversOfFinishedWorkflowAsync(CancellationToken cancellationToken)
    {
        ThrowIfDestroyed();
        int removed = 0;

        string tmp = Contained(_layout.Directory(FileJobStoreLayout.TempDirectory));
        foreach (string trash in Directory.EnumerateDirectories(tmp, FileJobStoreTrash.TrashPrefix + "*"))
        {
            await IoAsync("sweep-trash", () => FileJobStoreTrash.DeleteTree(trash), cancellationToken).ConfigureAwait(false);
            removed++;
        }

        string inbox = Contained(_layout.Directory(Path.Join(FileJobStoreLayout.StatsDirectory, FileJobStoreLayout.InboxDirectory)));
        int temps = 0;
        foreach (string temp in Directory.EnumerateFiles(inbox, "*" + DurableFile.TempSuffix))
        {
            await IoAsync("delete-message-temp", () => File.Delete(temp), cancellationToken).ConfigureAwait(false);
            temps++;
        }

        if (temps > 0)
        {
            await IoAsync("fsync-directory", () => DurableFile.FsyncDirectory(inbox), cancellationToken).ConfigureAwait(false);
        }

        // Promise files (format 2: files-flat/file-<hex>-promise) and temp files of writers that died: the workflow is
        // finished, so no writer is live.
        string flat = Contained(_layout.Directory(FileJobStoreLayout.FlatFilesDirectory));
        int flatRemoved = 0;
        foreach (string file in Directory.EnumerateFiles(flat, FileJobStoreLayout.FilePrefix + "*"))
        {
            string name = Path.GetFileName(file);
            if (IsPromiseFile(name) || name.EndsWith(DurableFile.TempSuffix, StringComparison.Ordinal))
            {
                await IoAsync("delete-promise", () => File.Delete(file), cancellationToken).ConfigureAwait(false);
                flatRemoved++;
            }
        }

        if (flatRemoved > 0)
        {
            await IoAsync("fsync-directory", () => DurableFile.FsyncDirectory(flat), cancellationToken).ConfigureAwait(false);
        }

        return removed + temps + flatRemoved;
    }

    /// <summary>
    /// Whether an unowned file's directory holds nothing but a promise file, or its temp file, or nothing at all (a
    /// commit killed between making the directory and writing the file).
    /// </summary>
    // file-<32 hex>-promise: the shape NewFileName gives a file written with the promise base name.
    private static bool IsPromiseFile(string name) =>
        name.Length == FileJobStoreLayout.FilePrefix.Length + 33 + RuntimeFileNames.Promise.Length
        && name.EndsWith("-" + RuntimeFileNames.Promise, StringComparison.Ordinal);
}
