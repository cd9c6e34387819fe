using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace EmbeddedWorker;

/// <summary>
/// The smallest scheduling loop that can drive <see cref="IWorkerRunner"/> over a job graph in a job store: one job at a
/// time, in-process. It follows Toil's leader rules where they matter to the outcome — a job's successors run phase by
/// phase once its body is done; a successor is finished when the worker deleted it; a failed attempt charges a try and
/// is re-run while tries are left; a job whose tries are used up fails its predecessors, except a checkpoint with tries
/// left, which is re-run and so restarts its subtree — and leaves out what a real leader adds (parallel slots,
/// services, workflow restarts) and waits out a retry's back-off instead of running other jobs meanwhile.
/// </summary>
/// <param name="store">The job store holding the graph.</param>
/// <param name="runner">The worker.</param>
/// <param name="output">Where progress lines go.</param>
public sealed class MiniScheduler(IJobStore store, IWorkerRunner runner, TextWriter output)
{
    private readonly Queue<string> _ready = new();
    private readonly Dictionary<string, List<string>> _predecessors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _predecessorsSeen = new(StringComparer.Ordinal);
    private readonly HashSet<string> _hasFailedSuccessors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _notBefore = new(StringComparer.Ordinal);

    /// <summary>What happened, in order.</summary>
    public SchedulerReport Report { get; } = new();

    /// <summary>Runs the workflow rooted at <paramref name="rootJobId"/> until nothing is left to run.</summary>
    /// <param name="rootJobId">The root job.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns><see langword="true"/> when no job failed for good.</returns>
    public async Task<bool> RunAsync(string rootJobId, CancellationToken cancellationToken = default)
    {
        _ready.Enqueue(rootJobId);
        while (_ready.TryDequeue(out string? id))
        {
            if (_notBefore.Remove(id, out var notBefore) && notBefore > DateTimeOffset.UtcNow)
            {
                // The retry back-off; a real leader runs other jobs meanwhile.
                await Task.Delay(notBefore - DateTimeOffset.UtcNow, cancellationToken);
            }

            var result = await runner.RunAsync(new WorkerRequest(store, id), cancellationToken);
            Record(result);
            if (!await store.JobExistsAsync(id, cancellationToken))
            {
                // The worker finished the whole subtree and deleted it.
                await FinishedAsync(id, failed: false, cancellationToken);
                continue;
            }

            var job = await store.LoadJobAsync(id, cancellationToken);
            if (result.Failed)
            {
                await FailedAttemptAsync(job, result, cancellationToken);
            }
            else
            {
                await AdvanceAsync(job, cancellationToken);
            }
        }

        return Report.FailedJobs.Count == 0;
    }

    private void Record(WorkerResult result)
    {
        for (int i = 0; i < result.JobsRun.Count; i++)
        {
            var names = result.JobsRun[i];
            Report.Ran.Add(names.JobName);
            if (i > 0)
            {
                Report.Chained.Add($"{result.JobsRun[i - 1].JobName} -> {names.JobName}");
            }

            string how = i == 0 ? "ran    " : "chained";
            output.WriteLine($"  {how} {names.JobName,-12} {(i == 0 ? result.JobStoreId : "(in the same worker, under " + result.JobStoreId + ")")}");
        }

        if (result.JobsRunCount > result.JobsRun.Count)
        {
            // WorkerResult lists only the first WorkerOptions.MaxJobsRunListed jobs of a long chain.
            output.WriteLine($"  chained {result.JobsRunCount - result.JobsRun.Count} more jobs (not listed)");
        }

        if (result.JobsRunCount == 0)
        {
            output.WriteLine($"  worker on {result.JobStoreId}: no body to run, tidied its successors");
        }
    }

