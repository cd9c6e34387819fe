using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Toil.Runtime.Deferred;

namespace Toil.Runtime.Tests.Deferred;

/// <summary>
/// A malformed deferred-function state file is validated whole before anything acts on it, set aside once (its bytes
/// moved unchanged) and never stops a later worker on the node.
/// </summary>
[CancelAfter(60_000)]
public sealed class DeferredStateValidationTests
{
    private DeferredTestDirectory _t = null!;

    [SetUp]
    public void SetUp() => _t = new DeferredTestDirectory();

    [TearDown]
    public void TearDown() => _t.Dispose();

    public static IEnumerable<TestCaseData> Malformed()
    {
        string longName = new('n', DeferredFunctionRegistry.MaxNameLength + 1);
        string[] documents =
        [
            """{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":"note"}]}""",
            """{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":"note","arguments":{"Text":"a"}},{"name":"unknown"}]}""",
            """{"schemaVersion":1,"workerId":"WORKER","functions":[null]}""",
            """{"schemaVersion":1,"workerId":"WORKER","functions":null}""",
            """{"schemaVersion":1,"workerId":null,"functions":[]}""",
            """{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":" ","arguments":{}}]}""",
            """{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":"no\u0007te","arguments":{}}]}""",
            """{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":"LONG","arguments":{}}]}""".Replace("LONG", longName, StringComparison.Ordinal),
            """{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":"\ud800","arguments":{}}]}""",
            """{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":"note","arguments":{"Text":"\udc00"}}]}""",
            """{"schemaVersion":1,"workerId":"WORKER","functions":{"name":"note"}}""",
            """{"schemaVersion":"1","workerId":"WORKER","functions":[]}""",
            """{"schemaVersion":1e400,"workerId":"WORKER","functions":[]}""",
            """[]""",
        ];
        for (int i = 0; i < documents.Length; i++)
        {
            yield return new TestCaseData(documents[i]).SetArgDisplayNames($"document {i}");
        }
    }

    [TestCaseSource(nameof(Malformed))]
    public async Task RunOrphansAsync_MalformedState_RunsNothingAndMovesTheOriginalBytesAside(string content)
    {
        string dead = _t.WriteDeadWorker(content);
        byte[] original = await File.ReadAllBytesAsync(Path.Combine(_t.DeferredDirectory, dead + ".json"));
        await using var manager = await _t.OpenAsync();

        var result = await manager.RunOrphansAsync();

        result.Should().Be(new DeferredFunctionRunResult(0, 0, 1));
        _t.Ran.Should().BeEmpty("a document is validated whole before any of its calls runs");
        _t.Logger.Collector.GetSnapshot().Should().ContainSingle(r => r.Exception is DeferredStateCorruptException);
        string kept = Directory.GetFiles(_t.SetAsideDirectory).Should().ContainSingle().Subject;
        (await File.ReadAllBytesAsync(kept)).Should().Equal(original, "setting aside is a move of the original bytes");
        _t.TopLevelFiles().Should().Equal(manager.WorkerId + ".lock");
    }

    [Test]
    public async Task Workers_OneDeadWorkerWithACallWithoutArguments_EveryLaterWorkerSucceedsAndTheFileIsSetAsideOnce()
    {
        string dead = _t.WriteDeadWorker("""{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":"note"}]}""");
        byte[] original = await File.ReadAllBytesAsync(Path.Combine(_t.DeferredDirectory, dead + ".json"));
        using var logs = new FakeLoggerProvider();
        using var loggerFactory = new LoggerFactory([logs]);
        var factory = new DeferredFunctionManagerFactory(_t.Registry, loggerFactory: loggerFactory);

        for (int worker = 0; worker < 4; worker++)
        {
            var manager = await factory.OpenAsync(_t.Coordination);
            await using (var scope = await manager.BeginJobAsync())
            {
                await scope.DeferAsync("note", new Note($"worker-{worker}"));
                await scope.RunAsync();
            }

            await manager.DisposeAsync();
        }

        _t.Ran.Should().Equal("worker-0", "worker-1", "worker-2", "worker-3");
        logs.Collector.GetSnapshot().Should().ContainSingle(r => r.Exception is DeferredStateCorruptException);
        string kept = Directory.GetFiles(_t.SetAsideDirectory).Should().ContainSingle().Subject;
        (await File.ReadAllBytesAsync(kept)).Should().Equal(original);
        _t.TopLevelFiles().Should().BeEmpty();
    }

