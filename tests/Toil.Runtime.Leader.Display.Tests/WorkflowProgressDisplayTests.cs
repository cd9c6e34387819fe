using Microsoft.Extensions.Time.Testing;
using Spectre.Console.Testing;
using Toil.Runtime.Leader.Progress;
using Toil.Runtime.Leader.Workflows;

namespace Toil.Runtime.Leader.Display.Tests;

/// <summary>The console progress display (docs/progress.md, "Console display") on Spectre's test console.</summary>
[TestFixture]
public sealed class WorkflowProgressDisplayTests
{
    private static readonly WorkflowCounts Counts = new(Pending: 5, Issued: 3, Running: 2, Done: 7, Failed: 1, Chained: 4, Retries: 2, FailedAttempts: 3, DroppedEvents: 0);

    [Test]
    public async Task RunAsync_Terminal_LiveViewShowsCountsAndLastJobEscaped()
    {
        var console = new TestConsole().Interactive().EmitAnsiSequences();
        var display = new WorkflowProgressDisplay(console, new WorkflowProgressDisplayOptions { RefreshInterval = TimeSpan.FromMilliseconds(10) });
        display.IsLive.Should().BeTrue();
        var release = new TaskCompletionSource();

        var run = display.RunAsync(async () =>
        {
            display.OnProgress(new WorkflowProgress(WorkflowProgressKind.Finished, "j1", "count-chunk", "chunk \u001b]0;evil\u0007 [red]x[/]", DateTimeOffset.UnixEpoch, Counts));
            await release.Task;
            return 42;
        });
        await Task.Delay(100);
        release.SetResult();

        (await run.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(42);
        string output = console.Output;
        output.Should().Contain("done 7").And.Contain("+4 chained").And.Contain("running 2").And.Contain("queued 1").And.Contain("pending 5").And.Contain("failed 1").And.Contain("retries 2");
        output.Should().Contain("finished: chunk \\x1b]0;evil\\x07 [red]x[/]", "a job's name is escaped and never read as markup");
        output.Should().NotContain("\u0007");
    }

    [Test]
    public async Task RunAsync_NotATerminal_PlainLinesOnlyAndSummaryTables()
    {
        var time = new FakeTimeProvider();
        var console = new TestConsole();
        var display = new WorkflowProgressDisplay(console, new WorkflowProgressDisplayOptions { PlainLineInterval = TimeSpan.FromSeconds(10), TimeProvider = time });
        display.IsLive.Should().BeFalse();
        var release = new TaskCompletionSource<int>();

        var run = display.RunAsync(() => release.Task);
        display.OnProgress(new WorkflowProgress(WorkflowProgressKind.Issued, "j1", "n", "d", DateTimeOffset.UnixEpoch, Counts));
        console.Output.Should().BeEmpty("nothing is printed until the interval passes");
        time.Advance(TimeSpan.FromSeconds(10));
        await WaitUntil(() => console.Output.Contains("progress:", StringComparison.Ordinal));
        display.OnCompleted(Result());
        release.SetResult(1);
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        string output = console.Output;
        output.Should().Contain("progress: 7 done (+4 chained), 2 running, 3 issued, 5 pending, 1 failed, 2 retries");
        output.Should().NotContain("\u001b[", "no ANSI sequences when the output is not a terminal");
        output.Should().Contain("Run summary").And.Contain("chained jobs").And.Contain("Slowest jobs").And.Contain("Job types").And.Contain("Failed jobs");
        output.Should().Contain("leaf <b>").And.Contain("\\x1b[31m", "user text is shown literally, control characters escaped");
        output.Should().Contain("its tries are used up");
    }

    [Test]
    public async Task RunAsync_RunThrows_SummaryStillPrinted()
    {
        var console = new TestConsole();
        var display = new WorkflowProgressDisplay(console, new WorkflowProgressDisplayOptions { PlainLineInterval = Timeout.InfiniteTimeSpan });
        var act = () => display.RunAsync<int>(() =>
        {
            display.OnCompleted(Result());
            throw new FailedJobsException(Result());
        });

        await act.Should().ThrowAsync<FailedJobsException>();
        console.Output.Should().Contain("Run summary").And.Contain("Failed jobs");
    }

    [Test]
    public async Task RunAsync_SummaryWithFileStoreBytes_TablesShowWrittenAndRead()
    {
        var console = new TestConsole();
        var display = new WorkflowProgressDisplay(console, new WorkflowProgressDisplayOptions { PlainLineInterval = Timeout.InfiniteTimeSpan });
        var result = Result();
        result = result with
        {
            Summary = result.Summary with
            {
                BytesWritten = 3L * 1024 * 1024,
                BytesRead = 512,
                JobTypes = [new JobTypeTiming("shapes-leaf", 3, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)) { TotalBytesWritten = 2048, TotalBytesRead = 700 }],
            },
        };

        await display.RunAsync(() =>
        {
            display.OnCompleted(result);
            return Task.FromResult(0);
        }).WaitAsync(TimeSpan.FromSeconds(10));

        string output = console.Output;
        output.Should().MatchRegex(@"file store written\s*│?\s*3\.0 MiB").And.MatchRegex(@"file store read\s*│?\s*512 B");
        output.Split('\n').Should().Contain(l => l.Contains("shapes-leaf", StringComparison.Ordinal) && l.Contains("2.0 KiB", StringComparison.Ordinal) && l.Contains("700 B", StringComparison.Ordinal), "the job type's row shows its bytes");
    }

    private static WorkflowResult Result()
    {
        var failed = new FailedJob("kind-x/1", "shapes-flaky", "flaky") { Reason = "its tries are used up", ExitCode = 1 };
        var slow = new JobTiming("kind-leaf/1", "shapes-leaf", "leaf <b> \u001b[31m", DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), true);
        return new WorkflowResult
        {
            FailedJobs = [failed],
            JobStoreLocator = "memory:",
            Summary = new RunSummary
            {
                JobsCompleted = 7,
                ChainedJobs = 4,
                AttemptsIssued = 12,
                Retries = 2,
                FailedAttempts = 3,
                Failures = [failed],
                WallTime = TimeSpan.FromSeconds(3),
                SlowestJobs = [slow],
                JobTypes = [new JobTypeTiming("shapes-leaf", 3, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1))],
            },
        };
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        condition().Should().BeTrue();
    }
}
