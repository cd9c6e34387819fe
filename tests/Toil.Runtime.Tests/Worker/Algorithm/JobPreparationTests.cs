using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

public sealed class JobPreparationTests
{
    [Test]
    public async Task PrepareAsync_OldFailureLog_ClearsTheReferenceInTheRecordAndDeletesTheFile()
    {
        await using var store = new InMemoryJobStore();
        var job = new JobDescription("retried");
        await store.AssignJobIdAsync(job);
        string log = await store.WriteFileAsync((s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes("old failure"), ct), job.JobStoreId, cleanup: true, "worker_log.txt");
        job.LogJobStoreFileId = log;
        await store.CreateJobsAsync([job]);

        await JobPreparation.PrepareAsync(store, job, NullLogger.Instance, CancellationToken.None);

        job.LogJobStoreFileId.Should().BeNull();
        (await store.LoadJobAsync(job.JobStoreId)).LogJobStoreFileId.Should().BeNull();
        (await store.FileExistsAsync(log)).Should().BeFalse();
    }

    [Test]
    public async Task PrepareAsync_BodilessJobWithAVanishedSuccessor_DropsItAndPersistsTheTidiedRecord()
    {
        await using var store = new InMemoryJobStore();
        var child = new JobDescription("child");
        await store.AssignJobIdAsync(child);
        var job = new JobDescription("parent");
        await store.AssignJobIdAsync(job);
        job.AddChild(child.JobStoreId);
        job.AddChild("vanished");
        await store.CreateJobsAsync([child, job]);

        await JobPreparation.PrepareAsync(store, job, NullLogger.Instance, CancellationToken.None);

        (await store.LoadJobAsync(job.JobStoreId)).AllSuccessors().Should().Equal(child.JobStoreId);
    }

    [Test]
    public async Task PrepareAsync_PlainJobWithNothingToTidy_WritesNothing()
    {
        await using var store = new InMemoryJobStore();
        var job = new JobDescription("plain");
        await store.AssignJobIdAsync(job);
        await store.CreateJobsAsync([job]);
        var before = await store.LoadJobAsync(job.JobStoreId);

        await JobPreparation.PrepareAsync(store, job, NullLogger.Instance, CancellationToken.None);

        (await store.LoadJobAsync(job.JobStoreId)).Version.Should().Be(before.Version);
    }
}
