using Toil.Runtime.IO;

namespace Toil.Runtime.JobStores;

public sealed partial class FileJobStore
{
    /// <summary>
    /// The IDs whose job directory exists without a record: reserved by <see cref="AssignJobIdAsync"/> for a job whose
    /// <see cref="CreateJobsAsync"/> never ran or never finished (a leader or worker killed in between, a full disk).
    /// <see cref="ListJobsAsync"/> cannot return them and <see cref="DeleteJobsAsync"/> leaves them (to a creation in
    /// flight); <see cref="RemoveUnrecordedJobDirectoriesAsync"/> removes them. Only meaningful when nothing is creating
    /// jobs (the leader calls it once a workflow has finished, docs/reliability.md).
    /// </summary>
    internal List<string> ListUnrecordedJobIds()
    {
        ThrowIfDestroyed();
        // A job's files directory can outlive its job directory (a leader killed after writing the root's body file).
        SortedSet<string> ids = new(StringComparer.Ordinal);
        foreach (string tree in new[] { JobsDirectory, FileJobStoreLayout.JobFilesDirectory })
        {
            ids.UnionWith(JobIdsUnder(tree).Where(id => IsJobId(id) && !File.Exists(JobFile(id))));
        }

        return [.. ids];
    }

    /// <summary>
    /// Removes the directories of <see cref="ListUnrecordedJobIds"/> (under each job's lock, checking again that no record
    /// appeared), moved to trash durably like <see cref="DeleteJobsAsync"/>. Call it only when nothing creates jobs.
    /// </summary>
    /// <returns>How many were removed.</returns>
    internal async ValueTask<int> RemoveUnrecordedJobDirectoriesAsync(CancellationToken cancellationToken)
    {
        int removed = 0;
        List<string> trash = [];
        try
        {
            foreach (string id in ListUnrecordedJobIds())
            {
                bool any = false;

                // The job's directory holds its cleanup files too (format 2): they go with it, in one rename.
                if (Directory.Exists(JobDirectory(id)))
                {
                    using (await _locks.LockJobAsync(id, cancellationToken).ConfigureAwait(false))
                    {
                        if (!File.Exists(JobFile(id)))
                        {
                            trash.Add(await MoveToTrashAsync(JobDirectory(id), cancellationToken).ConfigureAwait(false));
                            await IoAsync("fsync-directory", () => DurableFile.FsyncDirectory(Path.GetDirectoryName(JobDirectory(id))!), cancellationToken).ConfigureAwait(false);
                            any = true;
                        }
                    }
                }

                // Files kept without cleanup outlive their job (docs/job-store-format.md, "Deletion"): only an empty
                // job-files/<id>/ goes.
                string files = _layout.JobFilesOf(id);
                if (!File.Exists(JobFile(id)) && Directory.Exists(files) && !Directory.EnumerateFileSystemEntries(Contained(files)).Any())
                {
                    FileJobStoreTrash.TryDeleteEmptyDirectory(files);
                    any |= !Directory.Exists(files);
                }

                removed += any ? 1 : 0;
            }
        }
        finally
        {
            trash.ForEach(FileJobStoreTrash.TryDeleteJobTrash);
        }

        return removed;
    }
}
