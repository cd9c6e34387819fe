using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Leader.Progress;
using Toil.Runtime.Leader.TestHost;
using Toil.Runtime.Leader.Workflows;

namespace Toil.Runtime.Operate.Tests.Progress;

/// <summary>
/// What issue #14 asks of the run's end and of the events that were not yet checked elsewhere: the failed-for-good event,
/// the summary's wall and CPU times from a real run, and the timeline written beside a file store (docs/progress.md).
/// </summary>
[TestFixture]
public sealed class RunSummaryTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Test]
    public async Task RunWorkflowAsync_JobFailsForGood_ObserverSeesFailedThenFailedForGoodAndCounts()
    {
        var observer = new Observer();
        await using var host = OperateHost.Create(o => o.Config = new Jobs.WorkflowConfig { RetryCount = 1, RetryBackoffSeconds = 0 }, s => s.AddSingleton<IWorkflowObserver>(observer));

        var result = await host.Runner.RunWorkflowAsync<AlwaysFailJob, string>("x").WaitAsync(Bound);
        await observer.Completed.Task.WaitAsync(Bound);

        result.Succeeded.Should().BeFalse();
        var kinds = observer.Events.Select(e => e.Kind).ToList();
        kinds.Should().ContainInOrder(WorkflowProgressKind.Issued, WorkflowProgressKind.Failed, WorkflowProgressKind.Retried, WorkflowProgressKind.Failed, WorkflowProgressKind.FailedForGood);
        kinds.Should().ContainSingle(k => k == WorkflowProgressKind.FailedForGood);
        var last = observer.Events.Single(e => e.Kind == WorkflowProgressKind.FailedForGood);
        last.JobName.Should().Be("always-fail");
        last.Counts.Failed.Should().Be(1);
        last.Counts.FailedAttempts.Should().Be(2);
        last.Counts.Retries.Should().Be(1);
    }

    [Test]
    public async Task Summary_JobUsesKnownCpu_WallAndCpuTimesCoverIt()
    {
        await using var host = OperateHost.Create();

        var result = await host.Runner.RunWorkflowAsync<SpinJob, int>(300).WaitAsync(Bound);

        result.Succeeded.Should().BeTrue();
        var summary = result.Summary;
        var atLeast = TimeSpan.FromMilliseconds(300);
        summary.WorkerCpuTime.Should().BeGreaterThanOrEqualTo(atLeast, "the worker reports the CPU its job used");
        summary.CpuTime.Should().BeGreaterThanOrEqualTo(atLeast, "the in-process worker's CPU is the leader process's");
        var spin = summary.JobTypes.Should().ContainSingle(t => t.JobName == "spin").Subject;
        spin.TotalCpuTime.Should().BeGreaterThanOrEqualTo(atLeast);
        spin.TotalWallTime.Should().BeGreaterThan(TimeSpan.Zero);
        summary.WallTime.Should().BeGreaterThanOrEqualTo(spin.TotalWallTime, "the run lasts at least as long as its only job");
        summary.SlowestJobs.Should().ContainSingle().Which.CpuTime.Should().Be(spin.TotalCpuTime);
        summary.ToText().Should().MatchRegex(@"Time: \S+ (ms|s) wall, \S+ (ms|s) CPU in the leader's process, \S+ (ms|s) CPU reported by workers");
    }

    [Test]
    public async Task WriteTimeline_FileStore_PageWrittenBesideTheStoreAndOutlivesIt()
    {
        await using var host = OperateHost.Create(o => o.WriteTimeline = true);

        var result = await host.Runner.RunWorkflowAsync<ChainJob, int>(3).WaitAsync(Bound);

        result.Succeeded.Should().BeTrue();
        Directory.Exists(host.StorePath).Should().BeFalse("the run succeeded and its store was cleaned");
        string page = host.StorePath + ".timeline.html";
        File.Exists(page).Should().BeTrue();
        string html = await File.ReadAllTextAsync(page);
        html.Should().StartWith("<!DOCTYPE html>").And.Contain("[chain]").And.Contain("class=\"chained\"");
        Directory.GetFiles(host.Directory).Should().Equal([page], "the page was written atomically: no temporary file is left");
    }

    private sealed class Observer : IWorkflowObserver
    {
        private readonly ConcurrentQueue<WorkflowProgress> _events = new();

        public IReadOnlyList<WorkflowProgress> Events => [.. _events];

        public TaskCompletionSource<WorkflowResult> Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnProgress(in WorkflowProgress progress) => _events.Enqueue(progress);

        public void OnCompleted(WorkflowResult result) => Completed.TrySetResult(result);
    }
}
