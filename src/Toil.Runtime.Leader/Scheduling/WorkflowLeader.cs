using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Leader.BatchSystems;
using Toil.Runtime.Leader.Progress;
using Toil.Runtime.Leader.Workflows;
using Toil.Runtime.Logging;
using Toil.Runtime.Stats;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Leader.Scheduling;

/// <summary>
/// One leader run over a job store (Toil's <c>Leader</c> and <c>ToilState</c>): builds its state from the root, issues
/// every ready job to the batch system, processes each ended attempt against the stored record, advances phases,
/// retries with back-off, propagates total failure, and restarts failed checkpoints. Single-threaded: all state is
/// touched by the loop only; the batch system runs the attempts concurrently. See <c>docs/leader.md</c>.
/// </summary>
internal sealed class WorkflowLeader
{
    private readonly IJobStore _store;
    private readonly IBatchSystem _batch;
    private readonly LeaderOptions _options;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly IReadOnlyDictionary<string, string> _workerEnvironment;
    private readonly RunRecorder _recorder;
    private readonly Telemetry.LeaderTelemetry _telemetry = new();

    // Jobs the leader tracks and is not running: waiting on successors, ready, or backing off.
    private readonly Dictionary<string, JobDescription> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<long, IssuedAttempt> _issued = [];
    private readonly HashSet<string> _issuedIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _successorCounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _successorToPredecessors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _predecessorsFinished = new(StringComparer.Ordinal);
    private readonly HashSet<string> _hasFailedSuccessors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _failedSuccessors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FailedJob> _totalFailed = new(StringComparer.Ordinal);
    private readonly List<string> _failedOrder = [];
    private readonly Dictionary<string, (int ExitCode, BatchJobExitReason Reason, string? Log)> _lastFailure = new(StringComparer.Ordinal);
    private readonly Queue<(string Id, int Status)> _updates = new();
    private readonly PriorityQueue<string, long> _backoff = new();

    private string _rootId = string.Empty;
    private int _attempts;
    private int _completed;
    private int _failedAttempts;
    private int _conflicts;
    private int _checkpointRestarts;
    private long _bodiesRun;
    private double _workerCpuSeconds;
    private long _lastStatsRead;
    private bool _stop;

    public WorkflowLeader(IJobStore store, IBatchSystem batch, LeaderOptions options, ILogger log, TimeProvider time, IReadOnlyDictionary<string, string> workerEnvironment, ProgressPublisher? progress = null)
    {
        _store = store;
        _batch = batch;
        _options = options;
        _log = log;
        _time = time;
        _workerEnvironment = workerEnvironment;
        _recorder = new RunRecorder(progress ?? ProgressPublisher.None, time, () => _jobs.Count);
    }

    private sealed record IssuedAttempt(string JobId, bool HadBody, long Version);

