using Microsoft.Extensions.Logging;
using Toil.Runtime.Deferred;

namespace Toil.Runtime.Tests.Deferred;

[CancelAfter(60_000)]
public sealed class DeferredFunctionOrphanTests
{
    private const string ThreeCalls = """
        {"schemaVersion":1,"workerId":"WORKER","functions":[
          {"name":"note","arguments":{"Text":"a"}},
          {"name":"renamed-in-a-later-release","arguments":{"x":1}},
          {"name":"note","arguments":{"Text":"c"}}]}
        """;

    private DeferredTestDirectory _t = null!;

    [SetUp]
    public void SetUp() => _t = new DeferredTestDirectory();

    [TearDown]
    public void TearDown() => _t.Dispose();

    [Test]
    public async Task RunOrphansAsync_DeadWorkersState_RunsItInOrderAndRemovesItsFiles()
    {
        _t.WriteDeadWorker("""{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":"note","arguments":{"Text":"x"}},{"name":"note","arguments":{"Text":"y"}}]}""");
        await using var manager = await _t.OpenAsync();

        var result = await manager.RunOrphansAsync();

        result.Should().Be(new DeferredFunctionRunResult(2, 0, 0));
        _t.Ran.Should().Equal("x", "y");
        _t.TopLevelFiles().Should().Equal(manager.WorkerId + ".lock");
    }

    [Test]
    public async Task RunOrphansAsync_UnregisteredName_LogsTypedErrorRunsOthersAndSetsTheCallAside()
    {
        string dead = _t.WriteDeadWorker(ThreeCalls);
        await using var manager = await _t.OpenAsync();

        var result = await manager.RunOrphansAsync();

        result.Should().Be(new DeferredFunctionRunResult(2, 0, 1));
        _t.Ran.Should().Equal("a", "c");
        var logged = _t.Logger.Collector.GetSnapshot().Should().ContainSingle(r => r.Level == LogLevel.Error).Subject;
        logged.Exception.Should().BeOfType<DeferredFunctionNotRegisteredException>()
            .Which.FunctionName.Should().Be("renamed-in-a-later-release");
        string kept = await File.ReadAllTextAsync(Path.Combine(_t.SetAsideDirectory, dead + ".json"));
        kept.Should().Contain("renamed-in-a-later-release").And.Contain("\"x\":1").And.NotContain("\"Text\"");
        _t.TopLevelFiles().Should().Equal(manager.WorkerId + ".lock");
    }

    [Test]
    public async Task RunOrphansAsync_SetAsideCallRegisteredLater_CanBeReplayedFromTheSetAsideFile()
    {
        string dead = _t.WriteDeadWorker(ThreeCalls);
        await using (var manager = await _t.OpenAsync())
        {
            await manager.RunOrphansAsync();
        }

        // Moving the set-aside file back as a dead worker's state runs it once the name is registered.
        var seen = new List<string>();
        _t.Registry.Register("renamed-in-a-later-release", DeferredTestJson.Default.Note, (_, _) =>
        {
            seen.Add("replayed");
            return ValueTask.CompletedTask;
        });
        string replayId = Guid.NewGuid().ToString("N");
        string setAside = await File.ReadAllTextAsync(Path.Combine(_t.SetAsideDirectory, dead + ".json"));
        _t.WriteDeadWorker(setAside.Replace(dead, "WORKER", StringComparison.Ordinal), replayId);
        await using var again = await _t.OpenAsync();

        (await again.RunOrphansAsync()).Should().Be(new DeferredFunctionRunResult(1, 0, 0));
        seen.Should().Equal("replayed");
    }

    [Test]
    public async Task RunOrphansAsync_CorruptStateFile_LogsTypedErrorMovesFileAsideAndRunsOtherWorkers()
    {
        const string garbage = "{\"schemaVersion\":1,\"workerId\":\"WORKER\",\"functions\":[{\"name\":\"note\",\"argu";
        string corrupt = _t.WriteDeadWorker(garbage);
        _t.WriteDeadWorker("""{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":"note","arguments":{"Text":"healthy"}}]}""");
        await using var manager = await _t.OpenAsync();

        var result = await manager.RunOrphansAsync();

        result.Should().Be(new DeferredFunctionRunResult(1, 0, 1));
        _t.Ran.Should().Equal("healthy");
        var logged = _t.Logger.Collector.GetSnapshot().Should().ContainSingle(r => r.Level == LogLevel.Error).Subject;
        var error = logged.Exception.Should().BeOfType<DeferredStateCorruptException>().Subject;
        error.StatePath.Should().EndWith(corrupt + ".json");
        error.SetAsidePath.Should().StartWith(_t.SetAsideDirectory);
        (await File.ReadAllTextAsync(error.SetAsidePath!)).Should().Be(garbage.Replace("WORKER", corrupt, StringComparison.Ordinal));
        _t.TopLevelFiles().Should().Equal(manager.WorkerId + ".lock");
    }

