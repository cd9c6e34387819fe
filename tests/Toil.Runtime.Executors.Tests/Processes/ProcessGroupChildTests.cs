using System.ComponentModel;
using Toil.Runtime.Executors.Processes;

namespace Toil.Runtime.Executors.Tests.Processes;

public class ProcessGroupChildTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("toil-pgc-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [TestCase("exit 0", 0)]
    [TestCase("exit 3", 3)]
    [TestCase("exit 42", 42)]
    [TestCase("exit 255", 255)]
    public async Task WaitForExitAsync_NormalExit_ReturnsShellExitStatus(string command, int expected)
    {
        var child = ProcessGroupChild.Start(command);

        int code = await child.WaitForExitAsync().WaitAsync(ProcessProbe.Bound);

        code.Should().Be(expected);
        child.ExitCode.Should().Be(expected);
        child.TerminatingSignal.Should().BeNull();
        child.HasExited.Should().BeTrue();
    }

    [TestCase("kill -9 $$", 9, 137)]
    [TestCase("kill -15 $$", 15, 143)]
    [TestCase("kill -1 $$", 1, 129)]
    public async Task WaitForExitAsync_ShellKilledBySignal_Returns128PlusSignal(string command, int signal, int expected)
    {
        var child = ProcessGroupChild.Start(command);

        int code = await child.WaitForExitAsync().WaitAsync(ProcessProbe.Bound);

        code.Should().Be(expected);
        child.TerminatingSignal.Should().Be(signal);
    }

    [Test]
    public async Task Start_Always_ChildLeadsItsOwnProcessGroup()
    {
        string pgidFile = Path.Combine(_dir, "pgid");
        var child = ProcessGroupChild.Start($"ps -o pgid= -p $$ > '{pgidFile}' 2>/dev/null || cut -d' ' -f5 /proc/$$/stat > '{pgidFile}'; sleep 100");
        try
        {
            int reported = await ProcessProbe.ReadPidFileAsync(pgidFile);

            reported.Should().Be(child.ProcessId, "the shell itself sees pgid == its pid");
            ProcessProbe.ProcessGroupOf(child.ProcessId).Should().Be(child.ProcessId);
            child.ProcessGroupId.Should().Be(child.ProcessId);
            ProcessProbe.ProcessGroupOf(Environment.ProcessId).Should().NotBe(child.ProcessGroupId, "the child must not share the host's group");
        }
        finally
        {
            child.SignalGroup(UnixSignal.Kill);
            await child.WaitForExitAsync().WaitAsync(ProcessProbe.Bound);
        }
    }

    [Test]
    public async Task SignalGroup_Terminate_ReachesShellAndGrandchild()
    {
        string pidFile = Path.Combine(_dir, "grandchild");
        var child = ProcessGroupChild.Start($"sleep 100 & echo $! > '{pidFile}'; wait");
        int grandchild = await ProcessProbe.ReadPidFileAsync(pidFile);
        ProcessProbe.IsAlive(grandchild).Should().BeTrue();

        child.SignalGroup(UnixSignal.Terminate).Should().BeTrue();
        int code = await child.WaitForExitAsync().WaitAsync(ProcessProbe.Bound);

        code.Should().Be(143);
        await ProcessProbe.WaitUntilAsync(() => !ProcessProbe.IsAlive(grandchild), "the grandchild is gone");
    }

    [Test]
    public async Task SignalGroup_AfterGroupIsGone_ReturnsFalse()
    {
        var child = ProcessGroupChild.Start("exit 0");
        await child.WaitForExitAsync().WaitAsync(ProcessProbe.Bound);

        child.SignalGroup(UnixSignal.Terminate).Should().BeFalse();
    }

    [Test]
    public async Task Start_WithEnvironment_ChildSeesSetAndRemovedVariables()
    {
        string outFile = Path.Combine(_dir, "env");
        Environment.SetEnvironmentVariable("TOIL_PGC_REMOVED", "present");
        try
        {
            var child = ProcessGroupChild.Start(
                $"printf '%s|%s|%s' \"$TOIL_PGC_SET\" \"${{TOIL_PGC_REMOVED-unset}}\" \"$HOME\" > '{outFile}'",
                new Dictionary<string, string?> { ["TOIL_PGC_SET"] = "a b=c", ["TOIL_PGC_REMOVED"] = null });
            (await child.WaitForExitAsync().WaitAsync(ProcessProbe.Bound)).Should().Be(0);

            File.ReadAllText(outFile).Should().Be($"a b=c|unset|{Environment.GetEnvironmentVariable("HOME")}");
        }
        finally
        {
            Environment.SetEnvironmentVariable("TOIL_PGC_REMOVED", null);
        }
    }

    [Test]
    public async Task Start_WithWorkingDirectory_ChildRunsThere()
    {
        var child = ProcessGroupChild.Start("pwd > out", workingDirectory: _dir);
        (await child.WaitForExitAsync().WaitAsync(ProcessProbe.Bound)).Should().Be(0);

        File.ReadAllText(Path.Combine(_dir, "out")).Trim().Should().Be(_dir);
    }

    [Test]
    public void Start_MissingWorkingDirectory_ThrowsWin32Exception()
    {
        var act = () => ProcessGroupChild.Start("exit 0", workingDirectory: Path.Combine(_dir, "missing"));

        act.Should().Throw<Win32Exception>().WithMessage("*missing*");
    }

    [Test]
    public void Start_InvalidVariableName_ThrowsArgumentException()
    {
        var act = () => ProcessGroupChild.Start("exit 0", new Dictionary<string, string?> { ["A=B"] = "x" });

        act.Should().Throw<ArgumentException>();
    }

    [Test]
    public async Task WaitForExitAsync_Cancelled_StopsWaitingButNotTheChild()
    {
        var child = ProcessGroupChild.Start("sleep 100");
        try
        {
            using var cts = new CancellationTokenSource();
            var wait = child.WaitForExitAsync(cts.Token);
            await cts.CancelAsync();

            await wait.Invoking(w => w).Should().ThrowAsync<OperationCanceledException>();
            child.HasExited.Should().BeFalse();
            ProcessProbe.IsAlive(child.ProcessId).Should().BeTrue();
        }
        finally
        {
            child.SignalGroup(UnixSignal.Kill);
            (await child.WaitForExitAsync().WaitAsync(ProcessProbe.Bound)).Should().Be(137);
        }
    }
}
