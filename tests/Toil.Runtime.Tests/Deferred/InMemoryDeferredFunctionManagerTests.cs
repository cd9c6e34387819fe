using Microsoft.Extensions.Logging;
using Toil.Runtime.Deferred;

namespace Toil.Runtime.Tests.Deferred;

[CancelAfter(60_000)]
public sealed class InMemoryDeferredFunctionManagerTests
{
    private DeferredTestDirectory _t = null!;

    [SetUp]
    public void SetUp() => _t = new DeferredTestDirectory();

    [TearDown]
    public void TearDown() => _t.Dispose();

    private InMemoryDeferredFunctionManager Create() => new(_t.Registry, _t.Logger);

    [Test]
    public async Task RunAsync_FailingFunctionAmongOthers_RunsAllInOrderOnceAndLogsTheFailure()
    {
        await using var manager = Create();
        var scope = await manager.BeginJobAsync();
        await scope.DeferAsync("note", new Note("a"));
        await scope.DeferAsync("fail", new Note("b"));
        await scope.DeferAsync("note", new Note("c"));

        var result = await scope.RunAsync();
        await using (await manager.BeginJobAsync())
        {
        }

        result.Should().Be(new DeferredFunctionRunResult(2, 1, 0));
        _t.Ran.Should().Equal("a", "fail:b", "c");
        _t.Logger.Collector.GetSnapshot().Should().ContainSingle(r => r.Level == LogLevel.Error)
            .Which.Exception.Should().BeOfType<InvalidOperationException>();
        Directory.Exists(_t.DeferredDirectory).Should().BeFalse("nothing touches the disk");
    }

    [Test]
    public async Task DisposeAsync_ScopeOfFailedJob_RunsItsFunctions()
    {
        await using var manager = Create();

        async Task FailingJob()
        {
            await using var scope = await manager.BeginJobAsync();
            await scope.DeferAsync("note", new Note("cleanup"));
            throw new InvalidOperationException("job failed");
        }

        await FluentActions.Awaiting(FailingJob).Should().ThrowAsync<InvalidOperationException>();
        _t.Ran.Should().Equal("cleanup");
    }

    [Test]
    public async Task RunAsync_Cancelled_KeepsCallsUntilTheManagerIsDisposed()
    {
        var manager = Create();
        var scope = await manager.BeginJobAsync();
        await scope.DeferAsync("note", new Note("kept"));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await FluentActions.Awaiting(() => scope.RunAsync(cts.Token).AsTask()).Should().ThrowAsync<OperationCanceledException>();
        _t.Ran.Should().BeEmpty();
        await manager.DisposeAsync();

        _t.Ran.Should().Equal("kept");
    }

    [Test]
    public async Task DeferAsync_UnregisteredName_ThrowsTypedError()
    {
        await using var manager = Create();
        var scope = await manager.BeginJobAsync();

        await FluentActions.Awaiting(() => scope.DeferAsync("nope", new Note("x")).AsTask())
            .Should().ThrowAsync<DeferredFunctionNotRegisteredException>();
        (await manager.RunOrphansAsync()).Should().Be(default(DeferredFunctionRunResult));
    }
}