    [TestCase("""{"schemaVersion":2,"workerId":"WORKER","functions":[]}""")]
    [TestCase("""{"schemaVersion":1,"workerId":"someone-else","functions":[]}""")]
    [TestCase("""{"schemaVersion":1,"workerId":"WORKER","functions":[{"arguments":{}}]}""")]
    [TestCase("null")]
    [TestCase("")]
    public async Task RunOrphansAsync_StateFileNotUnderstood_IsSetAsideAsCorrupt(string content)
    {
        _t.WriteDeadWorker(content);
        await using var manager = await _t.OpenAsync();

        var result = await manager.RunOrphansAsync();

        result.Should().Be(new DeferredFunctionRunResult(0, 0, 1));
        _t.Logger.Collector.GetSnapshot().Should().ContainSingle(r => r.Exception is DeferredStateCorruptException);
        Directory.GetFiles(_t.SetAsideDirectory).Should().ContainSingle();
    }

    [Test]
    public async Task RunOrphansAsync_ArgumentsOfTheWrongShape_AreSetAsideNotRun()
    {
        string dead = _t.WriteDeadWorker("""{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":"note","arguments":[1,2]},{"name":"note","arguments":{"Text":"ok"}}]}""");
        await using var manager = await _t.OpenAsync();

        var result = await manager.RunOrphansAsync();

        result.Should().Be(new DeferredFunctionRunResult(1, 0, 1));
        _t.Ran.Should().Equal("ok");
        File.Exists(Path.Combine(_t.SetAsideDirectory, dead + ".json")).Should().BeTrue();
        var logged = _t.Logger.Collector.GetSnapshot().Should().ContainSingle(r => r.Level == LogLevel.Error).Subject;
        logged.Exception.Should().BeOfType<DeferredFunctionException>().Which.InnerException.Should().BeAssignableTo<System.Text.Json.JsonException>();
    }

    [Test]
    public async Task RunOrphansAsync_FilesThatAreNotWorkerState_AreLeftAlone()
    {
        Directory.CreateDirectory(_t.DeferredDirectory);
        await File.WriteAllTextAsync(Path.Combine(_t.DeferredDirectory, ".nfs000123.lock"), "");
        await File.WriteAllTextAsync(Path.Combine(_t.DeferredDirectory, "notes.txt"), "mine");
        await using var manager = await _t.OpenAsync();

        (await manager.RunOrphansAsync()).Should().Be(default(DeferredFunctionRunResult));

        _t.TopLevelFiles().Should().Contain([".nfs000123.lock", "notes.txt"]);
    }

    [Test]
    public async Task RunOrphansAsync_LeftoversOfAWorkerThatDiedDuringSetUpOrAWrite_AreRemoved()
    {
        string dead = _t.WriteDeadWorker("""{"schemaVersion":1,"workerId":"WORKER","functions":[]}""");
        await File.WriteAllTextAsync(Path.Combine(_t.DeferredDirectory, dead + ".json.0123abcd.tmp"), "{\"half");
        string neverStarted = Guid.NewGuid().ToString("N");
        await File.WriteAllTextAsync(Path.Combine(_t.DeferredDirectory, neverStarted + ".lock.tmp"), "");
        await using var manager = await _t.OpenAsync();

        await manager.RunOrphansAsync();

        _t.TopLevelFiles().Should().Equal(manager.WorkerId + ".lock");
    }

    [Test]
    public async Task CleanupAsync_AfterTheLastWorker_RunsOrphansAndRemovesTheDirectory()
    {
        _t.WriteDeadWorker("""{"schemaVersion":1,"workerId":"WORKER","functions":[{"name":"note","arguments":{"Text":"z"}}]}""");

        var result = await DeferredFunctionManager.CleanupAsync(_t.Options(), _t.Registry, _t.Logger);

        result.Should().Be(new DeferredFunctionRunResult(1, 0, 0));
        _t.Ran.Should().Equal("z");
        Directory.Exists(_t.DeferredDirectory).Should().BeFalse();
    }

    [Test]
    public async Task CleanupAsync_WhileAWorkerIsAlive_KeepsItsStateAndTheDirectory()
    {
        await using var live = await _t.OpenAsync();
        var scope = await live.BeginJobAsync();
        await scope.DeferAsync("note", new Note("live"));

        var result = await DeferredFunctionManager.CleanupAsync(_t.Options(), _t.Registry, _t.Logger);

        result.Should().Be(default(DeferredFunctionRunResult));
        _t.Ran.Should().BeEmpty();
        _t.TopLevelFiles().Should().Equal(live.WorkerId + ".json", live.WorkerId + ".lock");
    }

    [Test]
    public async Task CleanupAsync_NoDeferredDirectory_DoesNothing()
    {
        var result = await DeferredFunctionManager.CleanupAsync(_t.Options(), _t.Registry);

        result.Should().Be(default(DeferredFunctionRunResult));
        Directory.Exists(_t.DeferredDirectory).Should().BeFalse();
    }
}
