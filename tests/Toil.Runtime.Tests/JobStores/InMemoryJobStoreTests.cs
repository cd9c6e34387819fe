using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;
using Toil.Runtime.Serialization;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>What <see cref="InMemoryJobStore"/> does beyond the shared conformance suite.</summary>
public sealed class InMemoryJobStoreTests
{
    [Test]
    public async Task Constructor_Config_IsPersistedAsTheConfigSharedFile()
    {
        var config = new WorkflowConfig { RetryCount = 4, DefaultMemory = "1Gi" };
        await using var store = new InMemoryJobStore(config);

        byte[] persisted = await store.ReadSharedFileBytesAsync(SharedFileNames.Config);

        JobDescriptionSerializer.DeserializeConfig(persisted, store.Locator).Should().Be(config);
        store.Config.Should().BeSameAs(config);
        store.Locator.Should().StartWith("memory:");
    }

    [Test]
    public async Task AnyOperation_AfterDestroy_ThrowsNoSuchJobStore()
    {
        await using var store = new InMemoryJobStore();
        string id = await store.CreateJobAsync(new JobDescription("j"));
        await store.DestroyAsync();

        var load = async () => await store.LoadJobAsync(id);
        var write = async () => await store.WriteFileAsync("x"u8.ToArray());
        var logs = async () => await store.WriteLogsAsync("x");

        await load.Should().ThrowAsync<NoSuchJobStoreException>();
        await write.Should().ThrowAsync<NoSuchJobStoreException>();
        await logs.Should().ThrowAsync<NoSuchJobStoreException>();
    }

    [Test]
    public async Task TryReadFileInPlace_FileUpdatedAfterLending_LentBytesStayAsTheyWere()
    {
        await using var store = new InMemoryJobStore();
        string id = await store.WriteFileAsync("first"u8.ToArray());

        ((IJobStoreTraits)store).TryReadFileInPlace(id, out var lent).Should().BeTrue();
        await store.UpdateFileAsync(id, new MemoryStream("second"u8.ToArray()));

        lent.ToArray().Should().Equal("first"u8.ToArray());
        ((IJobStoreTraits)store).TryReadFileInPlace(id, out var now).Should().BeTrue();
        now.ToArray().Should().Equal("second"u8.ToArray());
        (await store.ReadAllBytesAsync(id)).Should().Equal("second"u8.ToArray());
    }

    [Test]
    public async Task TryReadFileInPlace_MissingFile_ReturnsFalseAndTheUsualReadThrowsNoSuchFile()
    {
        await using var store = new InMemoryJobStore();
        string id = await store.WriteFileAsync("x"u8.ToArray());
        await store.DeleteFileAsync(id);

        ((IJobStoreTraits)store).TryReadFileInPlace(id, out var content).Should().BeFalse();
        content.IsEmpty.Should().BeTrue();
        var read = async () => await store.ReadAllBytesAsync(id);
        await read.Should().ThrowAsync<NoSuchFileException>();
    }

    [Test]
    public async Task TryReadFileInPlace_BadIdOrDestroyedStore_ThrowsAsOpenReadFileAsyncDoes()
    {
        await using var store = new InMemoryJobStore();
        string id = await store.WriteFileAsync("x"u8.ToArray());

        var badId = () => ((IJobStoreTraits)store).TryReadFileInPlace("../escape", out _);
        var open = async () => await store.OpenReadFileAsync("../escape");
        var expected = (await open.Should().ThrowAsync<Exception>()).Which.GetType();
        badId.Should().Throw<Exception>().Which.Should().BeOfType(expected);

        await store.DestroyAsync();
        var destroyed = () => ((IJobStoreTraits)store).TryReadFileInPlace(id, out _);
        destroyed.Should().Throw<NoSuchJobStoreException>();
    }

    [Test]
    public async Task OverwriteRecord_MissingJob_ThrowsNoSuchJob()
    {
        await using var store = new InMemoryJobStore();

        var act = () => store.OverwriteRecord("missing", []);

        act.Should().Throw<NoSuchJobException>();
    }

