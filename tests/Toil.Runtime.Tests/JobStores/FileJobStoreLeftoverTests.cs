using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>
/// Nothing the store documents as job-owned outlives the jobs: records, job directories, job files, empty
/// <c>job-files/&lt;id&gt;/</c> directories, temporary files and trash (<c>docs/job-store-format.md</c>, "Deletion").
/// </summary>
[CancelAfter(120_000)]
public sealed class FileJobStoreLeftoverTests
{
    private FileJobStoreTestDirectory _t = null!;

    [SetUp]
    public void SetUp() => _t = new FileJobStoreTestDirectory();

    [TearDown]
    public void TearDown() => _t.Dispose();

    [Test]
    public async Task DeleteFileAsync_LastKeptFileOfADeletedJob_LeavesNoJobFilesDirectory()
    {
        await using var store = await _t.CreateAsync();
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        string first = await store.WriteFileAsync("first"u8.ToArray(), id);
        string second = await store.WriteFileAsync("second"u8.ToArray(), id);
        await store.WriteFileAsync("cleanup"u8.ToArray(), id, cleanup: true);
        string jobFiles = Path.Combine(_t.StorePath, "job-files", id);

        await store.DeleteJobAsync(id);
        await store.DeleteFileAsync(first);

        Directory.Exists(jobFiles).Should().BeTrue("a kept file of the job is still there");
        (await store.ReadAllBytesAsync(second)).Should().Equal("second"u8.ToArray());

        await store.DeleteFileAsync(second);

        Directory.Exists(jobFiles).Should().BeFalse("the deleted job's last file is gone, so is its directory");
        JobOwnedLeftovers().Should().BeEmpty();
    }

    [Test]
    public async Task DeleteFileAsync_KeptFileOfALiveJob_KeepsTheJobFilesDirectoryForItsNextFiles()
    {
        await using var store = await _t.CreateAsync();
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        string file = await store.WriteFileAsync("kept"u8.ToArray(), id);

        await store.DeleteFileAsync(file);
        string next = await store.WriteFileAsync("next"u8.ToArray(), id);

        (await store.ReadAllBytesAsync(next)).Should().Equal("next"u8.ToArray());
        await store.DeleteJobAsync(id);
        await store.DeleteFileAsync(next);
        JobOwnedLeftovers().Should().BeEmpty();
    }

    [Test]
    [Platform("Linux,MacOsX")]
    public async Task Workflow_SucceedsWithFilesPassedBetweenJobs_LeavesNothingJobOwned()
    {
        string workDir = Path.Combine(_t.Parent, "work");
        Directory.CreateDirectory(workDir);
        await using var provider = new ServiceCollection()
            .AddLogging()
            .AddToilRuntime(o => o.WorkDir = workDir)
            .AddToilJob<LeftoverProducer, LeftoverInput>(LeftoverJson.Default.LeftoverInput)
            .AddToilJob<LeftoverConsumer, LeftoverInput>(LeftoverJson.Default.LeftoverInput)
            .AddToilJob<LeftoverFinisher, LeftoverInput>(LeftoverJson.Default.LeftoverInput)
            .BuildServiceProvider();
        await using var store = await _t.CreateAsync();
        var runner = provider.GetRequiredService<IWorkerRunner>();
        string root = await store.CreateRootJobAsync<LeftoverProducer, LeftoverInput>(provider.GetRequiredService<JobTypeRegistry>(), new LeftoverInput(3, null));

        // A leader's loop, reduced: run whatever job remains until none does.
        for (int round = 0; round < 20 && await store.ListJobsAsync().AnyAsync(); round++)
        {
            foreach (var job in await store.ListJobsAsync().ToListAsync())
            {
                var result = await runner.RunAsync(new WorkerRequest(store, job.JobStoreId));
                result.ExitCode.Should().Be(0, result.Error?.ToString());
            }
        }

        (await store.ListJobsAsync().ToListAsync()).Should().BeEmpty();
        (await store.JobExistsAsync(root)).Should().BeFalse();
        LeftoverProducer.Runs.Should().BeGreaterThan(0);
        JobOwnedLeftovers().Should().BeEmpty();
    }

    /// <summary>
    /// Everything in the store but what outlives jobs by design: the layout, the per-kind directories under
    /// <c>jobs/</c> and <c>job-files/</c> (shared by every job of a kind), shared files and stats messages.
    /// </summary>
    private List<string> JobOwnedLeftovers() =>
        [.. _t.RelativeEntries().Where(e =>
            !(e is "format.json" or "jobs" or "job-files" or "files-flat" or "shared" or "stats" or "stats/inbox" or "stats/archive" or "tmp")
            && !e.StartsWith("shared/", StringComparison.Ordinal)
            && !e.StartsWith("stats/inbox/", StringComparison.Ordinal)
            && !e.StartsWith("stats/archive/", StringComparison.Ordinal)
            && !(e.Count(c => c == '/') == 1 && (e.StartsWith("jobs/kind-", StringComparison.Ordinal) || e.StartsWith("job-files/kind-", StringComparison.Ordinal))))];
}

public sealed record LeftoverInput(int Left, string? FileId);

[JsonSerializable(typeof(LeftoverInput))]
internal sealed partial class LeftoverJson : JsonSerializerContext
{
}

/// <summary>Writes a kept file and a cleanup file, and hands the kept one to a follow-on that consumes it.</summary>
[ToilJob("leftover-producer")]
public sealed class LeftoverProducer : IJob<LeftoverInput>
{
    private static int s_runs;

    public static int Runs => Volatile.Read(ref s_runs);

    public async ValueTask RunAsync(LeftoverInput input, JobContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref s_runs);
        string kept = await context.FileStore.WriteGlobalFileStreamAsync((s, ct) => s.WriteAsync("payload"u8.ToArray(), ct), cleanup: false, cancellationToken: cancellationToken);
        await context.FileStore.WriteGlobalFileStreamAsync((s, ct) => s.WriteAsync("scratch"u8.ToArray(), ct), cleanup: true, cancellationToken: cancellationToken);
        File.WriteAllText(context.FileStore.GetLocalTempFile(), "local");
        context.AddChild<LeftoverFinisher, LeftoverInput>(input with { FileId = null });
        context.AddFollowOn<LeftoverConsumer, LeftoverInput>(input with { FileId = kept });
    }
}

/// <summary>Reads and deletes the file it was given, and goes on producing while there is work left.</summary>
[ToilJob("leftover-consumer")]
public sealed class LeftoverConsumer : IJob<LeftoverInput>
{
    public async ValueTask RunAsync(LeftoverInput input, JobContext context, CancellationToken cancellationToken)
    {
        await using (var stream = await context.FileStore.ReadGlobalFileStreamAsync(input.FileId!, cancellationToken))
        {
            (await new StreamReader(stream).ReadToEndAsync(cancellationToken)).Should().Be("payload");
        }

        await context.FileStore.DeleteGlobalFileAsync(input.FileId!, cancellationToken);
        if (input.Left > 1)
        {
            context.AddFollowOn<LeftoverProducer, LeftoverInput>(new LeftoverInput(input.Left - 1, null));
        }
    }
}

[ToilJob("leftover-finisher")]
public sealed class LeftoverFinisher : IJob<LeftoverInput>
{
    public ValueTask RunAsync(LeftoverInput input, JobContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
