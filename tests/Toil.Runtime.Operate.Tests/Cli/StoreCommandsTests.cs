using System.Text.Json;
using Toil.Runtime.Cli.Store;
using Toil.Runtime.Leader.TestHost;
using Toil.Runtime.Leader.Workflows;

namespace Toil.Runtime.Operate.Tests.Cli;

/// <summary><c>toil status</c>, <c>toil stats</c> and <c>toil clean</c>, in-process, on stores made by real leader runs.</summary>
[TestFixture]
[Platform(Exclude = "Win", Reason = "The toil tool is a Unix program.")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StoreCommandsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Status_FailedWorkflow_ShowsFailedJobWithReasonLogTailAndNoLeader()
    {
        await using var host = OperateHost.Create();
        var result = await host.Runner.RunWorkflowAsync<AlwaysFailJob, string>("bad\u001b[31mroot").WaitAsync(Bound);
        result.Succeeded.Should().BeFalse();

        var (code, output, error) = await Toil.RunAsync("status", host.Locator);

        code.Should().Be(StoreExitCodes.Success, error);
        output.Should().Contain("Leader      not running").And.Contain("Last run    failed");
        output.Should().Contain("failed for good         1");
        output.Should().Contain($"Failed: 'always-fail' {result.FailedJobs[0].JobStoreId}: its tries are used up");
        output.Should().Contain("always fails (bad\\x1b[31mroot)", "the log's tail is shown, escaped");
        output.Should().NotContain("\u001b");
    }

    [Test]
    public async Task Status_LogLinesZero_ShowsNoLogTail()
    {
        await using var host = OperateHost.Create();
        await host.Runner.RunWorkflowAsync<AlwaysFailJob, string>("root").WaitAsync(Bound);

        var (code, output, _) = await Toil.RunAsync("status", host.Locator, "--log-lines", "0");

        code.Should().Be(StoreExitCodes.Success);
        output.Should().Contain("(no log stored)").And.NotContain("always fails (root)");
    }

    [Test]
    public async Task StatusAndClean_WhileLeaderRuns_ReportAliveAndRefuseUnlessForced()
    {
        await using var host = OperateHost.Create();
        string gate = host.PathOf("gate");
        var run = host.Runner.RunWorkflowAsync<GateJob, string>(gate);
        try
        {
            string output = string.Empty;
            var deadline = DateTime.UtcNow + Bound;
            while (!output.Contains("to run or running       1", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
                (_, output, _) = await Toil.RunAsync("status", host.Locator);
            }

            output.Should().Contain($"Leader      alive ({Environment.ProcessId}@{Environment.MachineName})").And.Contain("Last run    running");

            var (refused, _, error) = await Toil.RunAsync("clean", host.Locator);
            refused.Should().Be(StoreExitCodes.LeaderRunning);
            error.Should().Contain("--force");
            Directory.Exists(host.StorePath).Should().BeTrue("a refused clean destroys nothing");
        }
        finally
        {
            await File.WriteAllTextAsync(gate, string.Empty);
        }

        var result = await run.WaitAsync(Bound);
        result.Succeeded.Should().BeTrue("the probe never held the lock, so the leader finished undisturbed");
    }

    [Test]
    public async Task Clean_ForcedWhileLeaderRuns_DestroysStore()
    {
        await using var host = OperateHost.Create(o => o.Clean = CleanPolicy.Never);
        string gate = host.PathOf("gate");
        var run = host.Runner.RunWorkflowAsync<GateJob, string>(gate);
        try
        {
            var deadline = DateTime.UtcNow + Bound;
            while (!(await Toil.RunAsync("status", host.Locator)).Output.Contains("Leader      alive", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            var (code, output, error) = await Toil.RunAsync("clean", host.Locator, "--force");

            code.Should().Be(StoreExitCodes.Success, error);
            output.Should().Contain("a leader was running on it");
            Directory.Exists(host.StorePath).Should().BeFalse();
        }
        finally
        {
            await File.WriteAllTextAsync(gate, string.Empty);
            // The leader's run fails or throws once its store is gone; only that it ends matters here.
            try
            {
                await run.WaitAsync(Bound);
            }
            catch (Exception e) when (e is not TimeoutException)
            {
            }
        }
    }

    [Test]
    public async Task Clean_FinishedStore_DestroysItAndStatusThenReportsNoStore()
    {
        await using var host = OperateHost.Create();
        await host.Runner.RunWorkflowAsync<AlwaysFailJob, string>("root").WaitAsync(Bound);

        var (code, output, _) = await Toil.RunAsync("clean", host.Locator);

        code.Should().Be(StoreExitCodes.Success);
        output.Should().StartWith("Destroyed the job store");
        Directory.Exists(host.StorePath).Should().BeFalse();
        (await Toil.RunAsync("status", host.Locator)).ExitCode.Should().Be(StoreExitCodes.NoJobStore);
        (await Toil.RunAsync("clean", host.Locator)).Output.Should().Contain("nothing to clean");
    }

    [Test]
    public async Task Clean_DirectoryThatIsNotAStore_RefusesAndKeepsIt()
    {
        await using var host = OperateHost.Create();
        Directory.CreateDirectory(host.StorePath);
        await File.WriteAllTextAsync(Path.Combine(host.StorePath, "thesis.tex"), "precious");

        var (code, _, error) = await Toil.RunAsync("clean", host.Locator);

        code.Should().Be(StoreExitCodes.Corrupt);
        error.Should().Contain("thesis.tex");
        File.Exists(Path.Combine(host.StorePath, "thesis.tex")).Should().BeTrue();
    }

    [TestCase("status")]
    [TestCase("stats")]
    public async Task Command_MissingStore_ExitsNoJobStoreWithMessage(string command)
    {
        string missing = Path.Combine(Path.GetTempPath(), "toil-no-store-" + Guid.NewGuid().ToString("N"));

        var (code, output, error) = await Toil.RunAsync(command, missing);

        code.Should().Be(StoreExitCodes.NoJobStore);
        output.Should().BeEmpty();
        error.Should().StartWith("error: There is no job store at 'file:" + missing);
    }

    [TestCase("status")]
    [TestCase("stats")]
    public async Task Command_CorruptFormatMarker_ExitsCorrupt(string command)
    {
        await using var host = OperateHost.Create();
        await host.Runner.RunWorkflowAsync<AlwaysFailJob, string>("root").WaitAsync(Bound);
        await File.WriteAllTextAsync(Path.Combine(host.StorePath, "format.json"), "{not json");

        var (code, _, error) = await Toil.RunAsync(command, host.Locator);

        code.Should().Be(StoreExitCodes.Corrupt);
        error.Should().Contain("corrupt");
    }

    [Test]
    public async Task Status_CorruptJobRecord_ExitsCorruptNamingTheJob()
    {
        await using var host = OperateHost.Create();
        var result = await host.Runner.RunWorkflowAsync<AlwaysFailJob, string>("root").WaitAsync(Bound);
        string id = result.FailedJobs[0].JobStoreId;
        await File.WriteAllTextAsync(Path.Combine(host.StorePath, "jobs", id, "job"), "{\"truncated\":");

        var (code, _, error) = await Toil.RunAsync("status", host.Locator);

        code.Should().Be(StoreExitCodes.Corrupt);
        error.Should().Contain(id);
    }

    [TestCase("status")]
    [TestCase("stats")]
    [TestCase("clean")]
    public async Task Command_NotAFileLocator_ExitsUsage(string command)
    {
        var (code, _, error) = await Toil.RunAsync(command, "aws:us-west-2:my-store");

        code.Should().Be(StoreExitCodes.Usage);
        error.Should().Contain("not a file job store locator");
    }

    [Test]
    public async Task Stats_StoreKeptAfterSuccess_TableAndJsonCountEveryBodyByType()
    {
        await using var host = OperateHost.Create(o => o.Clean = CleanPolicy.Never);
        string outFile = host.PathOf("out");
        var result = await host.Runner.RunWorkflowAsync<StaticGraphJob, StaticInput>(new StaticInput(outFile, Second: false)).WaitAsync(Bound);
        result.Succeeded.Should().BeTrue();

        var (jsonCode, json, jsonError) = await Toil.RunAsync("stats", host.Locator, "--json");
        var (tableCode, table, _) = await Toil.RunAsync("stats", host.Locator);

        jsonCode.Should().Be(StoreExitCodes.Success, jsonError);
        tableCode.Should().Be(StoreExitCodes.Success);
        using var document = JsonDocument.Parse(json);
        var types = document.RootElement.GetProperty("jobTypes").EnumerateArray().ToList();
        types.Sum(t => t.GetProperty("count").GetInt32()).Should().Be((int)result.JobBodiesRun, "every body the workers ran is in the stats the store kept");
        document.RootElement.GetProperty("jobsRun").GetInt64().Should().Be(result.JobBodiesRun);
        types.Select(t => t.GetProperty("name").GetString()).Should().Contain(["A", "B"]);
        types.Should().OnlyContain(t => t.GetProperty("wallSeconds").GetDouble() >= 0 && t.GetProperty("failed").GetInt32() == 0);
        table.Should().Contain("Job type").And.Contain("Max mem KiB");
        table.Split('\n').Should().Contain(l => l.StartsWith("A ", StringComparison.Ordinal));
    }

    [Test]
    public async Task Stats_FailedWorkflow_CountsFailedBodies()
    {
        await using var host = OperateHost.Create();
        await host.Runner.RunWorkflowAsync<AlwaysFailJob, string>("root").WaitAsync(Bound);

        var (code, json, _) = await Toil.RunAsync("stats", host.Locator, "--json");

        code.Should().Be(StoreExitCodes.Success);
        using var document = JsonDocument.Parse(json);
        var type = document.RootElement.GetProperty("jobTypes").EnumerateArray().Should().ContainSingle().Subject;
        type.GetProperty("count").GetInt32().Should().Be(1);
        type.GetProperty("failed").GetInt32().Should().Be(1);
    }

    [Test]
    public async Task Stats_MessageThatIsNotStats_SkippedWithWarning()
    {
        await using var host = OperateHost.Create();
        await host.Runner.RunWorkflowAsync<AlwaysFailJob, string>("root").WaitAsync(Bound);
        await File.WriteAllTextAsync(Path.Combine(host.StorePath, "stats", "inbox", "stats00000000000000000000000000000000000000000000000000000000"), "[1,2]");

        var (code, json, error) = await Toil.RunAsync("stats", host.Locator, "--json");

        code.Should().Be(StoreExitCodes.Success);
        error.Should().Contain("warning: skipped a message");
        using var document = JsonDocument.Parse(json);
        document.RootElement.GetProperty("skippedMessages").GetInt32().Should().Be(1);
        document.RootElement.GetProperty("workers").GetInt32().Should().BeGreaterThan(0);
    }

    [Test]
    public async Task Stats_BatchedMessages_EachMessageOfTheBatchCounted()
    {
        await using var host = OperateHost.Create();
        await host.Runner.RunWorkflowAsync<AlwaysFailJob, string>("root").WaitAsync(Bound);
        string archived = Directory.GetFiles(Path.Combine(host.StorePath, "stats", "archive"), "stats*").Should().ContainSingle().Subject;
        byte[] message = await File.ReadAllBytesAsync(archived);
        await File.WriteAllBytesAsync(
            Path.Combine(host.StorePath, "stats", "inbox", "stats00000000000000000000000000000000000000000000000000000000.batch"),
            global::Toil.Runtime.JobStores.FileJobStoreMessageGroup.Encode([message, message]));

        var (code, json, error) = await Toil.RunAsync("stats", host.Locator, "--json");

        code.Should().Be(StoreExitCodes.Success, error);
        using var document = JsonDocument.Parse(json);
        var type = document.RootElement.GetProperty("jobTypes").EnumerateArray().Should().ContainSingle().Subject;
        type.GetProperty("count").GetInt32().Should().Be(3, "the archived message and both messages of the batch");
        type.GetProperty("failed").GetInt32().Should().Be(3);
        document.RootElement.GetProperty("skippedMessages").GetInt32().Should().Be(0);
    }
}
