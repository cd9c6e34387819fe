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
        List<string> ids = [];
        string jobs = Path.Join(_root, JobsDirectory);
        if (!Directory.Exists(jobs))
        {
            return ids;
        }

        foreach (string kind in Directory.EnumerateDirectories(jobs, "kind-*"))
        {
            foreach (string instance in Directory.EnumerateDirectories(kind, "instance-*"))
            {
                string id = $"{Path.GetFileName(kind)}/{Path.GetFileName(instance)}";
                if (IsJobId(id) && !File.Exists(JobFile(id)))
                {
                    ids.Add(id);
                }
            }
        }

        return ids;
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
                using (await LockJobAsync(id, cancellationToken).ConfigureAwait(false))
                {
                    if (File.Exists(JobFile(id)) || !Directory.Exists(JobDirectory(id)))
                    {
                        continue;
                    }

                    trash.Add(await MoveToTrashAsync(Contained(JobDirectory(id)), cancellationToken).ConfigureAwait(false));
                }

                await IoAsync("fsync-directory", () => DurableFile.FsyncDirectory(Path.GetDirectoryName(JobDirectory(id))!), cancellationToken).ConfigureAwait(false);
                removed++;
            }
        }
        finally
        {
            trash.ForEach(TryDeleteTree);
        }

        return removed;
    }
}
