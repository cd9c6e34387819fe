using Microsoft.Extensions.Time.Testing;
using Toil.Runtime.Deferred;

namespace Toil.Runtime.Tests.Deferred;

/// <summary>The factory's managers (what a worker gets): no files until a job defers, the same recovery once it does.</summary>
[CancelAfter(60_000)]
public sealed class DeferredFunctionManagerFactoryTests
{
    private DeferredTestDirectory _t = null!;

    [SetUp]
    public void SetUp() => _t = new DeferredTestDirectory();

    [TearDown]
    public void TearDown() => _t.Dispose();

    [Test]
    public async Task OpenAsync_JobDefersNothing_WritesNoLockOrStateFile()
    {
        var manager = await new DeferredFunctionManagerFactory(_t.Registry).OpenAsync(_t.Coordination);
        await using (var scope = await manager.BeginJobAsync())
        {
            _t.TopLevelFiles().Should().BeEmpty("a worker that defers nothing has nothing to recover");
            (await scope.RunAsync()).Should().Be(default(DeferredFunctionRunResult));
        }

        await manager.DisposeAsync();
        _t.TopLevelFiles().Should().BeEmpty();
    }

    [Test]
    public async Task DeferAsync_FirstDeferral_PersistsTheCallUnderALockBeforeItRunsThenRemovesBoth()
    {
        var manager = await new DeferredFunctionManagerFactory(_t.Registry).OpenAsync(_t.Coordination);
        await using (var first = await manager.BeginJobAsync())
        {
            await first.RunAsync();
        }

        var scope = await manager.BeginJobAsync();
        await scope.DeferAsync("note", new Note("kept"));

        _t.TopLevelFiles().Should().Equal(manager.WorkerId + ".json", manager.WorkerId + ".lock");
        (await File.ReadAllTextAsync(Path.Combine(_t.DeferredDirectory, manager.WorkerId + ".json"))).Should().Contain("kept");
        _t.Ran.Should().BeEmpty();

        (await scope.RunAsync()).Should().Be(new DeferredFunctionRunResult(1, 0, 0));
        await scope.DisposeAsync();
        await manager.DisposeAsync();

        _t.Ran.Should().Equal("kept");
        _t.TopLevelFiles().Should().BeEmpty();
    }

    [Test]
    public async Task BeginJobAsync_DeadWorkersStateAndNothingDeferred_RunsTheOrphansAtJobStart()
    {
        _t.WriteDeadWorker("""{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":"note","arguments":{"Text":"x"}}]}""");
        var manager = await new DeferredFunctionManagerFactory(_t.Registry).OpenAsync(_t.Coordination);

        await using (await manager.BeginJobAsync())
        {
            _t.Ran.Should().Equal("x");
        }

        await manager.DisposeAsync();
        _t.TopLevelFiles().Should().BeEmpty();
    }

    [Test]
    public async Task BeginJobAsync_RightAfterTheLastJobsEndScan_ThatScanServesAndTheNextEndScanRunsTheOrphan()
    {
        const string state = """{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":"note","arguments":{"Text":"between"}}]}""";
        var time = new FakeTimeProvider();
        var manager = await new DeferredFunctionManagerFactory(_t.Registry, timeProvider: time).OpenAsync(_t.Coordination);
        await using (var first = await manager.BeginJobAsync())
        {
            await first.RunAsync();
        }

        _t.WriteDeadWorker(state);
        time.Advance(LazyDeferredFunctionManager.BackToBack - TimeSpan.FromMilliseconds(1));
        var second = await manager.BeginJobAsync();
        _t.Ran.Should().BeEmpty("the first job's end scan stands for the second job's start scan");

        (await second.RunAsync()).Should().Be(new DeferredFunctionRunResult(1, 0, 0));
        await second.DisposeAsync();
        _t.Ran.Should().Equal("between");

        _t.WriteDeadWorker(state.Replace("between", "at close", StringComparison.Ordinal));
        await manager.DisposeAsync();
        _t.Ran.Should().Equal(["between"], "the second job's end scan stands for the scan at close");
    }

    [Test]
    public async Task BeginJobAsync_OneSecondAfterTheLastJobsEndScan_ScansAgain()
    {
        var time = new FakeTimeProvider();
        var manager = await new DeferredFunctionManagerFactory(_t.Registry, timeProvider: time).OpenAsync(_t.Coordination);
        await using (var first = await manager.BeginJobAsync())
        {
            await first.RunAsync();
        }

        _t.WriteDeadWorker("""{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":"note","arguments":{"Text":"late"}}]}""");
        time.Advance(LazyDeferredFunctionManager.BackToBack);
        await using (await manager.BeginJobAsync())
        {
            _t.Ran.Should().Equal("late");
        }

        await manager.DisposeAsync();
    }

    [Test]
    public async Task BeginJobAsync_EndScanAlreadyServedOneScan_TheThirdScansAgain()
    {
        var time = new FakeTimeProvider();
        var manager = await new DeferredFunctionManagerFactory(_t.Registry, timeProvider: time).OpenAsync(_t.Coordination);
        await using (var first = await manager.BeginJobAsync())
        {
            await first.RunAsync();
        }

        // The second job starts on the first's end scan; it ends without running its scope (a failed start, say).
        await (await manager.BeginJobAsync()).DisposeAsync();
        _t.WriteDeadWorker("""{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":"note","arguments":{"Text":"third"}}]}""");
        await using (await manager.BeginJobAsync())
        {
            _t.Ran.Should().Equal("third");
        }

        await manager.DisposeAsync();
    }

    [Test]
    public async Task DeferAsync_AfterTheScopeRanWithoutDeferring_Throws()
    {
        var manager = await new DeferredFunctionManagerFactory(_t.Registry).OpenAsync(_t.Coordination);
        await using var _ = manager;
        var scope = await manager.BeginJobAsync();
        await scope.RunAsync();

        var act = async () => await scope.DeferAsync("note", new Note("late"));

        await act.Should().ThrowAsync<InvalidOperationException>();
        _t.TopLevelFiles().Should().BeEmpty();
    }
}
