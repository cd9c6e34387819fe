using System.Globalization;
using Toil.Runtime.Jobs;
using Toil.Runtime.Leader.BatchSystems;
using Toil.Runtime.Leader.Workflows;
using Toil.Runtime.Stats;

namespace Toil.Runtime.Leader.Progress;

/// <summary>
/// What the leader records of a run beyond its scheduling state: the counts its progress events carry, every attempt
/// for the timeline (issue, start, end, outcome, the chained jobs its worker's stats name), and the stats aggregates of
/// the run summary. The scheduling loop calls it (single-threaded); each call is a few dictionary operations and at most
/// one small object per attempt. See <c>docs/progress.md</c>.
/// </summary>
internal sealed class RunRecorder
{
    private static readonly TimeSpan RunningPollInterval = TimeSpan.FromMilliseconds(250);

    private readonly ProgressPublisher _publisher;
    private readonly TimeProvider _time;
    private readonly Func<int> _pending;
    private readonly Dictionary<long, Attempt> _open = [];
    private readonly Dictionary<string, Attempt> _latestByJob = new(StringComparer.Ordinal);
    private readonly List<Attempt> _attempts = [];
    private readonly Dictionary<string, TypeTotals> _types = new(StringComparer.Ordinal);
    private readonly PriorityQueue<JobTiming, TimeSpan> _slowest = new();
    private int _running;
    private int _done;
    private int _failed;
    private long _chained;
    private int _retries;
    private int _failedAttempts;
    private int _attemptsIssued;
    private long _bytesWritten;
    private long _bytesRead;
    private long _lastRunningPoll;
    private bool _truncated;

    public RunRecorder(ProgressPublisher publisher, TimeProvider time, Func<int> pending)
    {
        _publisher = publisher;
        _time = time;
        _pending = pending;
    }

    /// <summary>The counts now.</summary>
    public WorkflowCounts Counts => new(_pending(), _open.Count, _running, _done, _failed, _chained, _retries, _failedAttempts, _publisher.Dropped);

    /// <summary>An attempt was issued; <paramref name="retry"/> when the job ran before.</summary>
    public void Issued(JobDescription job, long batchJobId, bool retry)
    {
        _attemptsIssued++;
        if (retry)
        {
            _retries++;
        }

        var now = _time.GetUtcNow();
        var attempt = new Attempt(batchJobId, job.JobStoreId, job.JobName, job.DisplayName, retry, now);
        _open[batchJobId] = attempt;
        if (_attempts.Count < RunSummary.MaxTimelineAttempts)
        {
            attempt.Previous = _latestByJob.GetValueOrDefault(job.JobStoreId);
            _latestByJob[job.JobStoreId] = attempt;
            _attempts.Add(attempt);
        }
        else
        {
            _truncated = true;
        }

        Publish(retry ? WorkflowProgressKind.Retried : WorkflowProgressKind.Issued, attempt, now);
    }

    /// <summary>Looks (at most every 250 ms, and only when someone listens) at what the batch system runs: attempts seen running for the first time are reported.</summary>
    public void PollRunning(IBatchSystem batch)
    {
        if (!_publisher.Enabled || _time.GetElapsedTime(_lastRunningPoll) < RunningPollInterval)
        {
            return;
        }

        _lastRunningPoll = _time.GetTimestamp();
        var running = batch.GetRunningJobs();
        _running = running.Count;
        var now = _time.GetUtcNow();
        foreach (var (id, runTime) in running)
        {
            if (_open.TryGetValue(id, out var attempt) && attempt.Started is null)
            {
                attempt.Started = now - runTime;
                Publish(WorkflowProgressKind.Running, attempt, now);
            }
        }
    }

    /// <summary>An attempt ended (before the leader judged it).</summary>
    public void Ended(BatchJobUpdate update)
    {
        if (!_open.Remove(update.BatchJobId, out var attempt))
        {
            return;
        }

        var now = _time.GetUtcNow();
        attempt.Ended = now;
        attempt.ExitCode = update.ExitCode;
        attempt.ExitReason = update.ExitReason;
        if (update.WallTime is { } wall && wall >= TimeSpan.Zero && now - wall >= attempt.Issued)
        {
            attempt.Started = now - wall;
        }

        attempt.Started ??= attempt.Issued;
        if (_running > 0)
        {
            _running--;
        }
    }

