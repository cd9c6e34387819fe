using System.Diagnostics;
using Toil.Runtime.Executors.Contained;
using Toil.Runtime.Executors.Resources;
using Toil.Runtime.JobStores;
using Toil.Runtime.Executors.Tests.Processes;
using static Toil.Runtime.Executors.Tests.Mesos.MesosTestTasks;

namespace Toil.Runtime.Executors.Tests.Mesos;

/// <summary><c>toil mesos-executor</c> as a real process, configured only by the agent's environment.</summary>
public class MesosExecutorCommandTests
{
    private FakeMesosAgent agent = null!;
    private string dir = null!;

    [SetUp]
    public async Task SetUp()
    {
        agent = await FakeMesosAgent.StartAsync();
        dir = Directory.CreateTempSubdirectory("toil-mesos-cli-").FullName;
    }

    [TearDown]
    public async Task TearDown()
    {
        await agent.DisposeAsync();
        Directory.Delete(dir, recursive: true);
    }

    private Process Start(Dictionary<string, string?> environment)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dir,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "toil.dll"));
        psi.ArgumentList.Add("mesos-executor");
        psi.ArgumentList.Add("--log-level");
        psi.ArgumentList.Add("Debug");
        foreach (string name in psi.Environment.Keys.Where(k => k.StartsWith("MESOS_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }

        return Process.Start(psi)!;
    }

    private Dictionary<string, string?> AgentEnvironment() => new()
    {
        ["MESOS_FRAMEWORK_ID"] = agent.FrameworkId,
        ["MESOS_EXECUTOR_ID"] = agent.ExecutorId,
        ["MESOS_AGENT_ENDPOINT"] = agent.Endpoint,
        ["MESOS_CHECKPOINT"] = "0",
        ["MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD"] = "10secs",
    };

    private static async Task<(int ExitCode, string StdErr)> WaitAsync(Process process)
    {
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(FakeMesosAgent.Bound);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stderr);
    }

    [Test]
    public async Task MesosExecutor_LaunchThenShutdown_RunsTaskAndExitsZero()
    {
        using var process = Start(AgentEnvironment());
        var sub = await agent.WaitForSubscriptionAsync();
        string marker = Path.Combine(dir, "ran");

        sub.Send(Launch("cli", $"echo \"$TOIL_WORKDIR\" > '{marker}'"));
        (await agent.WaitForTerminalAsync("cli")).State.Should().Be("TASK_FINISHED");
        sub.Send(Shutdown);
        var (code, stderr) = await WaitAsync(process);

        code.Should().Be(0, stderr);
        File.ReadAllText(marker).Trim().Should().Be(dir, "TOIL_WORKDIR defaults to the sandbox (the working directory)");
        stderr.Should().Contain("Agent state:").And.Contain("Executor shut down");
    }

    [Test]
    public async Task MesosExecutor_NoAgentEndpoint_FallsBackToSlaveEndpointWithWarning()
    {
        var environment = AgentEnvironment();
        environment.Remove("MESOS_AGENT_ENDPOINT");
        environment["MESOS_SLAVE_ENDPOINT"] = agent.Endpoint;
        using var process = Start(environment);

        var sub = await agent.WaitForSubscriptionAsync();
        sub.Send(Shutdown);
        var (code, stderr) = await WaitAsync(process);

        code.Should().Be(0, stderr);
        stderr.Should().Contain($"Had to fake MESOS_AGENT_ENDPOINT as {agent.Endpoint}");
    }

    [Test]
    public async Task MesosExecutor_Sigterm_KillsTasksReportsKilledAndExits143()
    {
        using var process = Start(AgentEnvironment());
        var sub = await agent.WaitForSubscriptionAsync();
        string pidFile = Path.Combine(dir, "pid");
        sub.Send(Launch("term", $"sleep 300 & echo $! > '{pidFile}'; wait"));
        int grandchild = await ProcessProbe.ReadPidFileAsync(pidFile);

        Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).WaitForExit();
        var (code, stderr) = await WaitAsync(process);

        code.Should().Be(143, stderr);
        (await agent.WaitForTerminalAsync("term")).State.Should().Be("TASK_KILLED");
        await ProcessProbe.WaitUntilAsync(() => !ProcessProbe.IsAlive(grandchild), "the task's process group is dead");
    }

    [Test]
    public async Task MesosExecutor_TasksWithUserScripts_DeployFromTheFileJobStoreOrFailNamingAMissingStore()
    {
        await using var store = await FileJobStore.CreateAsync(new FileJobStoreOptions { Locator = "file:" + Path.Combine(dir, "store") });
        string leaderFile = Path.Combine(Directory.CreateDirectory(Path.Combine(dir, "leader")).FullName, "Jobs.dll");
        await File.WriteAllTextAsync(leaderFile, "deployed jobs\n");
        var resource = await JobResource.CreateAsync(store, leaderFile);
        string missing = "file:" + Path.Combine(dir, "no-such-store");
        var lost = new JobResource(resource.Kind, resource.Name, resource.PathHash, missing, resource.FileId, resource.Sha256);
        string copy = Path.Combine(dir, "copy");
        string marker = Path.Combine(dir, "ran");
        using var process = Start(AgentEnvironment());
        var sub = await agent.WaitForSubscriptionAsync();

        sub.Send(LaunchRawData("deployed", new ContainedExecutorPayload($"cat \"$JTRES_ROOT/{resource.Sha256}/{resource.Name}\" > '{copy}'", userScript: resource).Encode()));
        sub.Send(LaunchRawData("lost", new ContainedExecutorPayload($"touch '{marker}'", userScript: lost).Encode()));
        var deployed = await agent.WaitForTerminalAsync("deployed");
        var failed = await agent.WaitForTerminalAsync("lost");
        sub.Send(Shutdown);
        var (code, stderr) = await WaitAsync(process);

        deployed.State.Should().Be("TASK_FINISHED", stderr);
        File.ReadAllText(copy).Should().Be("deployed jobs\n");
        failed.State.Should().Be("TASK_FAILED");
        failed.Message.Should().Contain($"job store '{missing}', which does not exist");
        File.Exists(marker).Should().BeFalse();
        code.Should().Be(0, stderr);
    }

    [TestCase("MESOS_FRAMEWORK_ID", null, "MESOS_FRAMEWORK_ID")]
    [TestCase("MESOS_CHECKPOINT", "yes", "MESOS_CHECKPOINT")]
    [TestCase("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", "5", "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD")]
    public async Task MesosExecutor_BadEnvironment_Exits2WithTheProblem(string name, string? value, string expected)
    {
        var environment = AgentEnvironment();
        environment[name] = value;
        using var process = Start(environment);

        var (code, stderr) = await WaitAsync(process);

        code.Should().Be(2);
        stderr.Should().Contain(expected);
        agent.Subscribes.Should().BeEmpty();
    }
}
