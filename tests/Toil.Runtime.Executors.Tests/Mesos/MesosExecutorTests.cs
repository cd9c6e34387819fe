using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Executors.Contained;
using Toil.Runtime.Executors.Mesos;
using Toil.Runtime.Executors.Resources;
using Toil.Runtime.Executors.Tests.Processes;
using static Toil.Runtime.Executors.Tests.Mesos.MesosTestTasks;

namespace Toil.Runtime.Executors.Tests.Mesos;

/// <summary>The executor against an in-test agent, with real <c>sh</c> children (docs/executors.md, "Mesos executor").</summary>
public class MesosExecutorTests
{
    private FakeMesosAgent agent = null!;
    private string dir = null!;

    [SetUp]
    public async Task SetUp()
    {
        agent = await FakeMesosAgent.StartAsync();
        dir = Directory.CreateTempSubdirectory("toil-mesos-").FullName;
    }

    [TearDown]
    public async Task TearDown()
    {
        await agent.DisposeAsync();
        Directory.Delete(dir, recursive: true);
    }

    private static IEnumerable<MesosTaskStatus> For(IEnumerable<MesosTaskStatus> updates, string taskId) =>
        updates.Where(u => u.TaskId?.Value == taskId);

    [Test]
    public async Task Subscribe_FirstCall_HasDocumentedBodyAndHeaders()
    {
        await using var run = new Run(agent, agent.Options());
        await agent.WaitForSubscriptionAsync();

        var subscribe = agent.Subscribes.First();
        subscribe.ContentType.Should().StartWith("application/json");
        subscribe.Accept.Should().Contain("application/json");
        using var body = JsonDocument.Parse(subscribe.Raw);
        body.RootElement.GetProperty("type").GetString().Should().Be("SUBSCRIBE");
        body.RootElement.GetProperty("executor_id").GetProperty("value").GetString().Should().Be(agent.ExecutorId);
        body.RootElement.GetProperty("framework_id").GetProperty("value").GetString().Should().Be(agent.FrameworkId);
        var sub = body.RootElement.GetProperty("subscribe");
        sub.GetProperty("unacknowledged_tasks").GetArrayLength().Should().Be(0);
        sub.GetProperty("unacknowledged_updates").GetArrayLength().Should().Be(0);
    }

