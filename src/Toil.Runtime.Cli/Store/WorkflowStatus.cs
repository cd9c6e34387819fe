using System.Text;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Cli.Store;

/// <summary>
/// What <c>toil status</c> reports about a store (Toil's <c>toil status</c>): its jobs by state, each job that failed for
/// good with the tail of its stored log, whether a leader holds the store, and how the last run ended.
/// </summary>
internal sealed class WorkflowStatus
{
    /// <summary>The store's canonical locator.</summary>
    public required string Locator { get; init; }

    /// <summary>The workflow's ID (from the stored configuration).</summary>
    public required string WorkflowId { get; init; }

    /// <summary>The root job's ID, or <see langword="null"/> when the workflow has not been started in the store.</summary>
    public string? RootJobId { get; init; }

    /// <summary>Whether the root job is still in the store (it is removed when the whole workflow has run).</summary>
    public bool RootJobExists { get; init; }

    /// <summary>Whether a leader holds the store's leader lock now.</summary>
    public bool LeaderAlive { get; init; }

    /// <summary>What the live leader wrote into the lock (<c>pid@host</c>).</summary>
    public string? LeaderHolder { get; init; }

    /// <summary><c>succeeded</c> or <c>failed</c> from the marker the last leader left, or <see langword="null"/> for none.</summary>
    public string? LastRun { get; init; }

    /// <summary>Jobs with work to do and tries left: ready, issued or running.</summary>
    public int ToRun { get; init; }

    /// <summary>Of <see cref="ToRun"/>, jobs that already had a failed attempt and wait for their next try.</summary>
    public int Retrying { get; init; }

    /// <summary>Jobs whose body has run and that wait for their successors.</summary>
    public int WaitingOnSuccessors { get; init; }

    /// <summary>Jobs that are done but not yet removed by a leader.</summary>
    public int Finished { get; init; }

    /// <summary>Jobs that host services.</summary>
    public int WithServices { get; init; }

    /// <summary>The jobs that failed for good (no tries left).</summary>
    public IReadOnlyList<FailedJobStatus> Failed { get; init; } = [];

    /// <summary>How many jobs are in the store.</summary>
    public int Total => ToRun + WaitingOnSuccessors + Finished + Failed.Count;

    /// <summary>Reads the status of an open store.</summary>
    /// <param name="store">The store.</param>
    /// <param name="path">Its directory (for the leader probe).</param>
    /// <param name="logLines">How many of the last lines of each failed job's log to keep.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public static async Task<WorkflowStatus> ReadAsync(FileJobStore store, string path, int logLines, CancellationToken cancellationToken)
    {
        var (alive, holder) = StoreAccess.ProbeLeader(path);
        string? root = await store.GetRootJobIdAsync(cancellationToken).ConfigureAwait(false);
        string? lastRun = await store.SharedFileExistsAsync("failed.log", cancellationToken).ConfigureAwait(false) ? "failed"
            : await store.SharedFileExistsAsync("succeeded.log", cancellationToken).ConfigureAwait(false) ? "succeeded"
            : null;
        int toRun = 0, retrying = 0, waiting = 0, finished = 0, services = 0;
        var failed = new List<FailedJobStatus>();
        await foreach (var job in store.ListJobsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (job.ServiceTree.Count > 0)
            {
                services++;
            }

            if (job.RemainingTryCount == 0)
            {
                failed.Add(new FailedJobStatus
                {
                    JobStoreId = job.JobStoreId,
                    JobName = job.JobName,
                    DisplayName = job.DisplayName,
                    Reason = job.HasBody ? "its tries are used up" : "it or a successor failed and it has no tries left",
                    LogTail = await ReadLogTailAsync(store, job, logLines, cancellationToken).ConfigureAwait(false),
                });
            }
            else if (job.HasBody)
            {
                toRun++;
                if (job.RemainingTryCountOverride is not null)
                {
                    retrying++;
                }
            }
            else if (job.AllSuccessors().Any() || job.ServiceTree.Count > 0)
            {
                waiting++;
            }
            else
            {
                finished++;
            }
        }

        failed.Sort((a, b) => string.CompareOrdinal(a.JobStoreId, b.JobStoreId));
        return new WorkflowStatus
        {
            Locator = store.Locator,
            WorkflowId = store.Config.WorkflowId,
            RootJobId = root,
            RootJobExists = root is not null && await store.JobExistsAsync(root, cancellationToken).ConfigureAwait(false),
            LeaderAlive = alive,
            LeaderHolder = holder,
            LastRun = lastRun,
            ToRun = toRun,
            Retrying = retrying,
            WaitingOnSuccessors = waiting,
            Finished = finished,
            WithServices = services,
            Failed = failed,
        };
    }

    private static async Task<IReadOnlyList<string>> ReadLogTailAsync(FileJobStore store, JobDescription job, int lines, CancellationToken cancellationToken)
    {
        if (job.LogJobStoreFileId is not { } logId || lines <= 0)
        {
            return [];
        }

        string text;
        try
        {
            text = Encoding.UTF8.GetString(await store.ReadAllBytesAsync(logId, cancellationToken).ConfigureAwait(false));
        }
        catch (NoSuchFileException)
        {
            return [];
        }

        var all = text.TrimEnd('\n').Split('\n');
        return all.Length <= lines ? all : all[^lines..];
    }
}
