using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Toil.Runtime.Executors.Mesos;
using Toil.Runtime.Executors.Tests.Processes;
using static Toil.Runtime.Executors.Tests.Mesos.MesosTestTasks;

namespace Toil.Runtime.Executors.Tests.Mesos;

/// <summary>Acknowledgements, dropped streams with and without checkpointing, recovery timeout and SHUTDOWN
/// (docs/executors.md, "Losing the agent, shutting down, exit codes").</summary>
public class MesosExecutorRecoveryTests
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

    private string Gate(string name) => Path.Combine(dir, name);

    [Test]
    public async Task Acknowledged_RemovesUpdateAndTask_ReSubscribeCarriesOnlyTheRemainder()
    {
        // Only task A's updates are acknowledged; task B (still running) stays unacknowledged.
        agent.AutoAcknowledge = status => status.TaskId!.Value == "A";
        await using var run = new Run(agent, agent.Options(checkpoint: true));
        var sub = await agent.WaitForSubscriptionAsync();
        string pidFile = Gate("b.pid");

        sub.Send(Launch("A", "exit 0"), Launch("B", $"sleep 300 & echo $! > '{pidFile}'; wait"));
        await agent.WaitForTerminalAsync("A");
        await agent.WaitForUpdateAsync(u => u.TaskId!.Value == "B" && u.State == "TASK_RUNNING", "B running");
        int grandchild = await ProcessProbe.ReadPidFileAsync(pidFile);
        await ProcessProbe.WaitUntilAsync(() => run.Executor.Ledger.Snapshot().Updates.Count == 1, "A's acknowledgements are processed");

        sub.Drop();
        await agent.WaitForSubscriptionAsync(2);

        using var body = JsonDocument.Parse(agent.Subscribes.ElementAt(1).Raw);
        var subscribe = body.RootElement.GetProperty("subscribe");
        var tasks = subscribe.GetProperty("unacknowledged_tasks").EnumerateArray().ToList();
        tasks.Should().ContainSingle();
        tasks[0].GetProperty("task_id").GetProperty("value").GetString().Should().Be("B");
        tasks[0].GetProperty("resources")[0].GetProperty("name").GetString().Should().Be("cpus", "the TaskInfo is handed back whole");
        var updates = subscribe.GetProperty("unacknowledged_updates").EnumerateArray().ToList();
        updates.Should().ContainSingle();
        updates[0].GetProperty("status").GetProperty("task_id").GetProperty("value").GetString().Should().Be("B");
        updates[0].GetProperty("status").GetProperty("state").GetString().Should().Be("TASK_RUNNING");

        ProcessProbe.IsAlive(grandchild).Should().BeTrue("with checkpointing, tasks survive a lost agent connection");
        var sub2 = await agent.WaitForSubscriptionAsync(2);
        sub2.Send(Kill("B"));
        (await agent.WaitForTerminalAsync("B")).State.Should().Be("TASK_KILLED");
        sub2.Send(Shutdown);
        (await run.ExitCodeAsync()).Should().Be(MesosExecutor.ExitShutdown);
    }

    [Test]
    public async Task Checkpointing_UpdateSentWhileDisconnected_IsHandedOverOnReSubscribe()
    {
        await using var run = new Run(agent, agent.Options(checkpoint: true));
        var sub = await agent.WaitForSubscriptionAsync();
        string gate = Gate("go");

        sub.Send(Launch("late", $"while [ ! -f '{gate}' ]; do sleep 0.05; done; exit 3"));
        await agent.WaitForUpdateAsync(u => u.TaskId!.Value == "late" && u.State == "TASK_RUNNING", "running");
        agent.RefuseSubscriptions = HttpStatusCode.ServiceUnavailable;
        sub.Drop();
        await agent.WaitForCallAsync(c => c.Call.Type == "SUBSCRIBE" && c != agent.Subscribes.First(), "a refused re-subscription");

        File.WriteAllText(gate, "");
        await agent.WaitForCallAsync(c => c.Call.Type == "UPDATE" && !c.Accepted, "the terminal update, rejected while disconnected");
        agent.RefuseSubscriptions = null;
        await agent.WaitForSubscriptionAsync(2);

        using var body = JsonDocument.Parse(agent.Subscribes.Last().Raw);
        var states = body.RootElement.GetProperty("subscribe").GetProperty("unacknowledged_updates").EnumerateArray()
            .Select(u => u.GetProperty("status").GetProperty("state").GetString()).ToList();
        states.Should().Equal("TASK_FAILED");
        body.RootElement.GetProperty("subscribe").GetProperty("unacknowledged_updates")[0]
            .GetProperty("status").GetProperty("message").GetString().Should().Be("3");
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task NoCheckpointing_StreamDropped_KillsTasksAndEndsGracefully(bool resetConnection)
    {
        await using var run = new Run(agent, agent.Options(checkpoint: false));
        var sub = await agent.WaitForSubscriptionAsync();
        string pidFile = Gate("pid");
        sub.Send(Launch("orphan", $"sleep 300 & echo $! > '{pidFile}'; wait"));
        int grandchild = await ProcessProbe.ReadPidFileAsync(pidFile);

        sub.Drop(resetConnection);

        (await run.ExitCodeAsync()).Should().Be(MesosExecutor.ExitAgentLost);
        agent.Subscribes.Should().ContainSingle("without checkpointing the executor does not re-subscribe");
        await ProcessProbe.WaitUntilAsync(() => !ProcessProbe.IsAlive(grandchild), "the task's process group is dead");
        run.Logs.Collector.GetSnapshot().Should().Contain(r => r.Message.Contains("does not checkpoint"));
    }

    [Test]
    public async Task NoCheckpointing_ErrorEvent_EndsAsALostAgent()
    {
        await using var run = new Run(agent, agent.Options(checkpoint: false));
        var sub = await agent.WaitForSubscriptionAsync();

        sub.Send("""{"type":"ERROR","error":{"message":"framework unknown"}}""");

        (await run.ExitCodeAsync()).Should().Be(MesosExecutor.ExitAgentLost);
        run.Logs.Collector.GetSnapshot().Should().Contain(r => r.Message == "FATAL ERROR from the agent: framework unknown");
    }

    [Test]
    public async Task NoCheckpointing_CorruptFrame_EndsAsALostAgentWithTheReason()
    {
        await using var run = new Run(agent, agent.Options(checkpoint: false));
        var sub = await agent.WaitForSubscriptionAsync();

        sub.SendRaw("12x\n{}"u8.ToArray());

        (await run.ExitCodeAsync()).Should().Be(MesosExecutor.ExitAgentLost);
        run.Logs.Collector.GetSnapshot().Should().Contain(r => r.Message.Contains("RecordIO header has a non-digit byte 0x78"));
    }

    [Test]
    public async Task Checkpointing_SilentStream_TreatedAsBrokenAfterIdleTimeoutAndReSubscribed()
    {
        var options = agent.Options(checkpoint: true);
        options.EventStreamIdleTimeout = TimeSpan.FromSeconds(1);
        await using var run = new Run(agent, options);

        await agent.WaitForCallAsync(c => c.Call.Type == "SUBSCRIBE" && c != agent.Subscribes.First(), "a second SUBSCRIBE");

        run.Logs.Collector.GetSnapshot().Should().Contain(r => r.Message.Contains("no event from the agent for"));
    }

    [Test]
    public async Task Checkpointing_AgentNeverBack_RetriesWithinBackoffMaxAndStopsAtRecoveryTimeout()
    {
        var options = agent.Options(checkpoint: true);
        options.RecoveryTimeout = TimeSpan.FromSeconds(2);
        options.SubscriptionBackoffMax = TimeSpan.FromMilliseconds(200);
        await using var run = new Run(agent, options);
        var sub = await agent.WaitForSubscriptionAsync();
        agent.RefuseSubscriptions = HttpStatusCode.ServiceUnavailable;

        var clock = Stopwatch.StartNew();
        sub.Drop();
        int code = await run.ExitCodeAsync();
        clock.Stop();

        code.Should().Be(MesosExecutor.ExitAgentLost);
        clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1.9));
        // Each wait is at most 200 ms, so a 2-second window holds many attempts even on a loaded machine.
        agent.Subscribes.Count().Should().BeGreaterThanOrEqualTo(4);
        run.Logs.Collector.GetSnapshot().Should().Contain(r => r.Message.Contains("recovery timeout"));
    }

    [Test]
    public void Backoff_AnyAttempt_NeverExceedsMaximumAndGrows()
    {
        var max = TimeSpan.FromSeconds(2);
        for (int attempt = 0; attempt < 100; attempt++)
        {
            var delay = MesosExecutor.Backoff(attempt, max);
            delay.Should().BePositive().And.BeLessThanOrEqualTo(max);
        }

        MesosExecutor.Backoff(0, max).Should().BeLessThanOrEqualTo(max / 16);
        MesosExecutor.Backoff(10, max).Should().BeGreaterThanOrEqualTo(max / 2);
    }

    [Test]
    public async Task Shutdown_RunningTasks_AllKilledReportedAndExitWithinGracePeriod()
    {
        var options = agent.Options();
        options.ShutdownGracePeriod = TimeSpan.FromSeconds(10);
        await using var run = new Run(agent, options);
        var sub = await agent.WaitForSubscriptionAsync();
        var pids = new List<int>();
        for (int i = 0; i < 3; i++)
        {
            sub.Send(Launch($"s{i}", $"sleep 300 & echo $! > '{Gate($"s{i}.pid")}'; wait"));
        }

        for (int i = 0; i < 3; i++)
        {
            pids.Add(await ProcessProbe.ReadPidFileAsync(Gate($"s{i}.pid")));
        }

        var clock = Stopwatch.StartNew();
        sub.Send(Shutdown);
        int code = await run.ExitCodeAsync();

        code.Should().Be(MesosExecutor.ExitShutdown);
        clock.Elapsed.Should().BeLessThan(options.ShutdownGracePeriod);
        for (int i = 0; i < 3; i++)
        {
            agent.Updates.Where(u => u.TaskId!.Value == $"s{i}").Select(u => u.State).Should().Equal("TASK_RUNNING", "TASK_KILLED");
        }

        foreach (int pid in pids)
        {
            await ProcessProbe.WaitUntilAsync(() => !ProcessProbe.IsAlive(pid), $"grandchild {pid} is dead");
        }
    }

    [Test]
    public async Task Shutdown_BeforeAnyLaunch_ExitsCleanly()
    {
        await using var run = new Run(agent, agent.Options());
        var sub = await agent.WaitForSubscriptionAsync();

        sub.Send(Shutdown);

        (await run.ExitCodeAsync()).Should().Be(MesosExecutor.ExitShutdown);
        agent.Updates.Should().BeEmpty();
    }

    [Test]
    public async Task Cancellation_RunningTask_KilledAndReportedThenCancelled()
    {
        var options = agent.Options();
        var executor = new MesosExecutor(options, null, null);
        using var cts = new CancellationTokenSource();
        var exit = Task.Run(() => executor.RunAsync(cts.Token));
        var sub = await agent.WaitForSubscriptionAsync();
        sub.Send(Launch("c", "sleep 300"));
        await agent.WaitForUpdateAsync(u => u.TaskId!.Value == "c" && u.State == "TASK_RUNNING", "running");

        await cts.CancelAsync();

        await exit.Awaiting(t => t.WaitAsync(FakeMesosAgent.Bound)).Should().ThrowAsync<OperationCanceledException>();
        (await agent.WaitForTerminalAsync("c")).State.Should().Be("TASK_KILLED");
    }
}