    /// <summary>The leader counted the job's last attempt as failed (it is charged a try).</summary>
    public void AttemptFailed(JobDescription job, int exitCode, BatchJobExitReason reason)
    {
        _failedAttempts++;
        if (_latestByJob.TryGetValue(job.JobStoreId, out var attempt))
        {
            attempt.Failed = true;
            attempt.ExitCode = exitCode;
            attempt.ExitReason = reason;
        }

        Publish(WorkflowProgressKind.Failed, job.JobStoreId, job.JobName, job.DisplayName);
    }

    /// <summary>An issued job finished (it is gone from the store).</summary>
    public void Finished(string jobStoreId, JobDescription? job)
    {
        _done++;
        var attempt = _latestByJob.GetValueOrDefault(jobStoreId);
        Publish(WorkflowProgressKind.Finished, jobStoreId, job?.JobName ?? attempt?.JobName ?? string.Empty, job?.DisplayName ?? attempt?.DisplayName ?? string.Empty);
    }

    /// <summary>A job failed for good.</summary>
    public void FailedForGood(JobDescription job)
    {
        _failed++;
        Publish(WorkflowProgressKind.FailedForGood, job.JobStoreId, job.JobName, job.DisplayName);
    }

    /// <summary>A worker's stats arrived: its job records give the bodies' times and name the chained jobs.</summary>
    public void Stats(StatsDocument document)
    {
        var jobs = document.Jobs;
        if (jobs.Count == 0)
        {
            return;
        }

        var timings = new JobTiming[jobs.Count];
        for (int i = 0; i < jobs.Count; i++)
        {
            var timing = timings[i] = ToTiming(jobs[i]);
            AddToTotals(timing);
        }

        for (int i = 1; i < timings.Length; i++)
        {
            _chained++;
            var chained = timings[i];
            Publish(WorkflowProgressKind.Chained, chained.JobStoreId, chained.JobName, chained.DisplayName);
        }

        // The attempt these stats belong to: the job's latest attempt that started no later than the first body (a
        // failed attempt's stats can arrive after its retry was issued) and has no stats yet.
        var first = timings[0];
        var attempt = first.JobStoreId.Length > 0 ? _latestByJob.GetValueOrDefault(first.JobStoreId) : null;
        while (attempt is not null && (attempt.Body is not null || attempt.Issued > first.Start + TimeSpan.FromSeconds(1)))
        {
            attempt = attempt.Previous;
        }

        if (attempt is not null)
        {
            attempt.Body = first;
            attempt.Chained = timings.Length > 1 ? timings[1..] : [];
        }
    }

    /// <summary>The run's summary.</summary>
    public RunSummary Summarize(IReadOnlyList<FailedJob> failed, long bodiesRun, TimeSpan wall, TimeSpan cpu, TimeSpan workerCpu)
    {
        var attempts = _attempts.Select(a => a.ToPublic()).ToList();
        AssignLanes(attempts);
        var slowest = new List<JobTiming>(_slowest.UnorderedItems.Select(i => i.Element));
        slowest.Sort((a, b) => b.WallTime.CompareTo(a.WallTime));
        var types = _types.Select(t => new JobTypeTiming(t.Key, t.Value.Count, t.Value.Wall, t.Value.MaxWall, t.Value.Cpu) { TotalBytesWritten = t.Value.BytesWritten, TotalBytesRead = t.Value.BytesRead })
            .OrderByDescending(t => t.TotalWallTime).ThenBy(t => t.JobName, StringComparer.Ordinal).ToList();
        return new RunSummary
        {
            JobsCompleted = _done,
            ChainedJobs = _chained,
            JobBodiesRun = bodiesRun,
            AttemptsIssued = _attemptsIssued,
            Retries = _retries,
            FailedAttempts = _failedAttempts,
            Failures = failed,
            WallTime = wall,
            CpuTime = cpu,
            WorkerCpuTime = workerCpu,
            BytesWritten = _bytesWritten,
            BytesRead = _bytesRead,
            SlowestJobs = slowest,
            JobTypes = types,
            Attempts = attempts,
            TimelineTruncated = _truncated,
            DroppedProgressEvents = _publisher.Dropped,
        };
    }

    /// <summary>Packs attempts, in start order, into the lowest lane free at their start.</summary>
    internal static void AssignLanes(List<JobAttempt> attempts)
    {
        var order = Enumerable.Range(0, attempts.Count).OrderBy(i => attempts[i].Started).ThenBy(i => attempts[i].BatchJobId).ToList();
        var laneFreeAt = new List<DateTimeOffset>();
        foreach (int i in order)
        {
            var a = attempts[i];
            int lane = laneFreeAt.FindIndex(free => free <= a.Started);
            if (lane < 0)
            {
                lane = laneFreeAt.Count;
                laneFreeAt.Add(default);
            }

            laneFreeAt[lane] = a.Ended ?? DateTimeOffset.MaxValue;
            attempts[i] = a with { Lane = lane };
        }
    }

