using FluentAssertions;
using NUnit.Framework;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Testing;

/// <content>Job records: creation, loading, updating, optimistic concurrency, deletion, listing, root job.</content>
public abstract partial class JobStoreConformanceTests
{
    /// <summary>A new store has no jobs, no root, and loading an unknown job is a <see cref="NoSuchJobException"/>.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task NewStore_Empty_HasNoJobsNoRootAndLoadThrowsNoSuchJob()
    {
        (await Store.JobExistsAsync("nonexistent-job", Cancellation).ConfigureAwait(false)).Should().BeFalse();
        (await ListAsync(Store).ConfigureAwait(false)).Should().BeEmpty();
        (await Store.GetRootJobIdAsync(Cancellation).ConfigureAwait(false)).Should().BeNull();

        var load = async () => await Store.LoadJobAsync("nonexistent-job", Cancellation).ConfigureAwait(false);
        (await load.Should().ThrowAsync<NoSuchJobException>().ConfigureAwait(false)).Which.JobId.Should().Be("nonexistent-job");
        var root = async () => await Store.LoadRootJobAsync(Cancellation).ConfigureAwait(false);
        await root.Should().ThrowAsync<NoSuchJobException>().ConfigureAwait(false);
    }

    /// <summary>Creating a job replaces its temporary ID, writes version 1 and keeps every requirement and name.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task CreateJobAsync_NewJob_AssignsRealIdAndKeepsFields()
    {
        var job = NewJob("creation");
        JobDescription.IsTemporaryId(job.JobStoreId).Should().BeTrue();

        string id = await Store.AssignJobIdAsync(job, Cancellation).ConfigureAwait(false);
        id.Should().NotBeNullOrEmpty().And.Be(job.JobStoreId);
        JobDescription.IsTemporaryId(id).Should().BeFalse();
        (await Store.JobExistsAsync(id, Cancellation).ConfigureAwait(false)).Should().BeFalse("an assigned ID is only reserved");

        await Store.CreateJobsAsync([job], Cancellation).ConfigureAwait(false);
        job.Version.Should().Be(1, "a create is the first write");
        (await Store.JobExistsAsync(id, Cancellation).ConfigureAwait(false)).Should().BeTrue();

        var loaded = await Store.LoadJobAsync(id, Cancellation).ConfigureAwait(false);
        loaded.Should().NotBeSameAs(job);
        loaded.JobStoreId.Should().Be(id);
        loaded.Version.Should().Be(1);
        loaded.Config.Should().Be(Store.Config, "the store attaches its configuration to every loaded job");
        loaded.Memory.Bytes.Should().Be(300L * 1024 * 1024);
        loaded.Cores.Should().Be(1.5);
        loaded.Disk.Bytes.Should().Be(1L << 30);
        loaded.Preemptible.Should().BeTrue();
        loaded.JobName.Should().Be("creation");
        loaded.UnitName.Should().Be("unit-creation");
        loaded.GetBody().Should().Be(job.GetBody());
    }

    /// <summary>Distinct jobs get distinct IDs, even with the same name.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task AssignJobIdAsync_SameNameManyTimes_GivesDistinctIds()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < 50; i++)
        {
            ids.Add(await Store.AssignJobIdAsync(NewJob("same"), Cancellation).ConfigureAwait(false));
        }

