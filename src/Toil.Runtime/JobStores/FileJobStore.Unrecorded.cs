namespace Toil.Runtime.JobStores;

public sealed partial class FileJobStore
{
    /// <summary>
    /// The IDs whose job directory exists without a record: reserved by <see cref="AssignJobIdAsync"/> for a job whose
    /// <see cref="CreateJobsAsync"/> never ran or never finished (a leader or worker killed in between, a full disk).
    /// <see cref="ListJobsAsync"/> cannot return them; <see cref="DeleteJobsAsync"/> removes them. Only meaningful when
    /// nothing is creating jobs (the leader calls it once a workflow has finished, docs/reliability.md).
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
}