    [Test]
    public async Task Launch_ExitZero_RunningThenExactlyOneFinished()
    {
        await using (var run = new Run(agent, agent.Options()))
        {
            var sub = await agent.WaitForSubscriptionAsync();
            sub.Send(Launch("t1", "exit 0"));
            await agent.WaitForTerminalAsync("t1");
            sub.Send(Shutdown);
            (await run.ExitCodeAsync()).Should().Be(MesosExecutor.ExitShutdown);
        }

        var updates = For(agent.Updates, "t1").ToList();
        updates.Select(u => u.State).Should().Equal("TASK_RUNNING", "TASK_FINISHED");
        updates.Select(u => u.Uuid).Should().OnlyHaveUniqueItems();
        foreach (var u in updates)
        {
            u.Source.Should().Be("SOURCE_EXECUTOR");
            u.ExecutorId!.Value.Should().Be(agent.ExecutorId);
            Convert.FromBase64String(u.Uuid!).Should().HaveCount(16);
            u.Labels!.Labels.Should().ContainSingle(l => l.Key == "wallTime");
            double.Parse(u.Labels.Labels.Single().Value!, CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(0);
        }

        updates[0].Labels!.Labels.Single().Value.Should().Be("0");
    }

    [Test]
    public async Task Launch_NonZeroExit_FailedWithExitStatusAsMessage()
    {
        await using var run = new Run(agent, agent.Options());
        var sub = await agent.WaitForSubscriptionAsync();

        sub.Send(Launch("t7", "exit 7"));
        var terminal = await agent.WaitForTerminalAsync("t7");

        terminal.State.Should().Be("TASK_FAILED");
        terminal.Message.Should().Be("7");
    }

    [Test]
    public async Task Launch_PayloadEnvironment_VisibleToTheChildWithResourceRoot()
    {
        await using var run = new Run(agent, agent.Options());
        var sub = await agent.WaitForSubscriptionAsync();
        string output = Path.Combine(dir, "env.txt");

        sub.Send(Launch("env", $"echo \"$GREETING|$JTRES_ROOT|$TOIL_WORKDIR\" > '{output}'", new Dictionary<string, string> { ["GREETING"] = "hello world" }));
        (await agent.WaitForTerminalAsync("env")).State.Should().Be("TASK_FINISHED");

        string[] parts = File.ReadAllText(output).Trim().Split('|');
        parts[0].Should().Be("hello world");
        Directory.Exists(parts[1]).Should().BeTrue("the executor's resource root lives while the executor does");
        parts[2].Should().NotBeEmpty();

        sub.Send(Shutdown);
        (await run.ExitCodeAsync()).Should().Be(0);
        Directory.Exists(parts[1]).Should().BeFalse("the resource root is removed when the executor ends");
    }

    private static JobResource ScriptResource(byte[] content) => new(
        JobResourceKind.File, "script.sh", JobResource.HashLeaderPath("/leader/script.sh"), "file:/store", "file-1",
        Convert.ToHexStringLower(SHA256.HashData(content)));

    [Test]
    public async Task Launch_UserScriptWithReader_DeployedAndRegisteredForTheChild()
    {
        byte[] content = Encoding.UTF8.GetBytes("echo deployed\n");
        var resource = ScriptResource(content);
        var options = agent.Options();
        options.ResourceReader = (r, _) => ValueTask.FromResult<Stream>(new MemoryStream(content));
        await using var run = new Run(agent, options);
        var sub = await agent.WaitForSubscriptionAsync();
        string output = Path.Combine(dir, "jtres.txt");
        string data = new ContainedExecutorPayload($"echo \"${resource.EnvironmentVariableName}\" > '{output}'", null, resource).Encode();

        sub.Send("{\"type\":\"LAUNCH\",\"launch\":{\"task\":" + TaskInfo("us", data) + "}}");

        (await agent.WaitForTerminalAsync("us")).State.Should().Be("TASK_FINISHED");
        File.ReadAllText(output).Trim().Should().Be(resource.ToEnvironmentValue());
    }

    [Test]
    public async Task Launch_UserScriptWithoutReader_FailedBeforeTheCommandRuns()
    {
        await using var run = new Run(agent, agent.Options());
        var sub = await agent.WaitForSubscriptionAsync();
        string marker = Path.Combine(dir, "ran");
        string data = new ContainedExecutorPayload($"touch '{marker}'", null, ScriptResource([1, 2, 3])).Encode();

        sub.Send("{\"type\":\"LAUNCH\",\"launch\":{\"task\":" + TaskInfo("noreader", data) + "}}");
        var terminal = await agent.WaitForTerminalAsync("noreader");

        terminal.State.Should().Be("TASK_FAILED");
        terminal.Message.Should().Contain("no job-store reader");
        File.Exists(marker).Should().BeFalse();
    }

    [Test]
    public async Task Launch_ChildRunsInItsOwnProcessGroup()
    {
        await using var run = new Run(agent, agent.Options());
        var sub = await agent.WaitForSubscriptionAsync();
        string output = Path.Combine(dir, "pgid.txt");

        sub.Send(Launch("pg", $"echo \"$$ $(ps -o pgid= -p $$)\" > '{output}'"));
        (await agent.WaitForTerminalAsync("pg")).State.Should().Be("TASK_FINISHED");

        string[] ids = File.ReadAllText(output).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        ids[1].Should().Be(ids[0], "the shell leads its own process group");
    }

    [TestCase("not base64 !!")]
    [TestCase("bm90IGpzb24=")] // "not json"
    [TestCase("e30=")] // "{}": no command
    [TestCase(null)]
    public async Task Launch_UndecodableData_FailedWithWallTimeZero(string? data)
    {
        await using var run = new Run(agent, agent.Options());
        var sub = await agent.WaitForSubscriptionAsync();

        sub.Send(LaunchRawData("bad", data));
        var terminal = await agent.WaitForTerminalAsync("bad");

        terminal.State.Should().Be("TASK_FAILED");
        terminal.Message.Should().NotBeNullOrEmpty();
        terminal.Labels!.Labels.Single().Value.Should().Be("0");
        For(agent.Updates, "bad").Select(u => u.State).Should().Equal("TASK_RUNNING", "TASK_FAILED");
    }

    [Test]
    public async Task Events_HeartbeatUnknownAndMessage_AreIgnoredAndTheStreamGoesOn()
    {
        await using var run = new Run(agent, agent.Options());
        var sub = await agent.WaitForSubscriptionAsync();

        sub.Send(
            """{"type":"HEARTBEAT"}""",
            """{"type":"SOMETHING_NEW_IN_MESOS_2","something_new":{"x":1}}""",
            """{"type":"UNKNOWN"}""",
            """{"type":"MESSAGE","message":{"data":"aGk="}}""",
            """{"type":"LAUNCH","launch":"not an object"}""",
            Launch("after", "exit 0"));

        (await agent.WaitForTerminalAsync("after")).State.Should().Be("TASK_FINISHED");
        run.Exit.IsCompleted.Should().BeFalse();
    }

    [Test]
    public async Task LaunchGroup_SeveralTasks_EachReportedFailedAndNoneRun()
    {
        await using var run = new Run(agent, agent.Options());
        var sub = await agent.WaitForSubscriptionAsync();
        string marker = Path.Combine(dir, "ran");

        sub.Send("{\"type\":\"LAUNCH_GROUP\",\"launch_group\":{\"executor\":{},\"task_group\":{\"tasks\":[" +
            TaskInfo("g1", Payload($"touch '{marker}'")) + "," + TaskInfo("g2", Payload($"touch '{marker}'")) + "]}}}");

        foreach (string id in new[] { "g1", "g2" })
        {
            var terminal = await agent.WaitForTerminalAsync(id);
            terminal.State.Should().Be("TASK_FAILED");
            terminal.Message.Should().Contain("task groups");
        }

        File.Exists(marker).Should().BeFalse();
    }

    [Test]
    public async Task LaunchGroup_OneTask_RunsLikeLaunch()
    {
        await using var run = new Run(agent, agent.Options());
        var sub = await agent.WaitForSubscriptionAsync();

        sub.Send("{\"type\":\"LAUNCH_GROUP\",\"launch_group\":{\"task_group\":{\"tasks\":[" + TaskInfo("solo", Payload("exit 0")) + "]}}}");

        (await agent.WaitForTerminalAsync("solo")).State.Should().Be("TASK_FINISHED");
    }

    [Test]
    public async Task Kill_RunningTask_KillsWholeProcessGroupAndReportsKilled()
    {
        await using var run = new Run(agent, agent.Options());
        var sub = await agent.WaitForSubscriptionAsync();
        string pidFile = Path.Combine(dir, "grandchild.pid");

        sub.Send(Launch("k", $"sleep 300 & echo $! > '{pidFile}'; wait"));
        int grandchild = await ProcessProbe.ReadPidFileAsync(pidFile);
        ProcessProbe.IsAlive(grandchild).Should().BeTrue();

        sub.Send(Kill("k"));
        var terminal = await agent.WaitForTerminalAsync("k");

        terminal.State.Should().Be("TASK_KILLED");
        await ProcessProbe.WaitUntilAsync(() => !ProcessProbe.IsAlive(grandchild), "the grandchild in the task's group is dead");
        For(agent.Updates, "k").Select(u => u.State).Should().Equal("TASK_RUNNING", "TASK_KILLED");
    }

    [Test]
    public async Task Kill_UnknownTask_IsIgnored()
    {
        await using var run = new Run(agent, agent.Options());
        var sub = await agent.WaitForSubscriptionAsync();

        sub.Send(Kill("nobody"), Launch("after-kill", "exit 0"));

        (await agent.WaitForTerminalAsync("after-kill")).State.Should().Be("TASK_FINISHED");
        For(agent.Updates, "nobody").Should().BeEmpty();
        run.Logs.Collector.GetSnapshot().Should().Contain(r => r.Message.Contains("Ignoring KILL of unknown task nobody"));
    }

    [Test]
    public async Task Kill_RacingTheLaunch_IsNotLost()
    {
        // Upstream loses a KILL that arrives before the child's pid is recorded; the task then runs to completion.
        await using var run = new Run(agent, agent.Options());
        var sub = await agent.WaitForSubscriptionAsync();
        string marker = Path.Combine(dir, "completed");

        for (int i = 0; i < 5; i++)
        {
            // Both records in one write: the KILL is handled while the launch is still starting.
            sub.Send(Launch($"race{i}", $"sleep 30; touch '{marker}'"), Kill($"race{i}"));
        }

        for (int i = 0; i < 5; i++)
        {
            var terminal = await agent.WaitForTerminalAsync($"race{i}");
            terminal.State.Should().Be("TASK_KILLED");
            For(agent.Updates, $"race{i}").Count(u => u.State != "TASK_RUNNING").Should().Be(1);
        }

        File.Exists(marker).Should().BeFalse();
    }

    [Test]
    public async Task Updates_NeverAcknowledged_StayRecordedWithTheirTask()
    {
        await using var run = new Run(agent, agent.Options());
        var sub = await agent.WaitForSubscriptionAsync();
        agent.AutoAcknowledge = null;

        sub.Send(Launch("kept", "exit 0"));
        await agent.WaitForTerminalAsync("kept");

        await ProcessProbe.WaitUntilAsync(() => run.Executor.Ledger.Snapshot().Updates.Count == 2, "both updates are unacknowledged");
        run.Executor.Ledger.Snapshot().Tasks.Should().ContainSingle();
    }

    [Test]
    public async Task StartUp_StateFetchFails_IsReportedAndNotFatal()
    {
        agent.FailState = true;
        await using var run = new Run(agent, agent.Options());
        var sub = await agent.WaitForSubscriptionAsync();

        sub.Send(Launch("ok", "exit 0"));
        (await agent.WaitForTerminalAsync("ok")).State.Should().Be("TASK_FINISHED");

        run.Logs.Collector.GetSnapshot().Should().Contain(r =>
            r.Level == LogLevel.Warning && r.Message.StartsWith("Could not fetch the agent state from http://" + agent.Endpoint + "/state", StringComparison.Ordinal));
    }

    [Test]
    public async Task StartUp_State_SummaryAndLimitsLoggedAtDebug()
    {
        await using var run = new Run(agent, agent.Options());
        await agent.WaitForSubscriptionAsync();

        var records = run.Logs.Collector.GetSnapshot();
        var state = records.Should().ContainSingle(r => r.Message.StartsWith("Agent state:", StringComparison.Ordinal)).Subject;
        state.Level.Should().Be(LogLevel.Debug);
        state.Message.Should().Contain("hostname=localhost").And.Contain("version=1.11.0").And.NotContain("completed_frameworks");
        records.Should().Contain(r => r.Level == LogLevel.Debug && r.Message.StartsWith("RLIMIT_AS: (", StringComparison.Ordinal));
    }

    [Test]
    public async Task NodeInfo_ShortInterval_AddressFirstThenTheFiveKeys()
    {
        var options = agent.Options();
        options.NodeInfoIntervalMin = TimeSpan.FromMilliseconds(50);
        options.NodeInfoIntervalMax = TimeSpan.FromMilliseconds(100);
        await using var run = new Run(agent, options);
        await agent.WaitForSubscriptionAsync();

        await agent.WaitForCallAsync(c => c.Call.Type == "MESSAGE" && Decode(c).Contains("nodeInfo", StringComparison.Ordinal), "a second node-info message");

        var messages = agent.Calls.Where(c => c.Call.Type == "MESSAGE").Select(Decode).ToList();
        using (var first = JsonDocument.Parse(messages[0]))
        {
            first.RootElement.EnumerateObject().Select(p => p.Name).Should().Equal("address");
            first.RootElement.GetProperty("address").GetString().Should().Be("127.0.0.1");
        }

        using var later = JsonDocument.Parse(messages[1]);
        later.RootElement.GetProperty("address").GetString().Should().Be("127.0.0.1");
        later.RootElement.GetProperty("nodeInfo").EnumerateObject().Select(p => p.Name)
            .Should().BeEquivalentTo("coresUsed", "memoryUsed", "coresTotal", "memoryTotal", "workers");
        later.RootElement.GetProperty("nodeInfo").GetProperty("coresTotal").GetInt32().Should().Be(Environment.ProcessorCount);

        static string Decode(FakeMesosAgent.ReceivedCall c) => Encoding.UTF8.GetString(Convert.FromBase64String(c.Call.MessageBody!.Data!));
    }
}
