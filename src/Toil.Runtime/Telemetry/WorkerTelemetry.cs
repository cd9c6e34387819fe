using System.Diagnostics;
using System.Diagnostics.Metrics;
using Toil.Runtime.Jobs;

namespace Toil.Runtime.Telemetry;

/// <summary>
/// The worker's spans and metrics (<c>docs/telemetry.md</c>). Every hook is one call from the worker or the file store,
/// and costs a field read when nobody listens: tags are built only for a span that was created or an instrument that is
/// enabled.
/// </summary>
internal static class WorkerTelemetry
{
    internal static readonly ActivitySource Source = new(WorkerInstrumentation.ActivitySourceName, typeof(WorkerTelemetry).Assembly.GetName().Version?.ToString());
    internal static readonly Meter Meter = new(WorkerInstrumentation.MeterName, typeof(WorkerTelemetry).Assembly.GetName().Version?.ToString());

    private static readonly Histogram<int> ChainLength = Meter.CreateHistogram<int>(
        "toil.worker.chain.length", "{job}", "Job bodies run by one worker attempt (1 + the jobs it chained).",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024] });

    private static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>(
        "toil.worker.commit.duration", "s", "Time to make one job's commit durable in the job store (record update and journaled file deletions).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    // The attempt a batch system runs in this flow (set by an in-process batch system from the attempt's environment).
    private static readonly AsyncLocal<ActivityContext?> AttemptParent = new();

    /// <summary>
    /// Makes the attempt span named by <paramref name="environment"/>'s <c>TRACEPARENT</c> the parent of this flow's job
    /// spans, and forgets any ambient span (a batch system's flow may have inherited another job's). For an in-process
    /// batch system; a worker process reads the variable from its own environment.
    /// </summary>
    public static void AdoptAttempt(IReadOnlyDictionary<string, string> environment)
    {
        if (!Source.HasListeners())
        {
            return;
        }

        Activity.Current = null;
        AttemptParent.Value = environment.TryGetValue(WorkerInstrumentation.TraceParentVariable, out string? parent)
            && ActivityContext.TryParse(parent, environment.GetValueOrDefault(WorkerInstrumentation.TraceStateVariable), isRemote: true, out var context)
            ? context
            : null;
    }

    /// <summary>Starts the span of one job body (it becomes the ambient span of the body and its commit); <see langword="null"/> when nobody listens.</summary>
    public static Activity? StartJob(JobDescription job)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity("toil.job", ActivityKind.Internal, Parent());
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("toil.job.id", job.JobStoreId);
            activity.SetTag("toil.job.name", job.JobName);
            activity.SetTag("toil.job.display_name", job.DisplayName);
        }

        return activity;
    }

    /// <summary>Ends a job body's span.</summary>
    public static void EndJob(Activity? activity, bool succeeded)
    {
        if (activity is null)
        {
            return;
        }

        if (!succeeded)
        {
            activity.SetStatus(ActivityStatusCode.Error);
            activity.SetTag("error.type", "job_failed");
        }

        activity.Dispose();
    }

    /// <summary>Starts timing one commit (and its span, when someone listens to the source); <see langword="null"/> when nobody listens.</summary>
    public static CommitScope? StartCommit(JobDescription job, int deletes)
    {
        bool timed = CommitDuration.Enabled;
        if (!timed && !Source.HasListeners())
        {
            return null;
        }

        Activity? activity = Source.StartActivity("toil.commit", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("toil.job.id", job.JobStoreId);
            activity.SetTag("toil.commit.file_deletions", deletes);
        }

        return new CommitScope(activity, timed ? Stopwatch.GetTimestamp() : 0);
    }

    /// <summary>Records the length of a finished worker attempt's chain.</summary>
    public static void ChainFinished(int jobsRun, bool failed)
    {
        if (ChainLength.Enabled)
        {
            ChainLength.Record(jobsRun, new KeyValuePair<string, object?>("toil.attempt.outcome", failed ? "failure" : "success"));
        }
    }

    private static ActivityContext Parent()
    {
        if (AttemptParent.Value is { } adopted)
        {
            return adopted;
        }

        if (Activity.Current is { } current)
        {
            return current.Context;
        }

        // A worker process: the leader passed its attempt span through the environment.
        return ActivityContext.TryParse(
            Environment.GetEnvironmentVariable(WorkerInstrumentation.TraceParentVariable),
            Environment.GetEnvironmentVariable(WorkerInstrumentation.TraceStateVariable),
            isRemote: true,
            out var context) ? context : default;
    }

    /// <summary>One commit being timed; dispose it when the commit is durable, after <see cref="Fail"/> if it failed.</summary>
    internal sealed class CommitScope(Activity? activity, long started) : IDisposable
    {
        private string? _error;

        /// <summary>Marks the commit failed with the exception's type as <c>error.type</c>.</summary>
        public void Fail(Exception error)
        {
            _error = error.GetType().FullName;
            activity?.SetStatus(ActivityStatusCode.Error, error.Message);
            activity?.SetTag("error.type", _error);
        }

        /// <inheritdoc />
        public void Dispose()
        {
            if (started != 0 && CommitDuration.Enabled)
            {
                double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                if (_error is null)
                {
                    CommitDuration.Record(seconds);
                }
                else
                {
                    CommitDuration.Record(seconds, new KeyValuePair<string, object?>("error.type", _error));
                }
            }

            activity?.Dispose();
        }
    }
}
