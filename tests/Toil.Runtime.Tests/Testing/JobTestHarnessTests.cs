using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Deferred;
using Toil.Runtime.FileStores;
using Toil.Runtime.Testing;

namespace Toil.Runtime.Tests.Testing;

[TestFixture]
public sealed class JobTestHarnessTests
{
    private readonly List<string> _cleaned = [];

    private JobTestHarness NewHarness() => new(services => services
        .AddToilJob<HarnessCount, TextInput, int>(HarnessTestJson.Default.TextInput, HarnessTestJson.Default.Int32)
        .AddToilJob<HarnessSplit, PartsInput>(HarnessTestJson.Default.PartsInput)
        .AddToilJob<HarnessTotal, TotalInput, int>(HarnessTestJson.Default.TotalInput, HarnessTestJson.Default.Int32)
        .AddToilJob<HarnessFail, TextInput>(HarnessTestJson.Default.TextInput)
        .AddSingleton(new DeferredFunctionRegistry().Register("cleanup", HarnessTestJson.Default.CleanupArgs, (a, _) =>
        {
            lock (_cleaned)
            {
                _cleaned.Add(a.Path);
            }

            return ValueTask.CompletedTask;
        })));

    [SetUp]
    public void SetUp() => _cleaned.Clear();

    [Test]
    public async Task RunAsync_JobWithResult_ReturnsResultFilesLeaderMessagesDeferredCallsAndLogs()
    {
        await using var harness = NewHarness();

        var run = await harness.RunAsync<HarnessCount, TextInput, int>(new TextInput("doc", "one two three"));

        run.Result.Should().Be(3);
        run.TypeName.Should().Be("harness-count");
        run.Children.Should().BeEmpty();
        run.FollowOns.Should().BeEmpty();
        run.FilesWritten.Should().ContainSingle();
        (await harness.ReadFileTextAsync(run.FilesWritten[0])).Should().Be("doc=3");
        run.LeaderMessages.Should().Equal(new LeaderMessage("doc: 3 words", LogLevel.Information));
        run.DeferredCalls.Should().Equal(new RecordedDeferredCall("cleanup", new CleanupArgs("/tmp/doc")));
        run.DeferredRun.Succeeded.Should().Be(1);
        _cleaned.Should().Equal("/tmp/doc");
        run.Logs.Should().Contain(e => e.Level == LogLevel.Warning && e.Message == "counted doc");
    }

    [Test]
    public async Task RunAsync_JobThatAddsChildrenAndAFollowOn_ReportsThemWithoutRunningThem()
    {
        await using var harness = NewHarness();

        var run = await harness.RunAsync<HarnessSplit, PartsInput>(new PartsInput(["a b", "c"]));

        run.JobsCreated.Should().Be(3);
        run.Children.Should().HaveCount(2).And.OnlyContain(c => c.TypeName == "harness-count" && c.Requirements.Cores == 0.5 && !c.IsCheckpoint);
        run.Children.Select(c => c.InputAs(HarnessTestJson.Default.TextInput).Text).Should().BeEquivalentTo("a b", "c");
        run.FollowOns.Should().ContainSingle().Which.TypeName.Should().Be("harness-total");
        run.FollowOns[0].Input.GetProperty("Counts").GetArrayLength().Should().Be(2);
        _cleaned.Should().BeEmpty();
        (await harness.Store.JobExistsAsync(run.Children[0].JobStoreId)).Should().BeTrue();
    }

    [Test]
    public async Task RunJobAsync_AChildOfAnEarlierRun_RunsThatJob()
    {
        await using var harness = NewHarness();
        var parent = await harness.RunAsync<HarnessSplit, PartsInput>(new PartsInput(["a b c d"]));

        var child = await harness.RunJobAsync(parent.Children[0].JobStoreId);

        child.TypeName.Should().Be("harness-count");
        child.LeaderMessages.Should().ContainSingle().Which.Text.Should().Be("part0: 4 words");
    }

    [Test]
    public async Task RunGraphAsync_FanOutAndFanIn_RunsChildrenBeforeTheFollowOnAndResolvesPromises()
    {
        await using var harness = NewHarness();

        var graph = await harness.RunGraphAsync<HarnessSplit, PartsInput>(new PartsInput(["a b", "c", "d e f"]));

        graph.Runs.Select(r => r.TypeName).Should().Equal("harness-split", "harness-count", "harness-count", "harness-count", "harness-total");
        graph.RunsOf("harness-total").Single().LeaderMessages.Should().Equal(new LeaderMessage("total 6", LogLevel.Warning));
        graph.LeaderMessages.Should().HaveCount(4);
        _cleaned.Should().HaveCount(3);
        (await harness.Store.ListJobsAsync().ToListAsync()).Should().BeEmpty("every finished job is deleted");
    }

    [Test]
    public async Task RunGraphAsync_RootWithResult_ReturnsIt()
    {
        await using var harness = NewHarness();

        var graph = await harness.RunGraphAsync<HarnessCount, TextInput, int>(new TextInput("x", "1 2 3 4 5"));

        graph.Result.Should().Be(5);
        graph.Runs.Should().ContainSingle();
    }

    [Test]
    public async Task RunAsync_JobThrows_PropagatesItAfterRunningItsDeferredFunctions()
    {
        await using var harness = NewHarness();

        var act = async () => await harness.RunAsync<HarnessFail, TextInput>(new TextInput("f", ""));

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("boom: f");
        _cleaned.Should().Equal("/tmp/failed");
    }

    [Test]
    public async Task DisposeAsync_AfterJobsUsedLocalDisk_LeavesNoTemporaryDirectory()
    {
        string[] before = Directory.GetDirectories(Path.GetTempPath(), "toil-job-test-*");
        var harness = NewHarness();
        await harness.RunGraphAsync<HarnessSplit, PartsInput>(new PartsInput(["a"]));

        await harness.DisposeAsync();

        Directory.GetDirectories(Path.GetTempPath(), "toil-job-test-*").Should().BeEquivalentTo(before);
    }
}