        ids.Should().HaveCount(50);
    }

    /// <summary>Eight tasks on two instances assigning and creating jobs at once get distinct IDs, and every job exists.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task CreateJobAsync_ConcurrentCreatorsOnBothInstances_DistinctIdsAndAllExist()
    {
        var second = await OpenSecondStoreAsync().ConfigureAwait(false);
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();

        async Task CreateManyAsync(int worker)
        {
            var store = worker % 2 == 0 ? Store : second;
            for (int i = 0; i < 25; i++)
            {
                ids.Add(await store.CreateJobAsync(NewJob("same-name"), Cancellation).ConfigureAwait(false));
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(() => CreateManyAsync(w), Cancellation))).ConfigureAwait(false);

        ids.Should().OnlyHaveUniqueItems().And.HaveCount(200);
        (await ListAsync(Store).ConfigureAwait(false)).Select(j => j.JobStoreId).Should().BeEquivalentTo(ids);
    }

    /// <summary>A job whose ID the store never assigned (still temporary) cannot be created.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task CreateJobsAsync_TemporaryId_ThrowsInvalidJobStoreIdAndCreatesNothing()
    {
        var job = NewJob();
        var act = async () => await Store.CreateJobsAsync([job], Cancellation).ConfigureAwait(false);

        await act.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
        (await ListAsync(Store).ConfigureAwait(false)).Should().BeEmpty();
    }

    /// <summary>Creating a job that already exists is an error and leaves the stored record as it was.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task CreateJobsAsync_ExistingJob_ThrowsAndKeepsTheRecord()
    {
        var job = NewJob();
        string id = await CreateAsync(job).ConfigureAwait(false);
        var again = (await Store.LoadJobAsync(id, Cancellation).ConfigureAwait(false)).Clone();
        again.AddChild("must-not-appear");

        var act = async () => await Store.CreateJobsAsync([again], Cancellation).ConfigureAwait(false);

        await act.Should().ThrowAsync<JobStoreException>().ConfigureAwait(false);
        var stored = await Store.LoadJobAsync(id, Cancellation).ConfigureAwait(false);
        stored.Version.Should().Be(1);
        stored.AllSuccessors().Should().BeEmpty();
    }

    /// <summary>A batch naming the same job twice is an error; whatever was written of it is a single version-1 record.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task CreateJobsAsync_SameJobTwiceInOneBatch_ThrowsAndNeverWritesTwice()
    {
        var job = NewJob();
        string id = await Store.AssignJobIdAsync(job, Cancellation).ConfigureAwait(false);

        var act = async () => await Store.CreateJobsAsync([job, job], Cancellation).ConfigureAwait(false);

        await act.Should().ThrowAsync<JobStoreException>().ConfigureAwait(false);
        if (await Store.JobExistsAsync(id, Cancellation).ConfigureAwait(false))
        {
            (await Store.LoadJobAsync(id, Cancellation).ConfigureAwait(false)).Version.Should().Be(1);
        }
    }

    /// <summary>A hundred jobs created in one batch all exist, as version 1, and another instance lists them.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task CreateJobsAsync_BatchOfHundred_AllExistOnBothInstances()
    {
        List<JobDescription> jobs = [];
        for (int i = 0; i < 100; i++)
        {
            var job = NewJob("batch" + i);
            await Store.AssignJobIdAsync(job, Cancellation).ConfigureAwait(false);
            jobs.Add(job);
        }

        await Store.CreateJobsAsync(jobs, Cancellation).ConfigureAwait(false);

        var second = await OpenSecondStoreAsync().ConfigureAwait(false);
        foreach (var job in jobs)
        {
            (await second.JobExistsAsync(job.JobStoreId, Cancellation).ConfigureAwait(false)).Should().BeTrue();
        }

        var listed = await ListAsync(second).ConfigureAwait(false);
        listed.Select(j => j.JobStoreId).Should().BeEquivalentTo(jobs.Select(j => j.JobStoreId));
        listed.Should().OnlyContain(j => j.Version == 1);
        listed.Select(j => j.JobName).Should().BeEquivalentTo(jobs.Select(j => j.JobName));
    }

    /// <summary>
    /// A record loaded through a second instance carries every field the first wrote (successors in phases, services,
    /// commit journal, chain names, retry state, checkpoint) and is a new object each time.
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task LoadJobAsync_FromSecondInstance_ReturnsEveryFieldAsANewObject()
    {
        var job = new CheckpointJobDescription("rich", new JobRequirements
        {
            Memory = "2Gi",
            Cores = 0.25,
            Disk = 3_000_000_000,
            Preemptible = false,
            Walltime = TimeSpan.FromSeconds(90),
            Accelerators = [new AcceleratorRequirement(2, Api: "cuda", Brand: "nvidia")],
        }, unitName: "u", displayName: "Rich Job", local: true);
        job.AttachBody(new JobBody("rich.type", "files-flat/file-1/input.json"));
        job.SetCheckpoint();
        job.CheckpointFilesToDelete.Add("promise-1");
        job.SetSuccessorPhases([["adopted-1"], ["follow-1", "follow-2"], ["child-1"]]);
        job.AddServiceHostJob("service-1");
        job.AddServiceHostJob("service-2", "service-1");
        job.FilesToDelete.AddRange(["1", "2"]);
        job.MergedJobNames.Add(new JobNames("a", "ua", "A", "A", "id-a"));
        job.MergedJobNames.Add(new JobNames("rich", "u", "Rich Job", "Rich Job", "id-rich"));
        job.FilesToUse.Add("input-file");
        job.RemainingTryCountOverride = 3;
        job.RetryBackoffSecondsOverride = 6;
        job.PredecessorNumber = 2;
        job.PredecessorsFinished.Add("pred-1");
        job.LogJobStoreFileId = "log-file";
        string id = await CreateAsync(job).ConfigureAwait(false);

        var second = await OpenSecondStoreAsync().ConfigureAwait(false);
        var loaded = await second.LoadJobAsync(id, Cancellation).ConfigureAwait(false);
        var again = await second.LoadJobAsync(id, Cancellation).ConfigureAwait(false);

        loaded.Should().NotBeSameAs(again).And.NotBeSameAs(job);
        var checkpoint = loaded.Should().BeOfType<CheckpointJobDescription>().Subject;
        checkpoint.Checkpoint.Should().Be(new JobBody("rich.type", "files-flat/file-1/input.json"));
        checkpoint.CheckpointFilesToDelete.Should().Equal("promise-1");
        loaded.GetBody().Should().Be(job.GetBody());
        loaded.Requirements.Should().Be(job.Requirements);
        loaded.Walltime.Should().Be(TimeSpan.FromSeconds(90));
        loaded.Accelerators.Should().Equal(new AcceleratorRequirement(2, Api: "cuda", Brand: "nvidia"));
        loaded.Local.Should().BeTrue();
        loaded.DisplayName.Should().Be("Rich Job");
        loaded.SuccessorPhases.Select(p => p.OrderBy(x => x, StringComparer.Ordinal).ToList()).Should().BeEquivalentTo(
            new[] { new[] { "adopted-1" }, new[] { "follow-1", "follow-2" }, new[] { "child-1" } },
            o => o.WithStrictOrdering());
        loaded.Children.Should().BeEquivalentTo(["child-1"]);
        loaded.FollowOns.Should().BeEquivalentTo(["follow-1", "follow-2"]);
        loaded.ServiceTree.Should().ContainKey("service-1").WhoseValue.Should().Equal("service-2");
        loaded.ServiceTree.Should().ContainKey("service-2").WhoseValue.Should().BeEmpty();
        loaded.FilesToDelete.Should().Equal("1", "2");
        loaded.MergedJobNames.Should().Equal(job.MergedJobNames);
        loaded.FilesToUse.Should().BeEquivalentTo(["input-file"]);
        loaded.RemainingTryCount.Should().Be(3);
        loaded.RetryBackoff.Should().Be(TimeSpan.FromSeconds(6));
        loaded.PredecessorNumber.Should().Be(2);
        loaded.PredecessorsFinished.Should().BeEquivalentTo(["pred-1"]);
        loaded.LogJobStoreFileId.Should().Be("log-file");
        second.Config.Should().Be(Store.Config, "a second instance reads the persisted configuration");
    }

    /// <summary>
    /// A body held inline (<see cref="JobBody.Inline"/>, and a checkpoint snapshot of one) is stored with the record and
    /// read back with the same bytes, on the instance that wrote it and on another one (docs/decisions.md#inline-bodies).
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task CreateJobAsync_InlineBodyAndSnapshot_LoadsTheSameBytes()
    {
        byte[] input = System.Text.Encoding.UTF8.GetBytes("""{"schemaVersion":1,"type":"conformance.inline","input":{"n":42},"promises":[]}""");
        var job = new CheckpointJobDescription("inline-body");
        job.AttachBody(JobBody.Inline("conformance.inline", input));
        job.SetCheckpoint();
        string id = await CreateAsync(job).ConfigureAwait(false);

        foreach (var store in new[] { Store, await OpenSecondStoreAsync().ConfigureAwait(false) })
        {
            var loaded = (CheckpointJobDescription)await store.LoadJobAsync(id, Cancellation).ConfigureAwait(false);
            loaded.GetBody().IsInline.Should().BeTrue();
            loaded.GetBody().FileId.Should().BeNull();
            loaded.GetBody().Input.ToArray().Should().Equal(input);
            loaded.Checkpoint.Should().Be(loaded.GetBody());
        }
    }

    /// <summary>A loaded job is the caller's own copy: changing it, or the object that was created, changes nothing stored.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task LoadJobAsync_ModifyingLoadedOrCreatedObject_DoesNotChangeTheStore()
    {
        var job = NewJob();
        string id = await CreateAsync(job).ConfigureAwait(false);
        job.AddChild("added-to-the-created-object");
        job.FilesToDelete.Add("x");

        var loaded = await Store.LoadJobAsync(id, Cancellation).ConfigureAwait(false);
        loaded.AddFollowOn("added-to-the-loaded-object");
        loaded.DetachBody();
        loaded.ServiceTree["svc"] = [];

        var fresh = await Store.LoadJobAsync(id, Cancellation).ConfigureAwait(false);
        fresh.AllSuccessors().Should().BeEmpty();
        fresh.FilesToDelete.Should().BeEmpty();
        fresh.HasBody.Should().BeTrue();
        fresh.ServiceTree.Should().BeEmpty();
    }

    /// <summary>A child added to a parent, with the parent updated, loads through the parent's successors (testChildLoadingEquality).</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task LoadJobAsync_ChildOfUpdatedParent_LoadsThroughParentSuccessors()
    {
        var parent = NewJob("parent");
        await CreateAsync(parent).ConfigureAwait(false);
        var child = NewJob("child");
        string childId = await CreateAsync(child).ConfigureAwait(false);
        parent.AddChild(childId);
        await Store.UpdateJobAsync(parent, Cancellation).ConfigureAwait(false);

        var second = await OpenSecondStoreAsync().ConfigureAwait(false);
        var reloadedParent = await second.LoadJobAsync(parent.JobStoreId, Cancellation).ConfigureAwait(false);
        var loadedChild = await second.LoadJobAsync(reloadedParent.AllSuccessors().Single(), Cancellation).ConfigureAwait(false);

        loadedChild.GetBody().Should().Be(child.GetBody());
    }

    /// <summary>The commit journal <see cref="JobDescription.FilesToDelete"/> survives an update (testPersistantFilesToDelete).</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task UpdateJobAsync_FilesToDelete_Persist()
    {
        var job = NewJob();
        string id = await CreateAsync(job).ConfigureAwait(false);
        job.FilesToDelete.AddRange(["1", "2"]);
        await Store.UpdateJobAsync(job, Cancellation).ConfigureAwait(false);

        (await Store.LoadJobAsync(id, Cancellation).ConfigureAwait(false)).FilesToDelete.Should().Equal("1", "2");
    }

    /// <summary>
    /// An update made through a second instance is invisible to an object loaded earlier from the first, and visible
    /// once reloaded (testUpdateBehavior).
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task UpdateJobAsync_OnSecondInstance_VisibleOnFirstAfterReload()
    {
        var job1 = NewJob();
        string id = await CreateAsync(job1).ConfigureAwait(false);
        var second = await OpenSecondStoreAsync().ConfigureAwait(false);
        var job2 = await second.LoadJobAsync(id, Cancellation).ConfigureAwait(false);
        var childA = NewJob("a");
        var childB = NewJob("b");
        job2.AddChild(await second.CreateJobAsync(childA, Cancellation).ConfigureAwait(false));
        job2.AddChild(await second.CreateJobAsync(childB, Cancellation).ConfigureAwait(false));
        await second.UpdateJobAsync(job2, Cancellation).ConfigureAwait(false);

        job1.AllSuccessors().Should().BeEmpty("an object in memory does not change under its holder");
        var reloaded = await Store.LoadJobAsync(id, Cancellation).ConfigureAwait(false);
        reloaded.AllSuccessors().Should().BeEquivalentTo([childA.JobStoreId, childB.JobStoreId]);
        reloaded.Version.Should().Be(job2.Version);
        reloaded.Should().NotBeSameAs(job2);
    }

    /// <summary>Every write raises the version by exactly one, in the stored record and in the caller's object.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task UpdateJobAsync_EveryWrite_IncrementsVersionByOne()
    {
        var job = NewJob();
        string id = await CreateAsync(job).ConfigureAwait(false);
        for (int expected = 2; expected <= 5; expected++)
        {
            job.AddChild("c" + expected);
            await Store.UpdateJobAsync(job, Cancellation).ConfigureAwait(false);
            job.Version.Should().Be(expected);
            (await Store.LoadJobAsync(id, Cancellation).ConfigureAwait(false)).Version.Should().Be(expected);
        }
    }

    /// <summary>
    /// An update based on a version that is no longer stored (another writer got there first) throws
    /// <see cref="ConcurrentJobModificationException"/>, writes nothing, and leaves the stale object's version alone.
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task UpdateJobAsync_StaleVersion_ThrowsConcurrentModificationAndWritesNothing()
    {
        var job = NewJob();
        string id = await CreateAsync(job).ConfigureAwait(false);
        var second = await OpenSecondStoreAsync().ConfigureAwait(false);
        var winner = await Store.LoadJobAsync(id, Cancellation).ConfigureAwait(false);
        var loser = await second.LoadJobAsync(id, Cancellation).ConfigureAwait(false);
        winner.AddChild("winner-child");
        await Store.UpdateJobAsync(winner, Cancellation).ConfigureAwait(false);

        loser.AddChild("loser-child");
        loser.DetachBody();
        var act = async () => await second.UpdateJobAsync(loser, Cancellation).ConfigureAwait(false);

        var thrown = (await act.Should().ThrowAsync<ConcurrentJobModificationException>().ConfigureAwait(false)).Which;
        thrown.JobId.Should().Be(id);
        thrown.ExpectedVersion.Should().Be(1);
        thrown.ActualVersion.Should().Be(2);
        loser.Version.Should().Be(1, "a rejected update does not advance the caller's version");
        var stored = await Store.LoadJobAsync(id, Cancellation).ConfigureAwait(false);
        stored.Version.Should().Be(2);
        stored.Children.Should().BeEquivalentTo(["winner-child"]);
        stored.HasBody.Should().BeTrue();
    }

    /// <summary>Updating a job that was never created, or was deleted, throws <see cref="NoSuchJobException"/>.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task UpdateJobAsync_MissingJob_ThrowsNoSuchJob()
    {
        var job = NewJob();
        string id = await CreateAsync(job).ConfigureAwait(false);
        await Store.DeleteJobAsync(id, Cancellation).ConfigureAwait(false);

        var act = async () => await Store.UpdateJobAsync(job, Cancellation).ConfigureAwait(false);

        await act.Should().ThrowAsync<NoSuchJobException>().ConfigureAwait(false);
        (await Store.JobExistsAsync(id, Cancellation).ConfigureAwait(false)).Should().BeFalse("a failed update does not resurrect the job");
    }

    /// <summary>
    /// An update with a description that cannot be persisted faithfully (a service child that is not a service) never
    /// leaves an unreadable record: either the update throws and nothing changed (stored record and the caller's
    /// version), or it succeeds and the record loads.
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task UpdateJobAsync_UnpersistableDescription_NeverLeavesAnUnreadableRecord()
    {
        var job = NewJob();
        string id = await CreateAsync(job).ConfigureAwait(false);
        job.AddServiceHostJob("svc");
        job.ServiceTree["svc"].Add("not-a-service");

        Exception? failure = null;
        try
        {
            await Store.UpdateJobAsync(job, Cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or JobStoreException)
        {
            failure = e;
        }

        var stored = await Store.LoadJobAsync(id, Cancellation).ConfigureAwait(false);
        if (failure is not null)
        {
            job.Version.Should().Be(1, "a failed update does not advance the caller's version");
            stored.Version.Should().Be(1);
            stored.ServiceTree.Should().BeEmpty();
        }
        else
        {
            stored.Version.Should().Be(2);
        }
    }

    /// <summary>
    /// Eight writers on two instances, each doing load → modify → update and retrying on
    /// <see cref="ConcurrentJobModificationException"/>, lose no update: every increment and every mark lands.
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task UpdateJobAsync_EightConcurrentWritersWithRetry_LoseNoUpdate()
    {
        const int Writers = 8;
        const int UpdatesEach = 10;
        var job = NewJob();
        string id = await CreateAsync(job).ConfigureAwait(false);
        var second = await OpenSecondStoreAsync().ConfigureAwait(false);
        int conflicts = 0;

        async Task WriteAsync(int writer)
        {
            var store = writer % 2 == 0 ? Store : second;
            for (int k = 0; k < UpdatesEach; k++)
            {
                for (int attempt = 0; ; attempt++)
                {
                    attempt.Should().BeLessThan(10_000, "a writer must eventually win");
                    var current = await store.LoadJobAsync(id, Cancellation).ConfigureAwait(false);
                    current.PredecessorNumber++;
                    current.FilesToUse.Add($"w{writer}-{k}");
                    try
                    {
                        await store.UpdateJobAsync(current, Cancellation).ConfigureAwait(false);
                        break;
                    }
                    catch (ConcurrentJobModificationException)
                    {
                        Interlocked.Increment(ref conflicts);
                        await Task.Yield();
                    }
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() => WriteAsync(w), Cancellation))).ConfigureAwait(false);

        var final = await Store.LoadJobAsync(id, Cancellation).ConfigureAwait(false);
        final.PredecessorNumber.Should().Be(Writers * UpdatesEach);
        final.FilesToUse.Should().HaveCount(Writers * UpdatesEach);
        final.Version.Should().Be(1 + (Writers * UpdatesEach), "each successful update is exactly one version");
        TestContext.Out.WriteLine($"{conflicts} conflicts were retried.");
    }

    /// <summary>
    /// A record that grows large (thousands of successors) and then shrinks to a few round-trips exactly both times:
    /// nothing of the larger record survives in the smaller one (testGrowingAndShrinkingJob).
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task UpdateJobAsync_GrowingThenShrinkingJob_RoundTripsBothSizes()
    {
        var job = NewJob();
        string id = await CreateAsync(job).ConfigureAwait(false);
        var many = Enumerable.Range(0, 12_000).Select(i => $"successor-{i:D6}-with-a-reasonably-long-id").ToList();
        foreach (string s in many)
        {
            job.AddChild(s);
        }

        await Store.UpdateJobAsync(job, Cancellation).ConfigureAwait(false);
        var second = await OpenSecondStoreAsync().ConfigureAwait(false);
        var grown = await second.LoadJobAsync(id, Cancellation).ConfigureAwait(false);
        grown.Children.Should().BeEquivalentTo(many);

        grown.ClearDependents();
        grown.AddChild("only-child");
        grown.AddFollowOn("only-follow-on");
        await second.UpdateJobAsync(grown, Cancellation).ConfigureAwait(false);

        var shrunk = await Store.LoadJobAsync(id, Cancellation).ConfigureAwait(false);
        shrunk.Children.Should().BeEquivalentTo(["only-child"]);
        shrunk.FollowOns.Should().BeEquivalentTo(["only-follow-on"]);
        shrunk.SuccessorPhases.Should().HaveCount(2);
        shrunk.Version.Should().Be(3);
    }

    /// <summary>
    /// Deleting a parent leaves its children; deleting a job makes it vanish from exists, load and the listing; deleting
    /// again does nothing (testJobDeletions).
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task DeleteJobAsync_ParentAndChildren_DeletesOnlyTheNamedJobIdempotently()
    {
        var parent = NewJob("parent");
        await CreateAsync(parent).ConfigureAwait(false);
        string c1 = await CreateAsync(NewJob("c1")).ConfigureAwait(false);
        string c2 = await CreateAsync(NewJob("c2")).ConfigureAwait(false);
        parent.AddChild(c1);
        parent.AddChild(c2);
        await Store.UpdateJobAsync(parent, Cancellation).ConfigureAwait(false);
        (await ListAsync(Store).ConfigureAwait(false)).Select(j => j.JobStoreId).Should().BeEquivalentTo([parent.JobStoreId, c1, c2]);

        await Store.DeleteJobAsync(parent.JobStoreId, Cancellation).ConfigureAwait(false);
        var second = await OpenSecondStoreAsync().ConfigureAwait(false);
        (await second.JobExistsAsync(parent.JobStoreId, Cancellation).ConfigureAwait(false)).Should().BeFalse();
        (await ListAsync(second).ConfigureAwait(false)).Select(j => j.JobStoreId).Should().BeEquivalentTo([c1, c2]);

        foreach (string child in new[] { c1, c2 })
        {
            await second.DeleteJobAsync(child, Cancellation).ConfigureAwait(false);
            (await Store.JobExistsAsync(child, Cancellation).ConfigureAwait(false)).Should().BeFalse();
            var load = async () => await Store.LoadJobAsync(child, Cancellation).ConfigureAwait(false);
            await load.Should().ThrowAsync<NoSuchJobException>().ConfigureAwait(false);
        }

        await Store.DeleteJobAsync(c1, Cancellation).ConfigureAwait(false);
        await Store.DeleteJobAsync("never-existed", Cancellation).ConfigureAwait(false);
        (await ListAsync(Store).ConfigureAwait(false)).Should().BeEmpty();
    }

    /// <summary>
    /// A deleted job's ID is no longer the store's: writing a file owned by it fails with <see cref="NoSuchJobException"/>
    /// and creating a record under it fails with <see cref="InvalidJobStoreIdException"/>.
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task DeleteJobAsync_Deleted_IdTakesNoFilesAndNoNewRecord()
    {
        var job = NewJob("deleted");
        string id = await CreateAsync(job).ConfigureAwait(false);

        await Store.DeleteJobAsync(id, Cancellation).ConfigureAwait(false);

        var write = async () => await WriteTextAsync(Store, "orphan", jobId: id, cleanup: true).ConfigureAwait(false);
        await write.Should().ThrowAsync<NoSuchJobException>().ConfigureAwait(false);
        var recreate = async () => await Store.CreateJobsAsync([job], Cancellation).ConfigureAwait(false);
        await recreate.Should().ThrowAsync<InvalidJobStoreIdException>().ConfigureAwait(false);
        (await Store.JobExistsAsync(id, Cancellation).ConfigureAwait(false)).Should().BeFalse();
    }

    /// <summary>The root job is recorded for every instance; once deleted, loading it fails with <see cref="NoSuchJobException"/>.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task SetRootJobIdAsync_RootSet_EveryInstanceLoadsItUntilDeleted()
    {
        var root = NewJob("root");
        string id = await Store.CreateRootJobAsync(root, Cancellation).ConfigureAwait(false);
        var second = await OpenSecondStoreAsync().ConfigureAwait(false);

        (await second.GetRootJobIdAsync(Cancellation).ConfigureAwait(false)).Should().Be(id);
        (await second.LoadRootJobAsync(Cancellation).ConfigureAwait(false)).JobName.Should().Be("root");

        await Store.DeleteJobAsync(id, Cancellation).ConfigureAwait(false);
        var act = async () => await second.LoadRootJobAsync(Cancellation).ConfigureAwait(false);
        await act.Should().ThrowAsync<NoSuchJobException>().ConfigureAwait(false);
    }

    /// <summary>The extension that drops successors and services which no longer exist keeps exactly the live ones.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task ClearNonexistentDependentsAsync_SomeDeleted_KeepsOnlyLiveDependents()
    {
        string live = await CreateAsync(NewJob("live")).ConfigureAwait(false);
        string gone = await CreateAsync(NewJob("gone")).ConfigureAwait(false);
        string liveService = await CreateAsync(NewJob("live-service")).ConfigureAwait(false);
        string goneService = await CreateAsync(NewJob("gone-service")).ConfigureAwait(false);
        await Store.DeleteJobAsync(gone, Cancellation).ConfigureAwait(false);
        await Store.DeleteJobAsync(goneService, Cancellation).ConfigureAwait(false);
        var job = NewJob();
        job.AddChild(live);
        job.AddFollowOn(gone);
        job.AddServiceHostJob(liveService);
        job.AddServiceHostJob(goneService, liveService);

        await Store.ClearNonexistentDependentsAsync(job, Cancellation).ConfigureAwait(false);

        job.AllSuccessors().Should().Equal(live);
        job.ServiceTree.Should().ContainSingle().Which.Should().BeEquivalentTo(new KeyValuePair<string, List<string>>(liveService, []));
    }

    /// <summary>
    /// A record that is empty, truncated, not a job, of an unknown schema version or not JSON at all makes
    /// <see cref="IJobStore.LoadJobAsync"/> throw <see cref="CorruptJobRecordException"/> naming the job; the record is
    /// kept (no data lost) and other jobs still load. Needs <see cref="OverwriteJobRecordAsync"/>.
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task LoadJobAsync_CorruptRecord_ThrowsCorruptJobRecordNamingTheJobAndKeepsIt()
    {
        string healthy = await CreateAsync(NewJob("healthy")).ConfigureAwait(false);
        var victim = NewJob("victim");
        string id = await CreateAsync(victim).ConfigureAwait(false);
        byte[] good = Serialization.JobDescriptionSerializer.Serialize(await Store.LoadJobAsync(id, Cancellation).ConfigureAwait(false));
        string unknownVersion = System.Text.Encoding.UTF8.GetString(good).Replace("\"schemaVersion\":1", "\"schemaVersion\":99", StringComparison.Ordinal);
        byte[][] corruptions =
        [
            [],
            good[..(good.Length / 2)],
            "{}"u8.ToArray(),
            "[1,2,3]"u8.ToArray(),
            System.Text.Encoding.UTF8.GetBytes(unknownVersion),
            [0xFF, 0xFE, 0x00, 0x01, 0x02],
        ];

        foreach (byte[] corrupt in corruptions)
        {
            await OverwriteJobRecordAsync(Store, id, corrupt, Cancellation).ConfigureAwait(false);

            var load = async () => await Store.LoadJobAsync(id, Cancellation).ConfigureAwait(false);

            var thrown = (await load.Should().ThrowAsync<CorruptJobRecordException>().ConfigureAwait(false)).Which;
            thrown.JobId.Should().Be(id);
            thrown.Message.Should().Contain(id);
            (await Store.JobExistsAsync(id, Cancellation).ConfigureAwait(false)).Should().BeTrue("a corrupt record is reported, never deleted");
            (await Store.LoadJobAsync(healthy, Cancellation).ConfigureAwait(false)).JobName.Should().Be("healthy");
        }

        await OverwriteJobRecordAsync(Store, id, good, Cancellation).ConfigureAwait(false);
        (await Store.LoadJobAsync(id, Cancellation).ConfigureAwait(false)).JobName.Should().Be("victim", "the record was kept and can be repaired");
    }
}