    [Test]
    public async Task UpdateJobAsync_JobThatCannotBePersisted_ThrowsAndLeavesStoreAndVersionAlone()
    {
        await using var store = new InMemoryJobStore();
        var job = new JobDescription("j");
        string id = await store.CreateJobAsync(job);
        job.AddServiceHostJob("svc");
        job.ServiceTree["svc"].Add("not-a-service");

        var act = async () => await store.UpdateJobAsync(job);

        await act.Should().ThrowAsync<InvalidOperationException>();
        job.Version.Should().Be(1, "the caller can fix the job and retry");
        var stored = await store.LoadJobAsync(id);
        stored.Version.Should().Be(1);
        stored.ServiceTree.Should().BeEmpty();
    }

    [Test]
    public async Task CreateJobsAsync_OneJobCannotBePersisted_CreatesNoneAndKeepsVersions()
    {
        await using var store = new InMemoryJobStore();
        var good = new JobDescription("good");
        var bad = new JobDescription("bad") { PredecessorNumber = -1 };
        await store.AssignJobIdAsync(good);
        await store.AssignJobIdAsync(bad);

        var act = async () => await store.CreateJobsAsync([good, bad]);

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*predecessorNumber*");
        (await store.JobExistsAsync(good.JobStoreId)).Should().BeFalse();
        good.Version.Should().Be(0);
        bad.Version.Should().Be(0);
    }

    [Test]
    public async Task LoadJobAsync_AnyKindOfJob_GivesWhatItsRecordReadsBackAs()
    {
        await using var store = new InMemoryJobStore();
        var plain = new JobDescription("plain", new JobRequirements { Memory = "1Gi", Cores = 2, Disk = "5Mi", Preemptible = true }, unitName: "u", displayName: "d", local: true)
        {
            RemainingTryCountOverride = 3,
            RetryBackoffSecondsOverride = 0.1,
            LogJobStoreFileId = "files/log",
        };
        var timed = new JobDescription("timed", new JobRequirements { Walltime = TimeSpan.FromTicks(123_456_789), Accelerators = [new AcceleratorRequirement(2, "gpu", "a100")] });
        var checkpoint = new CheckpointJobDescription("checkpoint");
        var lone = new JobDescription("lone \uD800 surrogate", unitName: "pair \uD83D\uDE00");
        var chained = new JobDescription("chained");
        var successor = new JobDescription("successor");
        foreach (var job in new[] { plain, timed, checkpoint, lone, chained, successor })
        {
            await store.AssignJobIdAsync(job);
        }

        plain.AddChild(chained.JobStoreId);
        plain.AddFollowOn(successor.JobStoreId);
        plain.AddServiceHostJob("svc-a");
        plain.AddServiceHostJob("svc-b", "svc-a");
        plain.PredecessorsFinished.Add("p1");
        plain.FilesToUse.Add("files/in");
        checkpoint.AttachBody(new JobBody("type", "files/body"));
        checkpoint.SetCheckpoint();
        checkpoint.CheckpointFilesToDelete.Add("files/promise");
        await store.CreateJobsAsync([plain, timed, checkpoint, lone, chained, successor]);
        chained.AddChild(successor.JobStoreId);
        successor.PredecessorNumber = 1;
        successor.Replace(chained);
        successor.FilesToDelete.Add("files/gone");
        await store.UpdateJobAsync(successor);

        foreach (var job in new[] { plain, timed, checkpoint, lone, successor })
        {
            byte[] written = JobDescriptionSerializer.Serialize(job);
            var expected = JobDescriptionSerializer.Deserialize(written, job.JobStoreId);
            var loaded = await store.LoadJobAsync(job.JobStoreId);

            loaded.Should().BeOfType(expected.GetType());
            loaded.Should().NotBeSameAs(job);
            JobDescriptionSerializer.Serialize(loaded).Should().Equal(JobDescriptionSerializer.Serialize(expected), $"{job.JobName} reads back as its record does");
            loaded.Config.Should().BeSameAs(store.Config);
        }

        (await store.LoadJobAsync(lone.JobStoreId)).JobName.Should().Be("lone \uFFFD surrogate", "JSON writes a lone surrogate as U+FFFD");

        // Loads are copies: changing one changes neither the store nor the next load.
        var first = await store.LoadJobAsync(plain.JobStoreId);
        first.AddChild("kind-x/instance-ffffffff");
        first.MergedJobNames.Add(first.GetNames());
        first.ServiceTree["svc-a"].Clear();
        var second = await store.LoadJobAsync(plain.JobStoreId);
        JobDescriptionSerializer.Serialize(second).Should().Equal(JobDescriptionSerializer.Serialize(plain));
    }
}