    private async Task FailedAttemptAsync(JobDescription job, WorkerResult result, CancellationToken cancellationToken)
    {
        output.WriteLine($"  failed  {job.JobName,-12} exit {result.ExitCode}: {result.Error?.Message ?? "see its log"}" +
                         (job.LogJobStoreFileId is null ? string.Empty : $" (log kept as {job.LogJobStoreFileId})"));

        // The leader's only write of a job apart from deletes: charge the try (Toil's setupJobAfterFailure).
        job.SetupJobAfterFailure();
        await store.UpdateJobAsync(job, cancellationToken);
        if (job.RemainingTryCount > 0)
        {
            Report.Retried.Add(job.JobName);
            output.WriteLine($"  retry   {job.JobName,-12} ({job.RemainingTryCount} tr{(job.RemainingTryCount == 1 ? "y" : "ies")} left, after {job.RetryBackoff.TotalSeconds:0.##} s)");
            _notBefore[job.JobStoreId] = DateTimeOffset.UtcNow + job.RetryBackoff;
            _ready.Enqueue(job.JobStoreId);
            return;
        }

        await TotallyFailedAsync(job, cancellationToken);
    }

    private async Task TotallyFailedAsync(JobDescription job, CancellationToken cancellationToken)
    {
        output.WriteLine($"  gave up {job.JobName,-12} (no tries left)");
        Report.FailedJobs.Add(job.JobName);
        await FinishedAsync(job.JobStoreId, failed: true, cancellationToken);
    }

    /// <summary>The job's current work is done: run its next phase of successors, or remove it when none is left.</summary>
    private async Task AdvanceAsync(JobDescription job, CancellationToken cancellationToken)
    {
        // A successor that is gone has finished (the leader keeps this filter in memory only).
        var gone = new HashSet<string>(StringComparer.Ordinal);
        foreach (string successor in job.AllSuccessors())
        {
            if (!await store.JobExistsAsync(successor, cancellationToken))
            {
                gone.Add(successor);
            }
        }

        job.FilterSuccessors(s => !gone.Contains(s));
        if (job.HasBody)
        {
            _ready.Enqueue(job.JobStoreId);
            return;
        }

        var next = job.NextSuccessors();
        if (next is null)
        {
            await store.DeleteJobAsync(job.JobStoreId, cancellationToken);
            await FinishedAsync(job.JobStoreId, failed: false, cancellationToken);
            return;
        }

        _pending[job.JobStoreId] = next.Count;
        foreach (string successor in next)
        {
            if (!_predecessors.TryGetValue(successor, out var list))
            {
                _predecessors[successor] = list = [];
            }

            list.Add(job.JobStoreId);
            var successorJob = await store.LoadJobAsync(successor, cancellationToken);
            int seen = _predecessorsSeen[successor] = _predecessorsSeen.GetValueOrDefault(successor) + 1;
            if (seen >= Math.Max(1, successorJob.PredecessorNumber))
            {
                _ready.Enqueue(successor);
            }
        }
    }

    /// <summary>A job is finished (removed, or failed for good): tell its predecessors.</summary>
    private async Task FinishedAsync(string jobId, bool failed, CancellationToken cancellationToken)
    {
        if (!_predecessors.Remove(jobId, out var predecessors))
        {
            return;
        }

        _predecessorsSeen.Remove(jobId);
        foreach (string predecessor in predecessors)
        {
            if (failed)
            {
                _hasFailedSuccessors.Add(predecessor);
            }

            if (--_pending[predecessor] > 0)
            {
                continue;
            }

            _pending.Remove(predecessor);
            var job = await store.LoadJobAsync(predecessor, cancellationToken);
            if (!_hasFailedSuccessors.Remove(predecessor))
            {
                await AdvanceAsync(job, cancellationToken);
            }
            else if (job is CheckpointJobDescription { Checkpoint: not null } && job.RemainingTryCount > 1)
            {
                // The worker charges the checkpoint a try, deletes its subtree and runs its body again (Toil 4.5).
                Report.CheckpointRestarts.Add(job.JobName);
                output.WriteLine($"  restart {job.JobName,-12} (checkpoint: its subtree failed, re-running it)");
                _ready.Enqueue(predecessor);
            }
            else
            {
                await TotallyFailedAsync(job, cancellationToken);
            }
        }
    }
}