    public async Task<WorkflowResult> RunAsync(CancellationToken cancellationToken)
    {
        long start = _time.GetTimestamp();
        var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        _rootId = await _store.GetRootJobIdAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The job store '{_store.Locator}' has no root job: create one with CreateRootJobAsync first.");
        LeaderLog.Starting(_log, _store.Locator, _rootId, _batch.Name);
        _telemetry.StartWorkflow(_store, _batch.Name);

        if (await _store.JobExistsAsync(_rootId, cancellationToken).ConfigureAwait(false))
        {
            var cleaned = await RestartCleaner.CleanAsync(_store, _rootId, cancellationToken).ConfigureAwait(false);

            // A checkpoint the clean-up restarted from its snapshot runs again in this run, as one the loop restarts does.
            _checkpointRestarts += cleaned.CheckpointsRestarted;
            if (cleaned != default)
            {
                LeaderLog.Cleaned(_log, cleaned.Unreachable, cleaned.CheckpointsRestarted, cleaned.Changed);
            }

            await BuildStateAsync(cancellationToken).ConfigureAwait(false);
        }

        _lastStatsRead = _time.GetTimestamp();
        try
        {
            await LoopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await KillIssuedAsync().ConfigureAwait(false);
            _telemetry.EndWorkflow(succeeded: false, failedJobs: 0, cancelled: true);
            throw;
        }

        await ReadStatsAsync(CancellationToken.None).ConfigureAwait(false);
        if (_stop)
        {
            await KillIssuedAsync().ConfigureAwait(false);
        }

        // Anything still waiting means the bookkeeping went wrong: report it instead of hanging.
        if (!_stop && (_successorCounts.Count > 0 || _issued.Count > 0))
        {
            LeaderLog.Inconsistent(_log, _successorCounts.Count);
            foreach (string id in _successorCounts.Keys.ToList())
            {
                if (_jobs.TryGetValue(id, out var job))
                {
                    RecordFailed(job, "the leader's bookkeeping left it waiting on successors");
                }
            }
        }

        // Keep only failed jobs still in the store (a checkpoint restart may have removed some).
        var failed = new List<FailedJob>();
        foreach (string id in _failedOrder)
        {
            if (await _store.JobExistsAsync(id, CancellationToken.None).ConfigureAwait(false))
            {
                failed.Add(_totalFailed[id]);
            }
        }

        if (failed.Count == 0 && !await _store.JobExistsAsync(_rootId, CancellationToken.None).ConfigureAwait(false)
            && await RestartCleaner.RemoveStrandedAsync(_store, CancellationToken.None).ConfigureAwait(false) is > 0 and int stranded)
        {
            LeaderLog.StrandedRemoved(_log, stranded);
        }

        await _store.WriteSharedFileAsync(failed.Count == 0 ? "succeeded.log" : "failed.log", ReadOnlyMemory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
        var elapsed = _time.GetElapsedTime(start);
        var cpuTime = Process.GetCurrentProcess().TotalProcessorTime - cpuStart;
        _telemetry.EndWorkflow(failed.Count == 0, failed.Count);
        if (failed.Count == 0)
        {
            LeaderLog.FinishedSuccessfully(_log, _completed, _attempts, elapsed);
        }
        else
        {
            LeaderLog.FinishedWithFailures(_log, failed.Count, TerminalText.EscapeLine(string.Join(", ", failed.Select(f => $"'{f.JobName}' {f.JobStoreId}"))));
        }

        return new WorkflowResult
        {
            FailedJobs = failed,
            JobStoreLocator = _store.Locator,
            AttemptsIssued = _attempts,
            JobsCompleted = _completed,
            FailedAttempts = _failedAttempts,
            ConcurrentModifications = _conflicts,
            CheckpointRestarts = _checkpointRestarts,
            JobBodiesRun = _bodiesRun,
            WallTime = elapsed,
            CpuTime = cpuTime,
            WorkerCpuTime = TimeSpan.FromSeconds(_workerCpuSeconds),
            Summary = _recorder.Summarize(failed, _bodiesRun, elapsed, cpuTime, TimeSpan.FromSeconds(_workerCpuSeconds)),
        };
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        while (!_stop)
        {
            while (_updates.TryDequeue(out var update) && !_stop)
            {
                await ProcessJobUpdatedAsync(update.Id, update.Status, cancellationToken).ConfigureAwait(false);
                await PropagateFailuresAsync(cancellationToken).ConfigureAwait(false);
            }

            if (_stop)
            {
                return;
            }

            long now = _time.GetTimestamp();
            bool released = false;
            while (_backoff.TryPeek(out string? due, out long at) && at <= now)
            {
                _backoff.Dequeue();
                if (_jobs.TryGetValue(due, out var job))
                {
                    await IssueAsync(job, cancellationToken).ConfigureAwait(false);
                    await PropagateFailuresAsync(cancellationToken).ConfigureAwait(false);
                    released = true;
                }
            }

            if (released || _updates.Count > 0)
            {
                continue;
            }

            if (_issued.Count == 0)
            {
                if (_backoff.Count == 0)
                {
                    return;
                }
            }

            // Wait for an attempt to end, the next back-off to expire, or the next stats read, whichever is first.
            TimeSpan wait = _options.StatsPollInterval - _time.GetElapsedTime(_lastStatsRead);
            if (_backoff.TryPeek(out _, out long nextDue))
            {
                var untilDue = _time.GetElapsedTime(now, nextDue);
                wait = untilDue < wait ? untilDue : wait;
            }

            if (wait < TimeSpan.Zero)
            {
                wait = TimeSpan.Zero;
            }

            BatchJobUpdate? ended = null;
            if (_issued.Count > 0)
            {
                using var timeout = new CancellationTokenSource(wait, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
                try
                {
                    ended = await _batch.WaitForUpdateAsync(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Timed out: a back-off is due or the stats inbox is to be read.
                }
            }
            else
            {
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }

            if (ended is not null)
            {
                await ProcessEndedAttemptAsync(ended, cancellationToken).ConfigureAwait(false);
            }

            _recorder.PollRunning(_batch);

            if (_time.GetElapsedTime(_lastStatsRead) >= _options.StatsPollInterval)
            {
                await ReadStatsAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // ---- State at start (docs/leader.md, "How it schedules") ----

    private async Task BuildStateAsync(CancellationToken cancellationToken)
    {
        var pending = new Stack<string>();
        pending.Push(_rootId);
        while (pending.TryPop(out string? id))
        {
            var job = await TryLoadAsync(id, cancellationToken).ConfigureAwait(false);
            if (job is null)
            {
                continue;
            }

            _jobs[id] = job;
            var next = job.NextSuccessors();
            if (job.HasBody || job.ServiceTree.Count > 0 || next is null)
            {
                _updates.Enqueue((id, 0));
                continue;
            }

            _successorCounts[id] = next.Count;
            foreach (string successor in next)
            {
                var successorJob = await TryLoadAsync(successor, cancellationToken).ConfigureAwait(false);
                if (successorJob is null)
                {
                    SuccessorVanished(job, successor);
                    continue;
                }

                AddPredecessor(successor, id);
                if (successorJob.PredecessorNumber > 1)
                {
                    var finished = PredecessorsFinished(successor);
                    finished.Add(id);
                    if (finished.Count == successorJob.PredecessorNumber)
                    {
                        pending.Push(successor);
                    }
                }
                else
                {
                    pending.Push(successor);
                }
            }
        }
    }

    // ---- Issuing (§5.2) ----

    private async Task IssueAsync(JobDescription job, CancellationToken cancellationToken)
    {
        if (_issuedIds.Contains(job.JobStoreId))
        {
            return;
        }

        var resources = JobResources.From(job);
        try
        {
            _batch.CheckResourceRequest(resources);
        }
        catch (InsufficientResourcesException e)
        {
            _lastFailure[job.JobStoreId] = (1, BatchJobExitReason.Error, null);
            TotallyFailed(job, e.Message);
            return;
        }

        var environment = new Dictionary<string, string>(_workerEnvironment, StringComparer.Ordinal);
        if (!environment.ContainsKey("OMP_NUM_THREADS"))
        {
            environment["OMP_NUM_THREADS"] = Environment.GetEnvironmentVariable("OMP_NUM_THREADS")
                ?? Math.Max(1, (int)resources.Cores).ToString(CultureInfo.InvariantCulture);
        }

        var span = _telemetry.StartAttempt(job, environment);
        var request = new BatchJobRequest
        {
            JobStoreId = job.JobStoreId,
            JobName = job.JobName,
            DisplayName = job.DisplayName,
            Resources = resources,
            JobStore = _store,
            Environment = environment,
            Local = job.Local,
        };
        long batchId = await _batch.IssueJobAsync(request, cancellationToken).ConfigureAwait(false);
        _telemetry.Issued(span, job, batchId);
        _issued[batchId] = new IssuedAttempt(job.JobStoreId, job.HasBody, job.Version);
        _issuedIds.Add(job.JobStoreId);
        _jobs.Remove(job.JobStoreId);
        _attempts++;
        _recorder.Issued(job, batchId, retry: _lastFailure.ContainsKey(job.JobStoreId));
        LeaderLog.Issued(_log, job.JobName, job.JobStoreId, batchId);
    }

    // ---- An attempt ended (§5.3) ----

    private async Task ProcessEndedAttemptAsync(BatchJobUpdate update, CancellationToken cancellationToken)
    {
        if (!_issued.Remove(update.BatchJobId, out var issued))
        {
            LeaderLog.UnknownBatchJob(_log, update.BatchJobId);
            return;
        }

        _issuedIds.Remove(issued.JobId);
        int status = update.ExitCode;
        var reason = update.ExitReason;
        LeaderLog.Ended(_log, update.BatchJobId, issued.JobId, status, reason);
        _recorder.Ended(update);
        var job = await TryLoadIfExistsAsync(issued.JobId, cancellationToken).ConfigureAwait(false);
        if (issued.HadBody && status == 0 && job is not null && job.Version <= issued.Version)
        {
            // Success is what the store says: wait (bounded) for the attempt's commit to become visible.
            TimeSpan delay = TimeSpan.FromMilliseconds(100);
            long waitStart = _time.GetTimestamp();
            while (job is not null && job.Version <= issued.Version && _time.GetElapsedTime(waitStart) < _options.JobStoreTimeout)
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay *= 2;
                job = await TryLoadIfExistsAsync(issued.JobId, cancellationToken).ConfigureAwait(false);
            }

            if (job is not null && job.Version <= issued.Version)
            {
                LeaderLog.NoNewVersion(_log, issued.JobId, _options.JobStoreTimeout);
                status = 255;
                reason = BatchJobExitReason.Partition;
            }
        }

        if (status == WorkerExitCodes.ConcurrentModification)
        {
            // The attempt lost an optimistic-concurrency race: another attempt of the job (an orphan of an earlier
            // leader) updated the record first. If the record moved on, that commit is what the store holds: follow it
            // without charging a try (docs/decisions.md#exit-codes).
            _conflicts++;
            bool movedOn = job is null || job.Version > issued.Version;
            LeaderLog.ConcurrentModification(_log, issued.JobId, movedOn);
            if (movedOn)
            {
                status = 0;
            }
        }

        _telemetry.Ended(update.BatchJobId, status, reason);
        if (job is null)
        {
            // The worker finished the subtree and deleted the job.
            _completed++;
            _recorder.Finished(issued.JobId, null);
            UpdatePredecessorStatus(issued.JobId);
            return;
        }

        string? log = null;
        if (job.LogJobStoreFileId is { } logId)
        {
            log = await ShowFailedLogAsync(job, logId, cancellationToken).ConfigureAwait(false);
        }

        if (status != 0)
        {
            if (log is null)
            {
                LeaderLog.NoLogFile(_log, TerminalText.EscapeLine(job.ToString()));
            }

            if (!string.IsNullOrEmpty(update.Detail))
            {
                LeaderLog.BatchDetail(_log, job.JobStoreId, TerminalText.Escape(update.Detail), update.Detail);
                log ??= update.Detail;
            }

            _lastFailure[job.JobStoreId] = (status, reason, log);
            job.SetupJobAfterFailure(reason);
            await _store.UpdateJobAsync(job, cancellationToken).ConfigureAwait(false);
            _failedAttempts++;
            _recorder.AttemptFailed(job, status, reason);
        }
        else
        {
            _hasFailedSuccessors.Remove(job.JobStoreId);
        }

        _jobs[job.JobStoreId] = job;
        _updates.Enqueue((job.JobStoreId, status));
    }

    private async Task<string?> ShowFailedLogAsync(JobDescription job, string logId, CancellationToken cancellationToken)
    {
        string log;
        try
        {
            log = Encoding.UTF8.GetString(await _store.ReadAllBytesAsync(logId, cancellationToken).ConfigureAwait(false));
        }
        catch (NoSuchFileException)
        {
            return null;
        }

        LeaderLog.LeftLogFile(_log, TerminalText.EscapeLine(job.ToString()));
        LeaderLog.FailedJobLog(_log, FailedJobLogs.Frame(job.JobStoreId, log), job.JobStoreId, log);
        if (_options.WriteLogsDirectory is { } directory)
        {
            try
            {
                FailedJobLogs.Write(directory, job.GetChain(), log);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LeaderLog.WriteLogFailed(_log, e, job.JobStoreId, directory);
            }
        }

        return log;
    }

    // ---- A job's state changed (§5.4) ----

    private async Task ProcessJobUpdatedAsync(string id, int status, CancellationToken cancellationToken)
    {
        if (!_jobs.TryGetValue(id, out var job) || _issuedIds.Contains(id) || _totalFailed.ContainsKey(id))
        {
            return;
        }

        if (_hasFailedSuccessors.Contains(id))
        {
            if (_successorCounts.ContainsKey(id))
            {
                return;
            }

            if (job is CheckpointJobDescription { Checkpoint: not null } && job.RemainingTryCount > 1)
            {
                _hasFailedSuccessors.Remove(id);
                _checkpointRestarts++;
                LeaderLog.CheckpointRestart(_log, TerminalText.EscapeLine(job.ToString()), job.RemainingTryCount);
                await IssueAsync(job, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                TotallyFailed(job, "a successor failed for good");
            }

            return;
        }

        if (job.HasBody || status != 0)
        {
            if (job.RemainingTryCount == 0)
            {
                TotallyFailed(job, "its tries are used up");
            }
            else if (status != 0 && job.RetryBackoff > TimeSpan.Zero)
            {
                LeaderLog.AttemptFailed(_log, TerminalText.EscapeLine(job.ToString()), status, _lastFailure.GetValueOrDefault(id).Reason, job.RemainingTryCount, job.RetryBackoff);
                _backoff.Enqueue(id, _time.GetTimestamp() + (long)(job.RetryBackoff.TotalSeconds * _time.TimestampFrequency));
            }
            else
            {
                if (status != 0)
                {
                    LeaderLog.AttemptFailed(_log, TerminalText.EscapeLine(job.ToString()), status, _lastFailure.GetValueOrDefault(id).Reason, job.RemainingTryCount, TimeSpan.Zero);
                }

                await IssueAsync(job, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (job.ServiceTree.Count > 0)
        {
            TotallyFailed(job, "services are not supported by this leader");
            return;
        }

        var next = job.NextSuccessors();
        if (next is not null)
        {
            await RunJobSuccessorsAsync(job, next, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (job.RemainingTryCount > 0)
        {
            await _store.DeleteJobAsync(id, cancellationToken).ConfigureAwait(false);
            _jobs.Remove(id);
            _completed++;
            _recorder.Finished(id, job);
            UpdatePredecessorStatus(id);
        }
        else
        {
            TotallyFailed(job, "it is empty but completely failed");
        }
    }

    // ---- Successors becoming ready (§5.5) ----

    private async Task RunJobSuccessorsAsync(JobDescription job, IReadOnlySet<string> next, CancellationToken cancellationToken)
    {
        string id = job.JobStoreId;
        _successorCounts[id] = next.Count;
        var ready = new List<JobDescription>();
        foreach (string successor in next)
        {
            var successorJob = await TryLoadAsync(successor, cancellationToken).ConfigureAwait(false);
            if (successorJob is null)
            {
                // Toil leaves such a successor counted as pending, which hangs the run; it is done, so it is filtered out.
                SuccessorVanished(job, successor);
                continue;
            }

            AddPredecessor(successor, id);
            if (successorJob.PredecessorNumber <= 1)
            {
                ready.Add(successorJob);
                continue;
            }

            var finished = PredecessorsFinished(successor);
            finished.Add(id);
            if (_failedSuccessors.Contains(successor))
            {
                _successorToPredecessors[successor].Remove(id);
                HandledFailedSuccessor(id);
            }
            else if (finished.Count == successorJob.PredecessorNumber)
            {
                ready.Add(successorJob);
            }
        }

        foreach (var successorJob in ready)
        {
            _jobs[successorJob.JobStoreId] = successorJob;
            _updates.Enqueue((successorJob.JobStoreId, 0));
        }

        if (_successorCounts.TryGetValue(id, out int left) && left == 0)
        {
            _successorCounts.Remove(id);
            _updates.Enqueue((id, 0));
        }
    }

    private void SuccessorVanished(JobDescription predecessor, string successor)
    {
        LeaderLog.SuccessorGone(_log, successor);
        predecessor.RemoveSuccessor(successor);
        _successorCounts[predecessor.JobStoreId]--;
        if (_successorCounts[predecessor.JobStoreId] == 0)
        {
            _successorCounts.Remove(predecessor.JobStoreId);
            _updates.Enqueue((predecessor.JobStoreId, 0));
        }
    }

    private void AddPredecessor(string successor, string predecessor)
    {
        if (!_successorToPredecessors.TryGetValue(successor, out var list))
        {
            _successorToPredecessors[successor] = list = [];
        }

        list.Add(predecessor);
    }

    private HashSet<string> PredecessorsFinished(string successor)
    {
        if (!_predecessorsFinished.TryGetValue(successor, out var set))
        {
            _predecessorsFinished[successor] = set = new HashSet<string>(StringComparer.Ordinal);
        }

        return set;
    }

    /// <summary>A job finished or failed for good: each predecessor drops it from its phase and may move on.</summary>
    private void UpdatePredecessorStatus(string id)
    {
        _predecessorsFinished.Remove(id);
        if (!_successorToPredecessors.Remove(id, out var predecessors))
        {
            return;
        }

        foreach (string predecessor in predecessors)
        {
            if (_jobs.TryGetValue(predecessor, out var predecessorJob))
            {
                predecessorJob.RemoveSuccessor(id);
            }

            if (_successorCounts.TryGetValue(predecessor, out int count))
            {
                if (count <= 1)
                {
                    _successorCounts.Remove(predecessor);
                    _updates.Enqueue((predecessor, 0));
                }
                else
                {
                    _successorCounts[predecessor] = count - 1;
                }
            }
        }
    }

    private void HandledFailedSuccessor(string predecessor)
    {
        _hasFailedSuccessors.Add(predecessor);
        if (_successorCounts.TryGetValue(predecessor, out int count))
        {
            if (count <= 1)
            {
                _successorCounts.Remove(predecessor);
                _updates.Enqueue((predecessor, 0));
            }
            else
            {
                _successorCounts[predecessor] = count - 1;
            }
        }
    }

    // ---- Total failure (§5.6) ----

    private void TotallyFailed(JobDescription job, string reason)
    {
        string id = job.JobStoreId;
        RecordFailed(job, reason);
        _failedDescendantsPending.Push(id);
        if (_successorToPredecessors.TryGetValue(id, out var predecessors))
        {
            foreach (string predecessor in predecessors)
            {
                _hasFailedSuccessors.Add(predecessor);
            }
        }

        UpdatePredecessorStatus(id);
        if (_options.StopOnFirstFailure)
        {
            _stop = true;
        }
    }

    private readonly Stack<string> _failedDescendantsPending = new();

    private void RecordFailed(JobDescription job, string reason)
    {
        string id = job.JobStoreId;
        if (_totalFailed.ContainsKey(id))
        {
            return;
        }

        var last = _lastFailure.GetValueOrDefault(id);
        _totalFailed[id] = new FailedJob(id, job.JobName, job.DisplayName)
        {
            ExitCode = last.ExitCode,
            ExitReason = last.Reason,
            Reason = reason,
            Log = last.Log,
        };
        _failedOrder.Add(id);
        _recorder.FailedForGood(job);
        _jobs.Remove(id);
        LeaderLog.TotallyFailed(_log, TerminalText.EscapeLine(job.ToString()), reason);
    }

    /// <summary>
    /// Marks every descendant of the jobs that failed for good (through jobs still in the store) as a failed successor;
    /// a predecessor waiting on one stops waiting and is marked as having failed successors.
    /// </summary>
    private async Task PropagateFailuresAsync(CancellationToken cancellationToken)
    {
        while (_failedDescendantsPending.TryPop(out string? failedId))
        {
            var seen = new HashSet<string>(StringComparer.Ordinal) { failedId };
            var walk = new Stack<string>();
            var failedJob = await TryLoadIfExistsAsync(failedId, cancellationToken).ConfigureAwait(false);
            foreach (string s in failedJob?.SuccessorsAndServiceHosts() ?? [])
            {
                walk.Push(s);
            }

            while (walk.TryPop(out string? descendant))
            {
                if (!seen.Add(descendant))
                {
                    continue;
                }

                var descendantJob = await TryLoadIfExistsAsync(descendant, cancellationToken).ConfigureAwait(false);
                if (descendantJob is null)
                {
                    continue;
                }

                _failedSuccessors.Add(descendant);
                if (_successorToPredecessors.Remove(descendant, out var waiting))
                {
                    foreach (string predecessor in waiting)
                    {
                        HandledFailedSuccessor(predecessor);
                    }
                }

                foreach (string s in descendantJob.SuccessorsAndServiceHosts())
                {
                    walk.Push(s);
                }
            }
        }
    }

    private async Task KillIssuedAsync()
    {
        if (_issued.Count > 0)
        {
            await _batch.KillJobsAsync(_issued.Keys.ToList(), CancellationToken.None).ConfigureAwait(false);
            _telemetry.Killed(_issued.Keys);
            _issued.Clear();
            _issuedIds.Clear();
        }
    }

    // ---- Stats and log inbox (§5.8) ----

    private async Task ReadStatsAsync(CancellationToken cancellationToken)
    {
        _lastStatsRead = _time.GetTimestamp();
        await _store.ReadLogsAsync(async (stream, ct) =>
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, ct).ConfigureAwait(false);
            StatsDocument document;
            try
            {
                document = StatsDocument.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            }
            catch (System.Text.Json.JsonException e)
            {
                LeaderLog.BadStatsMessage(_log, e);
                return;
            }

            _recorder.Stats(document);

            string time = _time.GetLocalNow().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            foreach (var message in document.Workers.LogsToLeader)
            {
                LeaderLog.JobMessage(_log, ToilLogLevel.ToLogLevel(message.Level), time, TerminalText.Escape(message.Text), message.Text);
            }

            foreach (var userStream in document.Workers.LoggingUserStreams)
            {
                LeaderLog.UserStream(_log, TerminalText.EscapeLine(userStream.Name), TerminalText.Escape(userStream.Text), userStream.Name, userStream.Text);
            }

            if (document.Logs is { } logs && _log.IsEnabled(LogLevel.Debug))
            {
                string text = string.Join('\n', logs.Messages);
                LeaderLog.WorkerLog(_log, TerminalText.Escape(text), text);
            }

            _bodiesRun += document.Workers.JobsRun ?? document.Jobs.Count;
            if (double.TryParse(document.Workers.Clock, NumberStyles.Float, CultureInfo.InvariantCulture, out double clock))
            {
                _workerCpuSeconds += clock;
            }
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Loads a job that may well be gone (a finished attempt's, a failed job's descendants): the existence check answers
    /// at once, where a load of a missing job waits out the store's visibility timeout first.
    /// </summary>
    private async Task<JobDescription?> TryLoadIfExistsAsync(string id, CancellationToken cancellationToken) =>
        await _store.JobExistsAsync(id, cancellationToken).ConfigureAwait(false)
            ? await TryLoadAsync(id, cancellationToken).ConfigureAwait(false)
            : null;

    private async Task<JobDescription?> TryLoadAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return await _store.LoadJobAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (NoSuchJobException)
        {
            return null;
        }
    }
}
