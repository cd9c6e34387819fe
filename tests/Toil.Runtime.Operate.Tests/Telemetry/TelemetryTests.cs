using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Toil.Runtime.Jobs;
using Toil.Runtime.Leader.Telemetry;
using Toil.Runtime.Leader.TestHost;
using Toil.Runtime.Telemetry;

namespace Toil.Runtime.Operate.Tests.Telemetry;

/// <summary>The leader's and the worker's spans and metrics, from real workflow runs on the in-process batch system.</summary>
[TestFixture]
[NonParallelizable]
public sealed class TelemetryTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Test]
    public async Task RunWorkflow_WithListener_WorkflowAttemptJobAndCommitSpansFormOneTrace()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = Listen(spans);
        await using var host = OperateHost.Create();

        var result = await host.Runner.RunWorkflowAsync<ChainJob, int>(5).WaitAsync(Bound);

        result.Succeeded.Should().BeTrue();
        var workflow = spans.Should().ContainSingle(s => s.OperationName == "toil.workflow" && (string?)s.GetTagItem("toil.job_store") == host.Locator).Subject;
        var trace = spans.Where(s => s.TraceId == workflow.TraceId).ToList();
        var attempts = trace.Where(s => s.OperationName == "toil.job.attempt").ToList();
        var jobs = trace.Where(s => s.OperationName == "toil.job").ToList();
        var commits = trace.Where(s => s.OperationName == "toil.commit").ToList();
        attempts.Should().HaveCount(result.AttemptsIssued).And.OnlyContain(a => a.ParentSpanId == workflow.SpanId && a.GetTagItem("toil.batch.job_id") != null);
        jobs.Should().HaveCount((int)result.JobBodiesRun, "every body, chained or not, is a span");
        jobs.Should().OnlyContain(j => attempts.Any(a => a.SpanId == j.ParentSpanId), "a job body is a child of the attempt that ran it");
        attempts.Should().Contain(a => jobs.Count(j => j.ParentSpanId == a.SpanId) > 1, "the chain of 6 jobs runs in fewer attempts: chained jobs share their attempt");
        commits.Should().NotBeEmpty().And.OnlyContain(c => jobs.Any(j => j.SpanId == c.ParentSpanId));
        trace.Should().OnlyContain(s => s.Status != ActivityStatusCode.Error);
    }

    [Test]
    public async Task RunWorkflow_FailingJob_AttemptAndWorkflowSpansMarkedWithErrorType()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = Listen(spans);
        await using var host = OperateHost.Create();

        var result = await host.Runner.RunWorkflowAsync<AlwaysFailJob, string>("x").WaitAsync(Bound);

        result.Succeeded.Should().BeFalse();
        var workflow = spans.Single(s => s.OperationName == "toil.workflow" && (string?)s.GetTagItem("toil.job_store") == host.Locator);
        workflow.Status.Should().Be(ActivityStatusCode.Error);
        workflow.GetTagItem("error.type").Should().Be("jobs_failed");
        var attempt = spans.Single(s => s.TraceId == workflow.TraceId && s.OperationName == "toil.job.attempt");
        attempt.Status.Should().Be(ActivityStatusCode.Error);
        attempt.GetTagItem("error.type").Should().Be("job_failed");
        attempt.GetTagItem("process.exit.code").Should().Be(1);
        spans.Single(s => s.TraceId == workflow.TraceId && s.OperationName == "toil.job").Status.Should().Be(ActivityStatusCode.Error);
    }

    [Test]
    public async Task RunWorkflow_Metrics_CountAttemptsChainsAndCommits()
    {
        using var issued = new MetricCollector<long>(null, LeaderInstrumentation.MeterName, "toil.leader.jobs.issued");
        using var finished = new MetricCollector<long>(null, LeaderInstrumentation.MeterName, "toil.leader.jobs.finished");
        using var failed = new MetricCollector<long>(null, LeaderInstrumentation.MeterName, "toil.leader.jobs.failed");
        using var depth = new MetricCollector<long>(null, LeaderInstrumentation.MeterName, "toil.leader.queue.depth");
        using var chain = new MetricCollector<int>(null, WorkerInstrumentation.MeterName, "toil.worker.chain.length");
        using var commit = new MetricCollector<double>(null, WorkerInstrumentation.MeterName, "toil.worker.commit.duration");
        await using var host = OperateHost.Create();

        var result = await host.Runner.RunWorkflowAsync<ChainJob, int>(5).WaitAsync(Bound);

        result.Succeeded.Should().BeTrue();
        issued.GetMeasurementSnapshot().Sum(m => m.Value).Should().Be(result.AttemptsIssued);
        issued.GetMeasurementSnapshot().Should().OnlyContain(m => (string?)m.Tags["toil.job.name"] == "chain");
        finished.GetMeasurementSnapshot().Sum(m => m.Value).Should().Be(result.AttemptsIssued);
        failed.GetMeasurementSnapshot().Should().BeEmpty();
        depth.GetMeasurementSnapshot().Sum(m => m.Value).Should().Be(0, "every issued attempt ended");
        depth.GetMeasurementSnapshot().Max(m => m.Value).Should().Be(1);
        chain.GetMeasurementSnapshot().Sum(m => m.Value).Should().Be((int)result.JobBodiesRun);
        chain.GetMeasurementSnapshot().Should().HaveCount(result.AttemptsIssued).And.Contain(m => m.Value > 1);
        commit.GetMeasurementSnapshot().Should().NotBeEmpty().And.OnlyContain(m => m.Value >= 0 && !m.Tags.ContainsKey("error.type"));
    }

    [Test]
    public async Task RunWorkflow_FailedAttempts_CountedWithErrorType()
    {
        using var failed = new MetricCollector<long>(null, LeaderInstrumentation.MeterName, "toil.leader.jobs.failed");
        using var finished = new MetricCollector<long>(null, LeaderInstrumentation.MeterName, "toil.leader.jobs.finished");
        await using var host = OperateHost.Create(o => o.Config = new WorkflowConfig { RetryCount = 2, RetryBackoffSeconds = 0 });

        var result = await host.Runner.RunWorkflowAsync<AlwaysFailJob, string>("x").WaitAsync(Bound);

        result.FailedAttempts.Should().Be(3);
        failed.GetMeasurementSnapshot().Should().HaveCount(3).And.OnlyContain(m => m.Value == 1 && (string?)m.Tags["error.type"] == "job_failed" && (string?)m.Tags["toil.job.name"] == "always-fail");
        finished.GetMeasurementSnapshot().Should().BeEmpty();
    }

    [Test]
    public void StartJob_ProcessWorkerWithTraceParentVariable_ParentIsTheLeadersAttempt()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = Listen(spans);
        const string attempt = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        string? before = Environment.GetEnvironmentVariable(WorkerInstrumentation.TraceParentVariable);
        Environment.SetEnvironmentVariable(WorkerInstrumentation.TraceParentVariable, attempt);
        Activity? span;
        try
        {
            var previous = Activity.Current;
            Activity.Current = null;
            span = WorkerTelemetry.StartJob(new JobDescription("job") { JobStoreId = "kind-job/instance-1" });
            WorkerTelemetry.EndJob(span, succeeded: true);
            Activity.Current = previous;
        }
        finally
        {
            Environment.SetEnvironmentVariable(WorkerInstrumentation.TraceParentVariable, before);
        }

        span.Should().NotBeNull();
        span!.TraceId.ToHexString().Should().Be("0af7651916cd43dd8448eb211c80319c");
        span.ParentSpanId.ToHexString().Should().Be("b7ad6b7169203331");
        span.GetTagItem("toil.job.id").Should().Be("kind-job/instance-1");
    }

    [Test]
    public void StartAttempt_WithListener_WritesTraceParentOfTheAttemptIntoTheEnvironment()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = Listen(spans);
        var telemetry = new LeaderTelemetry();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);

        var job = new JobDescription("job") { JobStoreId = "kind-job/instance-1" };
        job.AssignConfig(new WorkflowConfig());
        var span = telemetry.StartAttempt(job, environment);
        telemetry.Issued(span, new JobDescription("job"), 7);
        telemetry.Ended(7, 0, BatchJobExitReason.Finished);

        span.Should().NotBeNull();
        environment[WorkerInstrumentation.TraceParentVariable].Should().Be(span!.Id);
        Activity.Current.Should().NotBe(span, "the attempt span is never the leader's ambient span");
        span.GetTagItem("toil.batch.job_id").Should().Be(7L);
    }

    [Test]
    public void Hooks_NobodyListening_CreateNothingAndLeaveTheEnvironmentAlone()
    {
        var telemetry = new LeaderTelemetry();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);

        var attempt = telemetry.StartAttempt(new JobDescription("job"), environment);
        var job = WorkerTelemetry.StartJob(new JobDescription("job"));
        var commit = WorkerTelemetry.StartCommit(new JobDescription("job"), 0);

        attempt.Should().BeNull();
        job.Should().BeNull();
        commit.Should().BeNull();
        environment.Should().BeEmpty();
    }

    private static ActivityListener Listen(ConcurrentQueue<Activity> spans)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is LeaderInstrumentation.ActivitySourceName or WorkerInstrumentation.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
