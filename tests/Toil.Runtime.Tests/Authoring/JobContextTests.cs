using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Authoring;
using Toil.Runtime.Jobs;

namespace Toil.Runtime.Tests.Authoring;

public sealed class JobContextTests
{
    private AuthoringHarness _harness = null!;

    [SetUp]
    public void SetUp() => _harness = new AuthoringHarness();

    [TearDown]
    public async Task TearDown() => await _harness.DisposeAsync();

    [Test]
    public async Task JobContext_RunningJob_ExposesItsDescriptionAndResolvedRequirements()
    {
        JobContext? seen = null;
        _harness.Script.Steps["look"] = context =>
        {
            seen = context;
            return ValueTask.CompletedTask;
        };
        _harness.Script.Steps["parent"] = context =>
        {
            context.AddChild<Scripted, ScriptInput>(new ScriptInput("look"), new JobRequirements { Memory = "300Mi" }, displayName: "looker");
            return ValueTask.CompletedTask;
        };
        string root = await _harness.CreateRootAsync<Scripted, ScriptInput>(new ScriptInput("parent"));
        var parent = await _harness.RunJobAsync(root);
        string childId = parent.Job.Children.Single();

        await _harness.RunJobAsync(childId);

        seen!.JobStoreId.Should().Be(childId);
        seen.JobName.Should().Be("scripted");
        seen.DisplayName.Should().Be("looker");
        seen.Requirements.Memory.Should().Be(DataSize.FromString("300Mi"));
        seen.Requirements.Cores.Should().Be(_harness.Store.Config.DefaultCores, "unset requirements come from the workflow defaults");
        seen.Requirements.Disk.Should().Be(_harness.Store.Config.DefaultDisk);
        seen.Job.JobStoreId.Should().Be(childId);
        seen.Environment.Should().BeSameAs(_harness.Environment);
    }

    [Test]
    public async Task JobContext_LogToLeaderAndLogger_ReachTheFileStoreAndTheWorkerLog()
    {
        _harness.Script.Steps["log"] = context =>
        {
            context.LogToLeader("to the leader", LogLevel.Warning);
            context.Logger.LogInformation("into the worker log");
            return ValueTask.CompletedTask;
        };
        string root = await _harness.CreateRootAsync<Scripted, ScriptInput>(new ScriptInput("log"));

        var run = await _harness.RunJobAsync(root);

        run.FileStore.LeaderMessages.Should().Contain(new Toil.Runtime.FileStores.LeaderMessage("to the leader", LogLevel.Warning));
        _harness.Logger.Collector.GetSnapshot().Select(r => r.Message).Should().Contain("into the worker log");
    }

    [Test]
    public async Task DeferAsync_RegisteredFunction_RunsWhenTheJobEnds()
    {
        _harness.Script.Steps["defer"] = async context => await context.DeferAsync("note", "cleaned up");
        string root = await _harness.CreateRootAsync<Scripted, ScriptInput>(new ScriptInput("defer"));

        await _harness.RunJobAsync(root);

        _harness.Deferred.Should().Equal("cleaned up");
    }

    [Test]
    public async Task RunProcessAsync_ShellChild_OutputAndLeaderEnvironmentLandInTheChildOutput()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Needs /bin/sh; run on Linux or macOS.");
        }

        int exitCode = -1;
        _harness.Environment["TOIL_AUTHORING_TEST_VAR"] = "from-the-leader";
        _harness.Script.Steps["child"] = async context =>
        {
            var start = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", "echo out-line; echo err-line >&2; echo \"var=$TOIL_AUTHORING_TEST_VAR\"; exit 3" } };
            exitCode = await context.RunProcessAsync(start, TimeSpan.FromMinutes(2), context.CancellationToken);
        };
        string root = await _harness.CreateRootAsync<Scripted, ScriptInput>(new ScriptInput("child"));

        await _harness.RunJobAsync(root);

        exitCode.Should().Be(3);
        string output = _harness.ChildOutput.ToString();
        output.Should().Contain("out-line").And.Contain("err-line").And.Contain("var=from-the-leader");
    }

    [Test]
    public async Task RunProcessAsync_CallerSetVariable_KeepsTheCallersValue()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Needs /bin/sh; run on Linux or macOS.");
        }

        _harness.Environment["TOIL_AUTHORING_TEST_VAR"] = "from-the-leader";
        _harness.Script.Steps["child"] = async context =>
        {
            var start = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", "echo \"var=$TOIL_AUTHORING_TEST_VAR\"" } };
            start.Environment["TOIL_AUTHORING_TEST_VAR"] = "from-the-caller";
            await context.RunProcessAsync(start, TimeSpan.FromMinutes(2), context.CancellationToken);
        };
        string root = await _harness.CreateRootAsync<Scripted, ScriptInput>(new ScriptInput("child"));

        await _harness.RunJobAsync(root);

        _harness.ChildOutput.ToString().Should().Contain("var=from-the-caller").And.NotContain("from-the-leader");
    }

    [Test]
    public async Task RunProcessAsync_Timeout_KillsTheChildAndThrowsTimeout()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Needs /bin/sh; run on Linux or macOS.");
        }

        string marker = Path.Combine(_harness.WorkDir, "survived");
        _harness.Script.Steps["slow"] = async context =>
        {
            var start = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", $"sleep 60; touch '{marker}'" } };
            await context.RunProcessAsync(start, TimeSpan.FromMilliseconds(300), context.CancellationToken);
        };
        string root = await _harness.CreateRootAsync<Scripted, ScriptInput>(new ScriptInput("slow"));
        var clock = Stopwatch.StartNew();

        var act = () => _harness.RunJobAsync(root);

        await act.Should().ThrowAsync<TimeoutException>();
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(50), "the child was killed, not waited for");
        File.Exists(marker).Should().BeFalse();
    }
}
