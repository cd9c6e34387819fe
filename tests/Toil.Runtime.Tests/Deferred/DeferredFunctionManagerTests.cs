using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Toil.Runtime.Deferred;

namespace Toil.Runtime.Tests.Deferred;

[CancelAfter(60_000)]
public sealed class DeferredFunctionManagerTests
{
    private DeferredTestDirectory _t = null!;

    [SetUp]
    public void SetUp() => _t = new DeferredTestDirectory();

    [TearDown]
    public void TearDown() => _t.Dispose();

    [Test]
    public async Task RunAsync_JobSucceeded_RunsFunctionsOnceInRegistrationOrder()
    {
        await using var manager = await _t.OpenAsync();
        var scope = await manager.BeginJobAsync();
        await scope.DeferAsync("note", new Note("a"));
        await scope.DeferAsync("note", new Note("b"));
        await scope.DeferAsync("note", new Note("c"));

        _t.Ran.Should().BeEmpty("nothing runs before the job ends");
        var result = await scope.RunAsync();
        var again = await scope.RunAsync();

        _t.Ran.Should().Equal("a", "b", "c");
        result.Should().Be(new DeferredFunctionRunResult(3, 0, 0));
        again.Should().Be(default(DeferredFunctionRunResult));
    }

    [Test]
    public async Task DisposeAsync_ScopeOfFailedJob_RunsItsFunctions()
    {
        await using var manager = await _t.OpenAsync();

        async Task FailingJob()
        {
            await using var scope = await manager.BeginJobAsync();
            await scope.DeferAsync("note", new Note("cleanup"));
            throw new InvalidOperationException("job failed");
        }

        await FluentActions.Awaiting(FailingJob).Should().ThrowAsync<InvalidOperationException>().WithMessage("job failed");
        _t.Ran.Should().Equal("cleanup");
    }

    [Test]
    public async Task RunAsync_AfterJobFailureInFinally_RunsFunctions()
    {
        await using var manager = await _t.OpenAsync();
        var scope = await manager.BeginJobAsync();
        DeferredFunctionRunResult result = default;
        try
        {
            await scope.DeferAsync("note", new Note("x"));
            throw new InvalidOperationException("job failed");
        }
        catch (InvalidOperationException)
        {
        }
        finally
        {
            result = await scope.RunAsync();
        }

        _t.Ran.Should().Equal("x");
        result.Succeeded.Should().Be(1);
    }

    [Test]
    public async Task RunAsync_OneFunctionThrows_OthersRunAndFailureIsLogged()
    {
        await using var manager = await _t.OpenAsync();
        var scope = await manager.BeginJobAsync();
        await scope.DeferAsync("note", new Note("a"));
        await scope.DeferAsync("fail", new Note("b"));
        await scope.DeferAsync("note", new Note("c"));

        var result = await scope.RunAsync();

        _t.Ran.Should().Equal("a", "fail:b", "c");
        result.Should().Be(new DeferredFunctionRunResult(2, 1, 0));
        var error = _t.Logger.Collector.GetSnapshot().Should().ContainSingle(r => r.Level == LogLevel.Error).Subject;
        error.Exception.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("boom b");
        error.Message.Should().Contain("'fail'").And.Contain(manager.WorkerId);
    }

    [Test]
    public async Task RunAsync_FailedFunction_IsNotRunAgainByThisOrLaterWorkers()
    {
        await using (var manager = await _t.OpenAsync())
        {
            var scope = await manager.BeginJobAsync();
            await scope.DeferAsync("fail", new Note("once"));
            await scope.RunAsync();
            await using var next = await manager.BeginJobAsync();
        }

        await using (var later = await _t.OpenAsync())
        {
            (await later.RunOrphansAsync()).Should().Be(default(DeferredFunctionRunResult));
        }

        _t.Ran.Should().Equal("fail:once");
    }

