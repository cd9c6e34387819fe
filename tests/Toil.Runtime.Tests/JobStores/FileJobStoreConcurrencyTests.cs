using Toil.Runtime.JobStores;
using Toil.Runtime.TestHost;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>Optimistic concurrency across store instances on one directory, and bounded lock waits.</summary>
[CancelAfter(120_000)]
public sealed class FileJobStoreConcurrencyTests
{
    private FileJobStoreTestDirectory _t = null!;

    [SetUp]
    public void SetUp() => _t = new FileJobStoreTestDirectory();

    [TearDown]
    public void TearDown() => _t.Dispose();

    [Test]
    public async Task UpdateJobAsync_StaleVersionFromAnotherInstance_ThrowsConcurrentModificationAndWritesNothing()
    {
        await using var a = await _t.CreateAsync();
        await using var b = await _t.OpenAsync();
        string id = await a.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        var fromA = await a.LoadJobAsync(id);
        var fromB = await b.LoadJobAsync(id);
        fromA.UnitName = "written by a";
        await a.UpdateJobAsync(fromA);
        fromB.UnitName = "written by b";

        var act = async () => await b.UpdateJobAsync(fromB);

        var thrown = (await act.Should().ThrowAsync<ConcurrentJobModificationException>()).Which;
        thrown.ExpectedVersion.Should().Be(1);
        thrown.ActualVersion.Should().Be(2);
        fromB.Version.Should().Be(1, "a rejected update leaves the caller's version alone");
        var stored = await b.LoadJobAsync(id);
        stored.UnitName.Should().Be("written by a");
        stored.Version.Should().Be(2);
        fromA.Version.Should().Be(2);
    }

    [Test]
    public async Task UpdateJobAsync_ManyWritersOnTwoInstances_LoseNoUpdate()
    {
        await using var a = await _t.CreateAsync();
        await using var b = await _t.OpenAsync();
        string id = await a.CreateJobAsync(FileJobStoreTestDirectory.NewJob("counter"));
        const int Writers = 6;
        const int Each = 12;
        int conflicts = 0;

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var store = w % 2 == 0 ? a : b;
            for (int done = 0; done < Each;)
            {
                var job = await store.LoadJobAsync(id);
                JobUpdateLoopScenario.Apply(job);

                // Widen the window between read and write (the store's calls may all complete synchronously), so the
                // writers' updates really race.
                await Task.Delay(Random.Shared.Next(0, 3));
                try
                {
                    await store.UpdateJobAsync(job);
                    done++;
                }
                catch (ConcurrentJobModificationException)
                {
                    Interlocked.Increment(ref conflicts);
                }
            }
        })));

        var final = await a.LoadJobAsync(id);
        final.PredecessorNumber.Should().Be(Writers * Each);
        final.Version.Should().Be(1 + (Writers * Each));
        JobUpdateLoopScenario.IsConsistent(final).Should().BeTrue();
        TestContext.Out.WriteLine($"{conflicts} conflicts");
        conflicts.Should().BePositive("six writers on one job do collide, and the collisions are what is being checked");
    }

    [Test]
    public async Task UpdateJobAsync_LockHeldElsewhere_TimesOutWithTypedErrorAndWritesNothing()
    {
        await using var store = await _t.CreateAsync(o => o.LockTimeout = TimeSpan.FromMilliseconds(200));
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        var job = await store.LoadJobAsync(id);
        job.UnitName = "changed";
        string lockPath = Path.Combine(_t.StorePath, "jobs", id);

        // Format 2: the job's lock is flock on its directory; another holder's lock on it.
        using (FileJobStoreDirectoryLock.TryLock(lockPath)!)
        {
            var update = async () => await store.UpdateJobAsync(job);
            var delete = async () => await store.DeleteJobAsync(id);

            var thrown = (await update.Should().ThrowAsync<JobStoreLockTimeoutException>()).Which;
            thrown.JobId.Should().Be(id);
            thrown.LockPath.Should().Be(lockPath);
            thrown.Message.Should().Contain("LockTimeout");
            await delete.Should().ThrowAsync<JobStoreLockTimeoutException>();
            (await store.LoadJobAsync(id)).UnitName.Should().BeEmpty();
            job.Version.Should().Be(1);
        }

        await store.UpdateJobAsync(job);
        (await store.LoadJobAsync(id)).UnitName.Should().Be("changed");
    }

    [Test]
    public async Task DeleteJobAsync_WhileAnotherInstanceUpdates_LeavesTheJobGoneOrUpdatedNeverHalf()
    {
        await using var a = await _t.CreateAsync();
        await using var b = await _t.OpenAsync();
        for (int round = 0; round < 10; round++)
        {
            string id = await a.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
            var job = await b.LoadJobAsync(id);
            JobUpdateLoopScenario.Apply(job);
            var update = Task.Run(async () =>
            {
                try
                {
                    await b.UpdateJobAsync(job);
                }
                catch (NoSuchJobException)
                {
                }
            });
            await a.DeleteJobAsync(id);
            await update;

            (await a.JobExistsAsync(id)).Should().BeFalse("an update never resurrects a deleted job");
            Directory.Exists(Path.Combine(_t.StorePath, "jobs", id)).Should().BeFalse();
        }
    }
}