    [Test]
    public async Task RunOrphansAsync_CancelledWhileAValidStateRuns_KeepsTheUnfinishedCallsForTheNextWorker()
    {
        using var cts = new CancellationTokenSource();
        _t.Registry.Register("cancel-run", DeferredTestJson.Default.Note, (_, _) =>
        {
            cts.Cancel();
            return ValueTask.CompletedTask;
        });
        _t.WriteDeadWorker("""{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":"unknown","arguments":{"x":1}},{"name":"cancel-run","arguments":{"Text":"c"}},{"name":"note","arguments":{"Text":"after"}}]}""");
        await using var manager = await _t.OpenAsync();
        var run = async () => await manager.RunOrphansAsync(cts.Token);
        await run.Should().ThrowAsync<OperationCanceledException>();
        _t.Ran.Should().BeEmpty();

        (await manager.RunOrphansAsync()).Should().Be(new DeferredFunctionRunResult(1, 0, 1), "the next scan runs what was left and sets the unknown call aside");
        _t.Ran.Should().Equal("after");
        (await File.ReadAllTextAsync(Directory.GetFiles(_t.SetAsideDirectory).Should().ContainSingle().Subject)).Should().Contain("unknown");
    }

    [Test]
    public async Task RunOrphansAsync_CancellingRunOverAStateWithACallWithoutArguments_SetsItAsideAndLaterWorkersSucceed()
    {
        // Before whole-document validation, the call without arguments was set aside in memory, the next call cancelled
        // the run, and rewriting the rest threw InvalidOperationException instead of keeping the state.
        using var cts = new CancellationTokenSource();
        _t.Registry.Register("cancel-run", DeferredTestJson.Default.Note, (_, _) =>
        {
            cts.Cancel();
            return ValueTask.CompletedTask;
        });
        string dead = _t.WriteDeadWorker("""{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":"note"},{"name":"cancel-run","arguments":{"Text":"c"}},{"name":"note","arguments":{"Text":"after"}}]}""");
        byte[] original = await File.ReadAllBytesAsync(Path.Combine(_t.DeferredDirectory, dead + ".json"));

        await using (var manager = await _t.OpenAsync())
        {
            (await manager.RunOrphansAsync(cts.Token)).Should().Be(new DeferredFunctionRunResult(0, 0, 1));
        }

        for (int worker = 0; worker < 3; worker++)
        {
            await using var next = await _t.OpenAsync();
            (await next.RunOrphansAsync()).Should().Be(default(DeferredFunctionRunResult));
        }

        _t.Ran.Should().BeEmpty();
        (await File.ReadAllBytesAsync(Directory.GetFiles(_t.SetAsideDirectory).Should().ContainSingle().Subject)).Should().Equal(original);
        _t.TopLevelFiles().Should().BeEmpty();
    }

    [Test]
    public async Task CleanupAsync_MalformedStateBesideAHealthyOne_RunsTheHealthyOneAndSetsTheOtherAside()
    {
        _t.WriteDeadWorker("""{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":"note"}]}""");
        _t.WriteDeadWorker("""{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":"note","arguments":{"Text":"healthy"}}]}""");

        var result = await DeferredFunctionManager.CleanupAsync(_t.Options(), _t.Registry, _t.Logger);

        result.Should().Be(new DeferredFunctionRunResult(1, 0, 1));
        _t.Ran.Should().Equal("healthy");
        Directory.GetFiles(_t.SetAsideDirectory).Should().ContainSingle();
    }
}