    [Test]
    public async Task DeferAsync_Returned_CallIsPersistedInTheWorkersStateFile()
    {
        await using var manager = await _t.OpenAsync();
        var scope = await manager.BeginJobAsync();
        await scope.DeferAsync("note", new Note("persisted"));

        string json = await File.ReadAllTextAsync(Path.Combine(_t.DeferredDirectory, manager.WorkerId + ".json"));
        json.Should().Contain("\"schemaVersion\":1").And.Contain("\"name\":\"note\"").And.Contain("persisted");
        _t.TopLevelFiles().Should().Equal(manager.WorkerId + ".json", manager.WorkerId + ".lock");
        await scope.RunAsync();
        _t.TopLevelFiles().Should().Equal(manager.WorkerId + ".lock");
    }

    [Test]
    public async Task DeferAsync_UnregisteredName_ThrowsTypedErrorAndPersistsNothing()
    {
        await using var manager = await _t.OpenAsync();
        var scope = await manager.BeginJobAsync();

        var thrown = await FluentActions.Awaiting(() => scope.DeferAsync("nope", new Note("x")).AsTask())
            .Should().ThrowAsync<DeferredFunctionNotRegisteredException>();
        thrown.Which.FunctionName.Should().Be("nope");
        _t.TopLevelFiles().Should().Equal(manager.WorkerId + ".lock");
    }

    [Test]
    public async Task DeferAsync_ArgumentsOfAnotherType_ThrowsArgumentException()
    {
        await using var manager = await _t.OpenAsync();
        var scope = await manager.BeginJobAsync();

        await FluentActions.Awaiting(() => scope.DeferAsync("note", "not a Note").AsTask())
            .Should().ThrowAsync<ArgumentException>().WithMessage("*Note*");
    }

    [Test]
    public async Task DeferAsync_AfterRun_ThrowsInvalidOperation()
    {
        await using var manager = await _t.OpenAsync();
        var scope = await manager.BeginJobAsync();
        await scope.RunAsync();

        await FluentActions.Awaiting(() => scope.DeferAsync("note", new Note("late")).AsTask())
            .Should().ThrowAsync<InvalidOperationException>();
    }

    [Test]
    public async Task BeginJobAsync_ScopeAlreadyActive_ThrowsInvalidOperation()
    {
        await using var manager = await _t.OpenAsync();
        await using var scope = await manager.BeginJobAsync();

        await FluentActions.Awaiting(() => manager.BeginJobAsync().AsTask()).Should().ThrowAsync<InvalidOperationException>();
    }

    [Test]
    public async Task DisposeAsync_Manager_RemovesItsFilesAndLeavesNoneBehind()
    {
        var manager = await _t.OpenAsync();
        var scope = await manager.BeginJobAsync();
        await scope.DeferAsync("note", new Note("on close"));

        await manager.DisposeAsync();

        _t.Ran.Should().Equal("on close");
        _t.TopLevelFiles().Should().BeEmpty();
    }

    [Test]
    public async Task RunAsync_FunctionIgnoresTokenPastTimeout_IsCountedFailedAndOthersRun()
    {
        var time = new FakeTimeProvider();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource();
        _t.Registry.Register("hang", DeferredTestJson.Default.Note, (_, _) =>
        {
            started.TrySetResult();
            return new ValueTask(never.Task);
        });
        await using var manager = await _t.OpenAsync(_t.Options(TimeSpan.FromSeconds(30), time));
        var scope = await manager.BeginJobAsync();
        await scope.DeferAsync("hang", new Note("h"));
        await scope.DeferAsync("note", new Note("after"));

        var run = scope.RunAsync().AsTask();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        run.IsCompleted.Should().BeFalse("the function is still inside its timeout");
        time.Advance(TimeSpan.FromSeconds(31));
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        result.Should().Be(new DeferredFunctionRunResult(1, 1, 0));
        _t.Ran.Should().Equal("after");
        _t.Logger.Collector.GetSnapshot().Should().Contain(r => r.Level == LogLevel.Error && r.Message.Contains("timed out"));
    }