    private void Publish(WorkflowProgressKind kind, Attempt attempt, DateTimeOffset now)
    {
        if (_publisher.Enabled)
        {
            _publisher.Publish(new WorkflowProgress(kind, attempt.JobStoreId, attempt.JobName, attempt.DisplayName, now, Counts));
        }
    }

    private void Publish(WorkflowProgressKind kind, string jobStoreId, string jobName, string displayName)
    {
        if (_publisher.Enabled)
        {
            _publisher.Publish(new WorkflowProgress(kind, jobStoreId, jobName, displayName, _time.GetUtcNow(), Counts));
        }
    }

    private void AddToTotals(JobTiming timing)
    {
        string type = timing.JobName.Length > 0 ? timing.JobName : timing.DisplayName;
        ref var totals = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_types, type, out _);
        totals.Count++;
        totals.Wall += timing.WallTime;
        totals.Cpu += timing.CpuTime;
        totals.BytesWritten += timing.BytesWritten;
        totals.BytesRead += timing.BytesRead;
        _bytesWritten += timing.BytesWritten;
        _bytesRead += timing.BytesRead;
        if (timing.WallTime > totals.MaxWall)
        {
            totals.MaxWall = timing.WallTime;
        }

        if (_slowest.Count < RunSummary.SlowestCount)
        {
            _slowest.Enqueue(timing, timing.WallTime);
        }
        else if (_slowest.TryPeek(out _, out var fastest) && timing.WallTime > fastest)
        {
            _slowest.EnqueueDequeue(timing, timing.WallTime);
        }
    }

    private static JobTiming ToTiming(JobStatsRecord record) => new(
        record.JobStoreId ?? string.Empty,
        record.JobName ?? string.Empty,
        record.ClassName ?? string.Empty,
        Seconds(record.Start) is { } start ? DateTimeOffset.UnixEpoch + start : default,
        Seconds(record.Time) ?? TimeSpan.Zero,
        Seconds(record.Clock) ?? TimeSpan.Zero,
        !string.Equals(record.Succeeded, "False", StringComparison.OrdinalIgnoreCase))
    {
        BytesWritten = Bytes(record.FileBytesWritten),
        BytesRead = Bytes(record.FileBytesRead),
    };

    // A count the worker wrote; anything else (absent, negative, not a number) counts as none.
    private static long Bytes(string? value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long bytes) ? bytes : 0;

    private static TimeSpan? Seconds(string? value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && double.IsFinite(seconds) && Math.Abs(seconds) < TimeSpan.MaxValue.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : null;

    private struct TypeTotals
    {
        public int Count;
        public TimeSpan Wall;
        public TimeSpan MaxWall;
        public TimeSpan Cpu;
        public long BytesWritten;
        public long BytesRead;
    }

    /// <summary>An attempt while the run goes on (mutable; made public at the end).</summary>
    private sealed class Attempt(long batchJobId, string jobStoreId, string jobName, string displayName, bool retry, DateTimeOffset issued)
    {
        public long BatchJobId { get; } = batchJobId;

        public string JobStoreId { get; } = jobStoreId;

        public string JobName { get; } = jobName;

        public string DisplayName { get; } = displayName;

        public DateTimeOffset Issued { get; } = issued;

        public Attempt? Previous { get; set; }

        public DateTimeOffset? Started { get; set; }

        public DateTimeOffset? Ended { get; set; }

        public int ExitCode { get; set; }

        public BatchJobExitReason ExitReason { get; set; }

        public bool Failed { get; set; }

        public JobTiming? Body { get; set; }

        public IReadOnlyList<JobTiming> Chained { get; set; } = [];

        public JobAttempt ToPublic() => new()
        {
            BatchJobId = BatchJobId,
            JobStoreId = JobStoreId,
            JobName = JobName,
            DisplayName = DisplayName,
            Retry = retry,
            Issued = Issued,
            Started = Started ?? Issued,
            Ended = Ended,
            ExitCode = ExitCode,
            ExitReason = ExitReason,
            Failed = Failed,
            Body = Body,
            ChainedJobs = Chained,
        };
    }
}
