using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Toil.Runtime.Leader.Progress;
using Toil.Runtime.Leader.Workflows;

namespace Toil.Runtime.Leader.Tests.Progress;

/// <summary>The leader's progress events (docs/progress.md, "Events") from real runs and from the publisher alone.</summary>
[TestFixture]
public sealed class ProgressEventTests
{
    [Test]
    public async Task RunWorkflowAsync_ChainFanOutAndRetry_ObserverSeesEveryKindAndFinalCounts()
    {
        var observer = new RecordingObserver();
        await using var host = ShapesHost.Create(observers: observer);

        var result = await host.RunAsync();

        result.Succeeded.Should().BeTrue();
        var completed = await observer.Completed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        completed.Should().BeSameAs(result, "OnCompleted gets the run's result, after the last event");
        var events = observer.Events;
        events.Select(e => e.Kind).Should().Contain([
            WorkflowProgressKind.Issued, WorkflowProgressKind.Running, WorkflowProgressKind.Finished,
            WorkflowProgressKind.Failed, WorkflowProgressKind.Retried, WorkflowProgressKind.Chained]);
        events.Should().ContainSingle(e => e.Kind == WorkflowProgressKind.Chained).Which.JobName.Should().Be("shapes-tail");
        events.Should().ContainSingle(e => e.Kind == WorkflowProgressKind.Retried).Which.JobName.Should().Be("shapes-flaky");
        events.Where(e => e.Kind == WorkflowProgressKind.Running).Select(e => e.JobName).Should().Contain("shapes-leaf", "the leaves run 400 ms, past the leader's 250 ms look");
        events.Select(e => e.Time).Should().BeInAscendingOrder();

        var last = events[^1].Counts;
        last.Done.Should().Be(result.JobsCompleted);
        last.Chained.Should().Be(1);
        last.Retries.Should().Be(1);
        last.FailedAttempts.Should().Be(1);
        last.Failed.Should().Be(0);
        last.Issued.Should().Be(0, "nothing is in flight at the end");
        last.DroppedEvents.Should().Be(0);
        events.Count(e => e.Kind == WorkflowProgressKind.Finished).Should().Be(result.JobsCompleted);
    }

    [Test]
    public async Task RunWorkflowAsync_ObserverThrows_RunSucceedsAndFailureLogged()
    {
        var good = new RecordingObserver();
        await using var host = ShapesHost.Create(observers: [new ThrowingObserver(), good]);

        var result = await host.RunAsync();

        result.Succeeded.Should().BeTrue();
        (await good.Completed.Task.WaitAsync(TimeSpan.FromSeconds(5))).Should().BeSameAs(result, "the observer after the throwing one is still called");
        good.Events.Should().NotBeEmpty();
        host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 60 && r.Level == LogLevel.Warning && r.Exception is InvalidOperationException);
    }

    [Test]
    public async Task Publish_ObserverBlocked_NeverWaitsAndDropsOldestCounted()
    {
        using var gate = new ManualResetEventSlim();
        var blocked = new BlockingObserver(gate);
        var collector = new FakeLogCollector();
        var publisher = new ProgressPublisher([blocked], new FakeLogger(collector));
        const int Published = ProgressPublisher.Capacity * 3;

        for (int i = 0; i < Published; i++)
        {
            publisher.Publish(new WorkflowProgress(WorkflowProgressKind.Issued, i.ToString(System.Globalization.CultureInfo.InvariantCulture), "n", "d", DateTimeOffset.UnixEpoch, default));
        }

        blocked.Entered.Wait(TimeSpan.FromSeconds(5)).Should().BeTrue();
        publisher.Dropped.Should().BeGreaterThanOrEqualTo(Published - ProgressPublisher.Capacity - 1, "all but the queue's capacity (and the one being delivered) are dropped");

        // A stuck observer does not hold up the end of the run beyond the bound.
        await publisher.CompleteAsync(new WorkflowResult { FailedJobs = [], JobStoreLocator = "memory:" }, TimeSpan.FromMilliseconds(200));
        collector.GetSnapshot().Should().Contain(r => r.Id.Id == 61);

        gate.Set();
        await blocked.Drained.Task.WaitAsync(TimeSpan.FromSeconds(5));
        blocked.Seen.Should().Be(Published - (int)publisher.Dropped);
        blocked.LastId.Should().Be((Published - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "the newest events are kept");
    }

    [Test]
    public void Publish_NoObservers_AllocatesNothing()
    {
        var publisher = ProgressPublisher.None;
        var progress = new WorkflowProgress(WorkflowProgressKind.Issued, "id", "n", "d", DateTimeOffset.UnixEpoch, default);
        publisher.Publish(progress);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            publisher.Publish(progress);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
        publisher.Enabled.Should().BeFalse();
    }

    [Test]
    public async Task Publish_WithObserver_AllocatesNothingPerEvent()
    {
        using var gate = new ManualResetEventSlim();
        var blocked = new BlockingObserver(gate);
        var publisher = new ProgressPublisher([blocked], new FakeLogger());
        var progress = new WorkflowProgress(WorkflowProgressKind.Issued, "id", "n", "d", DateTimeOffset.UnixEpoch, default);
        for (int i = 0; i < ProgressPublisher.Capacity * 2; i++)
        {
            publisher.Publish(progress);
        }

        blocked.Entered.Wait(TimeSpan.FromSeconds(5)).Should().BeTrue();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            publisher.Publish(progress);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0, "an event is a struct written into a ring buffer");
        gate.Set();
        await publisher.CompleteAsync(new WorkflowResult { FailedJobs = [], JobStoreLocator = "memory:" }, TimeSpan.FromSeconds(5));
        await blocked.Drained.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    private sealed class ThrowingObserver : IWorkflowObserver
    {
        public void OnProgress(in WorkflowProgress progress) => throw new InvalidOperationException("observer bug");

        public void OnCompleted(WorkflowResult result) => throw new InvalidOperationException("observer bug");
    }

    private sealed class BlockingObserver(ManualResetEventSlim gate) : IWorkflowObserver
    {
        public ManualResetEventSlim Entered { get; } = new();

        public TaskCompletionSource Drained { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Seen { get; private set; }

        public string? LastId { get; private set; }

        public void OnProgress(in WorkflowProgress progress)
        {
            Entered.Set();
            gate.Wait();
            Seen++;
            LastId = progress.JobStoreId;
        }

        public void OnCompleted(WorkflowResult result) => Drained.TrySetResult();
    }
}