    [Test]
    public async Task RunAsync_Cancelled_KeepsFunctionsForTheNextWorkerOnTheNode()
    {
        var first = await _t.OpenAsync();
        var scope = await first.BeginJobAsync();
        await scope.DeferAsync("note", new Note("a"));
        await scope.DeferAsync("note", new Note("b"));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await FluentActions.Awaiting(() => scope.RunAsync(cts.Token).AsTask()).Should().ThrowAsync<OperationCanceledException>();
        await first.DisposeAsync();
        _t.Ran.Should().BeEmpty();
        _t.TopLevelFiles().Should().Equal(first.WorkerId + ".json", first.WorkerId + ".lock");

        await using var second = await _t.OpenAsync();
        await using var next = await second.BeginJobAsync();

        _t.Ran.Should().Equal("a", "b");
        _t.TopLevelFiles().Should().Equal(second.WorkerId + ".lock");
    }

    [Test]
    public async Task RunOrphansAsync_TwoLiveManagersInOneDirectory_NeverRunEachOthersFunctions()
    {
        await using var a = await _t.OpenAsync();
        await using var b = await _t.OpenAsync();
        var scopeA = await a.BeginJobAsync();
        var scopeB = await b.BeginJobAsync();
        await scopeA.DeferAsync("note", new Note("a1"));
        await scopeB.DeferAsync("note", new Note("b1"));

        (await a.RunOrphansAsync()).Should().Be(default(DeferredFunctionRunResult));
        (await b.RunOrphansAsync()).Should().Be(default(DeferredFunctionRunResult));
        (await scopeA.RunAsync()).Should().Be(new DeferredFunctionRunResult(1, 0, 0));
        _t.Ran.Should().Equal("a1");
        await a.DisposeAsync();
        _t.Ran.Should().Equal("a1");

        (await scopeB.RunAsync()).Should().Be(new DeferredFunctionRunResult(1, 0, 0));
        _t.Ran.Should().Equal("a1", "b1");
    }

    [Test]
    public async Task ManyWorkersAndACleanerConcurrently_EachFunctionRunsExactlyOnceByItsOwner()
    {
        using var stop = new CancellationTokenSource();
        var cleaner = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await DeferredFunctionManager.CleanupAsync(_t.Options(), _t.Registry, _t.Logger);
                await Task.Yield();
            }
        });

        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (int job = 0; job < 5; job++)
            {
                await using var manager = await _t.OpenAsync();
                var scope = await manager.BeginJobAsync();
                await scope.DeferAsync("note", new Note($"{w}-{job}-a"));
                await scope.DeferAsync("note", new Note($"{w}-{job}-b"));
                (await scope.RunAsync()).Succeeded.Should().BeGreaterThanOrEqualTo(2);
            }
        })).ToArray();

        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(50));
        await stop.CancelAsync();
        await cleaner.WaitAsync(TimeSpan.FromSeconds(10));

        _t.Ran.Should().HaveCount(80).And.OnlyHaveUniqueItems();
        _t.Logger.Collector.GetSnapshot().Should().NotContain(r => r.Level >= LogLevel.Warning);
        _t.TopLevelFiles().Should().BeEmpty();
    }

    [Test]
    public async Task OpenAsync_InvalidOptions_ThrowsArgumentException()
    {
        var options = new DeferredFunctionManagerOptions { CoordinationDirectory = _t.Coordination, FunctionTimeout = TimeSpan.Zero };

        await FluentActions.Awaiting(() => DeferredFunctionManager.OpenAsync(options, _t.Registry).AsTask())
            .Should().ThrowAsync<ArgumentException>().WithMessage("*FunctionTimeout*");
        new DeferredFunctionManagerOptionsValidator().Validate(null, new DeferredFunctionManagerOptions()).Failed.Should().BeTrue();
    }
}
