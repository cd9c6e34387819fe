using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Authoring;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>
/// Store format 3: a small body lives in its job's record, so a job is its directory and one file
/// (docs/decisions.md#inline-bodies; docs/job-store-format.md, "Format versions"). Format-2 stores open as they are.
/// </summary>
[CancelAfter(120_000)]
public sealed class FileJobStoreInlineBodyTests
{
    private FileJobStoreTestDirectory _t = null!;

    [SetUp]
    public void SetUp()
    {
        _t = new FileJobStoreTestDirectory();
        InlineChild.Seen.Clear();
    }

    [TearDown]
    public void TearDown() => _t.Dispose();

    [Test]
    public async Task CreateRootJobAsync_SmallInput_HoldsTheBodyInTheRecordAndWritesNoFile()
    {
        await using var provider = Services();
        await using var store = await _t.CreateAsync();

        string id = await store.CreateRootJobAsync<InlineParent, InlineInput>(Registry(provider), new InlineInput(3, "small"));

        var body = (await store.LoadJobAsync(id)).GetBody();
        body.IsInline.Should().BeTrue();
        body.FileId.Should().BeNull();
        JobDirectoryEntries(id).Should().Equal("job");
        using var record = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(_t.StorePath, "jobs", id, "job")));
        record.RootElement.GetProperty("schemaVersion").GetInt32().Should().Be(2, "a record with an inline body is version 2");
        record.RootElement.GetProperty("body").TryGetProperty("fileId", out _).Should().BeFalse();
    }

    [Test]
    public async Task CreateRootJobAsync_InputOverTheLimit_KeepsTheBodyInAFileOfTheJob()
    {
        await using var provider = Services();
        await using var store = await _t.CreateAsync();

        string id = await store.CreateRootJobAsync<InlineParent, InlineInput>(Registry(provider), new InlineInput(1, new string('x', FileJobStore.InlineBodyBytes)));

        var body = (await store.LoadJobAsync(id)).GetBody();
        body.IsInline.Should().BeFalse();
        body.FileId.Should().StartWith($"jobs/{id}/");
        (await store.FileExistsAsync(body.FileId!)).Should().BeTrue();
        JobDirectoryEntries(id).Should().HaveCount(2, "the record and the body file");
    }

    [Test]
    public async Task CreateRootJobAsync_SmallRecordLimit_InlinesOnlyBodiesUpToAQuarterOfIt()
    {
        await using var provider = Services();
        await using var store = await _t.CreateAsync(o => o.MaxJobRecordBytes = 4096);

        string small = await store.CreateRootJobAsync<InlineParent, InlineInput>(Registry(provider), new InlineInput(1, new string('s', 500)));
        string large = await store.CreateRootJobAsync<InlineParent, InlineInput>(Registry(provider), new InlineInput(1, new string('l', 2000)));

        (await store.LoadJobAsync(small)).GetBody().IsInline.Should().BeTrue();
        (await store.LoadJobAsync(large)).GetBody().IsInline.Should().BeFalse("2 KB inline, in base64, would not leave the record room under 4 KiB");
    }

    [Test]
    [Platform("Linux,MacOsX")]
    public async Task Workflow_ParentFansOutChildren_ChildrenHaveInlineBodiesAndEachGetsItsInput()
    {
        await using var provider = Services();
        await using var store = await _t.CreateAsync();
        var runner = provider.GetRequiredService<IWorkerRunner>();
        string root = await store.CreateRootJobAsync<InlineParent, InlineInput>(Registry(provider), new InlineInput(5, "fan"));

        (await runner.RunAsync(new WorkerRequest(store, root))).ExitCode.Should().Be(0);

        var children = await store.ListJobsAsync().Where(j => j.JobStoreId != root).ToListAsync();
        children.Should().HaveCount(5);
        foreach (var child in children)
        {
            child.GetBody().IsInline.Should().BeTrue();
            JobDirectoryEntries(child.JobStoreId).Should().Equal("job");
        }

        foreach (var child in children)
        {
            (await runner.RunAsync(new WorkerRequest(store, child.JobStoreId))).ExitCode.Should().Be(0);
        }

        InlineChild.Seen.Order().Should().Equal("fan-0", "fan-1", "fan-2", "fan-3", "fan-4");
    }

    [Test]
    [Platform("Linux,MacOsX")]
    public async Task OpenAsync_Version2Store_OpensAsItIsAndKeepsNewBodiesInFiles()
    {
        await (await _t.CreateAsync()).DisposeAsync();
        string formatPath = Path.Combine(_t.StorePath, "format.json");
        await File.WriteAllTextAsync(formatPath, """{"schemaVersion":2,"layout":"toil-runtime-file-job-store","jobLock":"directory"}""");
        byte[] format = await File.ReadAllBytesAsync(formatPath);
        await using var provider = Services();
        await using var store = await _t.OpenAsync();

        string id = await store.CreateRootJobAsync<InlineParent, InlineInput>(Registry(provider), new InlineInput(2, "v2"));

        var body = (await store.LoadJobAsync(id)).GetBody();
        body.IsInline.Should().BeFalse("the release before reads format 2 and bodies in files only");
        using (var record = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(_t.StorePath, "jobs", id, "job"))))
        {
            record.RootElement.GetProperty("schemaVersion").GetInt32().Should().Be(1);
        }

        (await provider.GetRequiredService<IWorkerRunner>().RunAsync(new WorkerRequest(store, id))).ExitCode.Should().Be(0);
        var children = await store.ListJobsAsync().Where(j => j.JobStoreId != id).ToListAsync();
        children.Should().HaveCount(2).And.OnlyContain(c => !c.GetBody().IsInline);
        (await File.ReadAllBytesAsync(formatPath)).Should().Equal(format, "opening does not migrate the store");
    }

    [Test]
    public async Task RestartCheckpointAsync_InlineSnapshotReadBackFromTheStore_RestoresTheBody()
    {
        await using var store = await _t.CreateAsync();
        var cp = new CheckpointJobDescription("cp");
        cp.AttachBody(JobBody.Inline("cp", """{"input":1}"""u8.ToArray()));
        cp.SetCheckpoint();
        cp.AddChild("kind-gone/instance-ffffffff");
        await store.CreateJobAsync(cp);
        var loaded = (CheckpointJobDescription)await store.LoadJobAsync(cp.JobStoreId);

        // The body and its snapshot are read back as two arrays: equal by content, so the restart goes ahead.
        await CheckpointRestart.RestartCheckpointAsync(store, loaded);

        var stored = (CheckpointJobDescription)await store.LoadJobAsync(cp.JobStoreId);
        stored.GetBody().Should().Be(JobBody.Inline("cp", """{"input":1}"""u8.ToArray()));
        stored.AllSuccessors().Should().BeEmpty();
    }

    private ServiceProvider Services() =>
        new ServiceCollection()
            .AddLogging()
            .AddToilRuntime(o => o.WorkDir = Directory.CreateDirectory(Path.Combine(_t.Parent, "work")).FullName)
            .AddToilJob<InlineParent, InlineInput>(InlineJson.Default.InlineInput)
            .AddToilJob<InlineChild, InlineInput>(InlineJson.Default.InlineInput)
            .BuildServiceProvider();

    private static JobTypeRegistry Registry(IServiceProvider provider) => provider.GetRequiredService<JobTypeRegistry>();

    private string[] JobDirectoryEntries(string id) =>
        [.. Directory.EnumerateFileSystemEntries(Path.Combine(_t.StorePath, "jobs", id)).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
}

public sealed record InlineInput(int Count, string Text);

[JsonSerializable(typeof(InlineInput))]
internal sealed partial class InlineJson : JsonSerializerContext
{
}

/// <summary>Adds <see cref="InlineInput.Count"/> children, each with its own text.</summary>
[ToilJob("inline-parent")]
public sealed class InlineParent : IJob<InlineInput>
{
    public ValueTask RunAsync(InlineInput input, JobContext context, CancellationToken cancellationToken)
    {
        for (int i = 0; i < input.Count; i++)
        {
            context.AddChild<InlineChild, InlineInput>(new InlineInput(0, $"{input.Text}-{i}"));
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>Records the text it was given.</summary>
[ToilJob("inline-child")]
public sealed class InlineChild : IJob<InlineInput>
{
    public static ConcurrentBag<string> Seen { get; } = [];

    public ValueTask RunAsync(InlineInput input, JobContext context, CancellationToken cancellationToken)
    {
        Seen.Add(input.Text);
        return ValueTask.CompletedTask;
    }
}
