using System.Globalization;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Stats;
using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

/// <summary>
/// A chain longer than the worker keeps in memory: the stats still list every job and name in order (from the spool),
/// and <see cref="WorkerResult.JobsRun"/> lists only the first <see cref="WorkerOptions.MaxJobsRunListed"/> jobs while
/// <see cref="WorkerResult.JobsRunCount"/> counts them all.
/// </summary>
[TestFixture]
public sealed class WorkerRunnerLongChainTests
{
    [Test]
    public async Task RunAsync_ChainLongerThanTheStatsKeptInMemory_StatsListEveryJobAndNameInOrder()
    {
        int count = StatsSpool.DefaultInMemoryCount + 25;
        using var t = new WorkerTestContext { UseNonCachingFileStore = true };
        t.Options.WriteLogsFromAllJobs = true;
        var (names, first) = await AddChainAsync(t, count);

        var result = await t.RunAsync(first);

        result.Failed.Should().BeFalse(result.Error?.ToString());
        result.JobsRunCount.Should().Be(count);
        var stats = (await t.ReadStatsAsync()).Should().ContainSingle().Subject;
        stats.Workers.JobsRun.Should().Be(count);
        stats.Jobs.Select(j => j.ClassName).Should().Equal(names);
        stats.Jobs.Should().OnlyContain(j => j.Succeeded == "True");
        stats.Logs!.Names.Should().Equal(names);
        // In-process the CPU check may add warnings of its own (the process's CPU time counts other threads).
        var fromJobs = stats.Workers.LogsToLeader.Where(m => m.Text.StartsWith("from ", StringComparison.Ordinal)).ToList();
        fromJobs.Select(m => m.Text).Should().Equal(names.Select(n => "from " + n), "every job's message to the leader, in chain order");
        fromJobs.Should().OnlyContain(m => m.Level == 20);
        string last = names[^1];
        stats.Logs.Messages.Should().Contain(m => m.Contains(last, StringComparison.Ordinal));
        Directory.EnumerateFiles(t.WorkDir, "*.spool", SearchOption.AllDirectories).Should().BeEmpty("the spool goes when the stats are written");
    }

    [Test]
    public async Task RunAsync_ChainLongerThanMaxJobsRunListed_ListsTheFirstAndCountsAll()
    {
        using var t = new WorkerTestContext();
        t.Options.MaxJobsRunListed = 2;
        t.Options.LogLevel = LogLevel.Debug;
        var (names, first) = await AddChainAsync(t, 5);

        var result = await t.RunAsync(first);

        result.Failed.Should().BeFalse(result.Error?.ToString());
        result.JobsRun.Select(n => n.JobName).Should().Equal(names[0], names[1]);
        result.JobsRunCount.Should().Be(5);
        var stats = (await t.ReadStatsAsync()).Should().ContainSingle().Subject;
        stats.Workers.JobsRun.Should().Be(5, "the stats count every job, whatever the result lists");
        stats.Logs!.Names.Should().Equal(names);
    }

    [Test]
    public async Task RunAsync_DefaultOptions_ListsTheFirstThousandJobs()
    {
        int count = WorkerOptions.DefaultMaxJobsRunListed + 3;
        using var t = new WorkerTestContext();
        var (names, first) = await AddChainAsync(t, count);

        var result = await t.RunAsync(first);

        result.Failed.Should().BeFalse(result.Error?.ToString());
        result.JobsRun.Select(n => n.JobName).Should().Equal(names.Take(WorkerOptions.DefaultMaxJobsRunListed));
        result.JobsRunCount.Should().Be(count);
    }

    [Test]
    public void JobsRunCount_NotSet_IsTheNumberListed()
    {
        var result = new WorkerResult { ExitCode = 0, Failed = false, JobsRun = [new("a", "a", "a", "a", "id")], JobStoreId = "id" };

        result.JobsRunCount.Should().Be(1);
        (result with { JobsRunCount = 7 }).JobsRunCount.Should().Be(7);
    }

    private static async Task<(List<string> Names, string First)> AddChainAsync(WorkerTestContext t, int count)
    {
        var names = Enumerable.Range(0, count).Select(i => "J" + i.ToString("D5", CultureInfo.InvariantCulture)).ToList();
        foreach (var name in names)
        {
            t.Invoker.On(name, inv =>
            {
                inv.FileStore.LogToLeader("from " + name, LogLevel.Information);
                return ValueTask.CompletedTask;
            });
        }
        string? first = null;
        string? previous = null;
        foreach (var name in names)
        {
            string id = await t.AddJobAsync(name);
            if (previous is not null)
            {
                await t.LinkAsync(previous, id);
            }

            first ??= id;
            previous = id;
        }

        return (names, first!);
    }
}
