using System.Diagnostics;
using System.Diagnostics.Metrics;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Telemetry;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Leader.Telemetry;

/// <summary>
/// One leader run's spans and the leader's metrics (<c>docs/telemetry.md</c>): a <c>toil.workflow</c> span for the run and
/// a <c>toil.job.attempt</c> span per issued attempt, from issue to end, whose context travels to the worker in the
/// attempt's <c>TRACEPARENT</c>. Every hook is one call from the leader's loop; with nobody listening each is a field read.
/// Used by the leader's single loop thread only.
/// </summary>
internal sealed class LeaderTelemetry
{
    internal static readonly ActivitySource Source = new(LeaderInstrumentation.ActivitySourceName, typeof(LeaderTelemetry).Assembly.GetName().Version?.ToString());
    internal static readonly Meter Meter = new(LeaderInstrumentation.MeterName, typeof(LeaderTelemetry).Assembly.GetName().Version?.ToString());

    private static readonly Counter<long> IssuedJobs = Meter.CreateCounter<long>("toil.leader.jobs.issued", "{job}", "Job attempts issued to the batch system.");
    private static readonly Counter<long> FinishedJobs = Meter.CreateCounter<long>("toil.leader.jobs.finished", "{job}", "Job attempts that ended successfully.");
    private static readonly Counter<long> FailedJobs = Meter.CreateCounter<long>("toil.leader.jobs.failed", "{job}", "Job attempts that failed (killed attempts included); error.type says why.");
    private static readonly UpDownCounter<long> QueueDepth = Meter.CreateUpDownCounter<long>("toil.leader.queue.depth", "{job}", "Attempts issued to the batch system and not yet ended (waiting for resources or running).");

    private readonly Dictionary<long, (Activity? Span, string JobName)> _attempts = [];
    private Activity? _workflow;
    private string _batchSystem = string.Empty;

    /// <summary>Starts the run's <c>toil.workflow</c> span (a child of the caller's ambient span, if any).</summary>
    public void StartWorkflow(IJobStore store, string batchSystem)
    {
        _batchSystem = batchSystem;
        if (!Source.HasListeners())
        {
            return;
        }

        _workflow = Source.StartActivity("toil.workflow", ActivityKind.Internal);
        if (_workflow is { IsAllDataRequested: true })
        {
            _workflow.SetTag("toil.workflow.id", store.Config.WorkflowId);
            _workflow.SetTag("toil.job_store", store.Locator);
            _workflow.SetTag("toil.batch_system", batchSystem);
        }
    }

    /// <summary>Ends the workflow span (idempotent); a cancelled run (the host stopping) is marked <c>error.type</c> <c>cancelled</c>.</summary>
    public void EndWorkflow(bool succeeded, int failedJobs, bool cancelled = false)
    {
        if (_workflow is null)
        {
            return;
        }

        _workflow.SetTag("toil.workflow.failed_jobs", failedJobs);
        if (!succeeded)
        {
            _workflow.SetStatus(ActivityStatusCode.Error);
            _workflow.SetTag("error.type", cancelled ? "cancelled" : "jobs_failed");
        }

        _workflow.Dispose();
        _workflow = null;
    }

    /// <summary>
    /// Starts an attempt's span and writes its W3C context into the attempt's <paramref name="environment"/>
    /// (<c>TRACEPARENT</c>, <c>TRACESTATE</c>), so the worker's spans are its children in a process or in-process. The
    /// span is not made ambient: the leader's loop goes on under the workflow span.
    /// </summary>
    public Activity? StartAttempt(JobDescription job, IDictionary<string, string> environment)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var previous = Activity.Current;
        var span = Source.StartActivity("toil.job.attempt", ActivityKind.Producer, _workflow?.Context ?? previous?.Context ?? default);
        Activity.Current = previous;
        if (span is null)
        {
            return null;
        }

        if (span.IsAllDataRequested)
        {
            span.SetTag("toil.job.id", job.JobStoreId);
            span.SetTag("toil.job.name", job.JobName);
            span.SetTag("toil.job.display_name", job.DisplayName);
            span.SetTag("toil.job.remaining_tries", job.RemainingTryCount);
            span.SetTag("toil.batch_system", _batchSystem);
        }

        if (span.Id is { } id)
        {
            environment[WorkerInstrumentation.TraceParentVariable] = id;
        }

        if (span.TraceStateString is { } state)
        {
            environment[WorkerInstrumentation.TraceStateVariable] = state;
        }

        return span;
    }

    /// <summary>The attempt was issued as <paramref name="batchJobId"/>: counted, and its span remembered until it ends.</summary>
    public void Issued(Activity? span, JobDescription job, long batchJobId)
    {
        span?.SetTag("toil.batch.job_id", batchJobId);
        if (span is not null || IssuedJobs.Enabled || QueueDepth.Enabled || FinishedJobs.Enabled || FailedJobs.Enabled)
        {
            var tag = new KeyValuePair<string, object?>("toil.job.name", job.JobName);
            IssuedJobs.Add(1, tag);
            QueueDepth.Add(1, tag);
            _attempts[batchJobId] = (span, job.JobName);
        }
    }

    /// <summary>An attempt ended with <paramref name="exitCode"/> (0: the store shows it succeeded) and <paramref name="reason"/>.</summary>
    public void Ended(long batchJobId, int exitCode, BatchJobExitReason reason)
    {
        if (!_attempts.Remove(batchJobId, out var attempt))
        {
            return;
        }

        var name = new KeyValuePair<string, object?>("toil.job.name", attempt.JobName);
        QueueDepth.Add(-1, name);
        if (exitCode == 0)
        {
            FinishedJobs.Add(1, name);
        }
        else
        {
            FailedJobs.Add(1, name, new KeyValuePair<string, object?>("error.type", ErrorType(reason)));
        }

        if (attempt.Span is { } span)
        {
            span.SetTag("process.exit.code", exitCode);
            span.SetTag("toil.batch.exit_reason", reason.ToString());
            if (exitCode != 0)
            {
                span.SetStatus(ActivityStatusCode.Error);
                span.SetTag("error.type", ErrorType(reason));
            }

            span.Dispose();
        }
    }

    /// <summary>The leader killed these attempts (stop on first failure, cancellation): each ends as failed with <c>killed</c>.</summary>
    public void Killed(IEnumerable<long> batchJobIds)
    {
        foreach (long id in batchJobIds)
        {
            Ended(id, WorkerExitCodes.Killed, BatchJobExitReason.Killed);
        }
    }

    // OpenTelemetry's error.type: a low-cardinality, snake_case reason.
    private static string ErrorType(BatchJobExitReason reason) => reason switch
    {
        BatchJobExitReason.Finished => "exit_code",
        BatchJobExitReason.Failed => "job_failed",
        BatchJobExitReason.Lost => "lost",
        BatchJobExitReason.Killed => "killed",
        BatchJobExitReason.Error => "error",
        BatchJobExitReason.MemLimit => "memory_limit",
        BatchJobExitReason.MaxJobDuration => "max_job_duration",
        BatchJobExitReason.Partition => "partition",
        _ => "unknown",
    };
}
