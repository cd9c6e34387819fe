using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

// The process-mode killer (a /bin/sh child that SIGKILLs this process) is covered by WorkerProcessModeTests, which run it in
// a child test host; here only the draw and the in-process fence, which cannot take the test runner down.
public sealed class ChaosKillerTests
{
    [Test]
    public async Task Arm_NoBadWorker_PassesTheStoreThroughDisarmed()
    {
        await using var store = new InMemoryJobStore();
        using var killer = ChaosKiller.Arm(new WorkerOptions { BadWorker = 0 }, WorkerMode.InProcess, store, new FakeTimeProvider(), NullLogger.Instance);

        killer.Store.Should().BeSameAs(store);
        killer.IsFenced.Should().BeFalse();
        killer.IsCrashed.Should().BeFalse();
        killer.HasKillerProcess.Should().BeFalse();
        killer.Token.CanBeCanceled.Should().BeFalse();
    }

    [Test]
    public async Task Arm_CertainInProcessFailure_FencesTheStoreAndStrikesWithinTheInterval()
    {
        await using var store = new InMemoryJobStore();
        var time = new FakeTimeProvider();
        using var killer = ChaosKiller.Arm(new WorkerOptions { BadWorker = 1, BadWorkerFailInterval = TimeSpan.FromSeconds(10) }, WorkerMode.InProcess, store, time, NullLogger.Instance);

        killer.IsFenced.Should().BeTrue();
        killer.HasKillerProcess.Should().BeFalse("an in-process run is never killed from outside");
        killer.Store.Should().NotBeSameAs(store);
        var job = new JobDescription("before");
        await killer.Store.AssignJobIdAsync(job);
        await killer.Store.CreateJobsAsync([job]);
        killer.IsCrashed.Should().BeFalse();

        time.Advance(TimeSpan.FromSeconds(10));

        killer.IsCrashed.Should().BeTrue();
        killer.Token.IsCancellationRequested.Should().BeTrue();
        var after = new JobDescription("after");
        await killer.Invoking(k => k.Store.CreateJobsAsync([after]).AsTask()).Should().ThrowAsync<SimulatedWorkerCrashException>();
        (await store.JobExistsAsync(job.JobStoreId)).Should().BeTrue("what was written before the kill stays");
    }
}
