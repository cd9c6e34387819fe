using System.Diagnostics;
using Toil.Runtime.Executors.Contained;
using Toil.Runtime.Executors.Processes;
using Toil.Runtime.Executors.Tests.Processes;

namespace Toil.Runtime.Executors.Tests.Contained;

/// <summary>The executor as a real process: the <c>toil</c> apphost built beside the tests.</summary>
public class ContainedExecutorProcessTests
{
    internal static readonly string Toil = Path.Combine(AppContext.BaseDirectory, "toil");

    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("toil-cep-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [TestCase("exit 0", 0)]
    [TestCase("exit 3", 3)]
    [TestCase("exit 42", 42)]
    [TestCase("kill -9 $$", 137)]
    public async Task Executor_ChildExits_ProcessExitCodeReproducesIt(string command, int expected)
    {
        var (code, _, _) = await RunToCompletionAsync(Toil, "contained-executor", Pack(command));

        code.Should().Be(expected);
    }

    [Test]
    public async Task Executor_ChildOutput_GoesToStdoutAndTheExecutorLogToStderr()
    {
        var (code, stdout, stderr) = await RunToCompletionAsync(Toil, "contained-executor", Pack("echo hello"));

        code.Should().Be(0);
        stdout.Should().Be("hello\n");
        stderr.Should().Contain("Starting executor").And.Contain("Shutting down with exit code 0");
    }

    [Test]
    public async Task Executor_Child_LeadsItsOwnProcessGroup()
    {
        string output = Path.Combine(_dir, "ids");
        using var executor = Start(Toil, "contained-executor", Pack($"echo \"$$ $(cut -d' ' -f5 /proc/$$/stat)\" > '{output}.tmp'; mv '{output}.tmp' '{output}'; sleep 100"));
        try
        {
            await ProcessProbe.WaitUntilAsync(() => File.Exists(output), "the child wrote its ids");
            int[] ids = File.ReadAllText(output).Split(' ', StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();

            ids[1].Should().Be(ids[0], "the child's pgid is its own pid");
            ids[1].Should().NotBe(ProcessProbe.ProcessGroupOf(executor.Id));
        }
        finally
        {
            await TerminateAsync(executor);
        }
    }

    [TestCase(UnixSignal.Terminate, 143, "sleep 100 & echo $! > '{0}'; wait")]
    // A non-interactive shell starts '&' jobs with SIGINT ignored, so for SIGINT the grandchild runs in the foreground.
    [TestCase(UnixSignal.Interrupt, 130, "sh -c 'echo $$ > \"$1\"; exec sleep 100' sh '{0}'; exit 0")]
    public async Task Executor_Signalled_ForwardsToTheGroupIncludingGrandchild(int signal, int expected, string commandFormat)
    {
        if (signal == UnixSignal.Interrupt)
        {
            ProcessProbe.SkipIfSigintIgnored();
        }

        string pidFile = Path.Combine(_dir, "grandchild");
        using var executor = Start(Toil, "contained-executor", Pack(string.Format(System.Globalization.CultureInfo.InvariantCulture, commandFormat, pidFile)));
        var stderr = executor.StandardError.ReadToEndAsync();
        try
        {
            int grandchild = await ProcessProbe.ReadPidFileAsync(pidFile);

            PosixProcessInterop.KillProcess(executor.Id, signal).Should().BeTrue();
            await executor.WaitForExitAsync().WaitAsync(ProcessProbe.Bound);

            executor.ExitCode.Should().Be(expected);
            await ProcessProbe.WaitUntilAsync(() => !ProcessProbe.IsAlive(grandchild), "the grandchild is gone");
            (await stderr).Should().Contain($"Forwarding signal {signal}");
        }
        finally
        {
            await TerminateAsync(executor);
        }
    }

    [Test]
    public async Task Executor_GrandchildIgnoresForwardedSigint_GroupIsKilledAfterGracePeriod()
    {
        ProcessProbe.SkipIfSigintIgnored();
        string pidFile = Path.Combine(_dir, "grandchild");
        using var executor = Start(Toil, "contained-executor", "--grace-period", "1", Pack($"sleep 100 & echo $! > '{pidFile}'; wait"));
        var stderr = executor.StandardError.ReadToEndAsync();
        try
        {
            int grandchild = await ProcessProbe.ReadPidFileAsync(pidFile);

            PosixProcessInterop.KillProcess(executor.Id, UnixSignal.Interrupt).Should().BeTrue();
            await executor.WaitForExitAsync().WaitAsync(ProcessProbe.Bound);

            executor.ExitCode.Should().Be(130, "the shell itself died of SIGINT");
            await ProcessProbe.WaitUntilAsync(() => !ProcessProbe.IsAlive(grandchild), "the grandchild is gone");
            (await stderr).Should().Contain("sending SIGKILL");
        }
        finally
        {
            await TerminateAsync(executor);
        }
    }

    [Test]
    public async Task Executor_NoArgument_Exits255WithMessage()
    {
        var (code, _, stderr) = await RunToCompletionAsync(Toil, "contained-executor");

        code.Should().Be(255);
        stderr.Should().Contain("Executor requires exactly one base64-encoded argument");
    }

    [Test]
    public async Task Executor_TwoArguments_Exits255AndStartsNoChild()
    {
        string marker = Path.Combine(_dir, "ran");
        string payload = Pack($"touch '{marker}'");

        var (code, _, _) = await RunToCompletionAsync(Toil, "contained-executor", payload, "-x");

        code.Should().Be(255);
        File.Exists(marker).Should().BeFalse();
    }

    [TestCase("not base64")]
    [TestCase("bnVsbA==")] // null
    public async Task Executor_UndecodablePayload_Exits255(string argument)
    {
        var (code, _, stderr) = await RunToCompletionAsync(Toil, "contained-executor", argument);

        code.Should().Be(255);
        stderr.Should().Contain("Cannot decode the executor payload");
    }

    [Test]
    public async Task Executor_InvokedThroughSymlinkNamedToilContainedExecutor_RunsTheExecutor()
    {
        string link = Path.Combine(_dir, "toil-contained-executor");
        File.CreateSymbolicLink(link, Toil);

        var (code, stdout, _) = await RunToCompletionAsync(link, Pack("echo via-link; exit 42"));

        code.Should().Be(42);
        stdout.Should().Be("via-link\n");
    }

    [Test]
    public async Task InstallAliases_IntoADirectory_MakesLinksThatRunTheirCommand()
    {
        string bin = Path.Combine(Path.GetTempPath(), "toil-aliases-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (installed, stdout, stderr) = await RunToCompletionAsync(Toil, "install-aliases", bin);

            installed.Should().Be(0, stderr);
            stdout.Should().Contain("toil-contained-executor -> " + Toil);
            new FileInfo(Path.Combine(bin, "toil-worker")).LinkTarget.Should().Be(Toil);
            new FileInfo(Path.Combine(bin, "toil-mesos-executor")).LinkTarget.Should().Be(Toil);
            var (code, _, _) = await RunToCompletionAsync(Path.Combine(bin, "toil-contained-executor"), Pack("exit 7"));
            code.Should().Be(7);
        }
        finally
        {
            if (Directory.Exists(bin))
            {
                Directory.Delete(bin, recursive: true);
            }
        }
    }

    private static string Pack(string command) => ContainedExecutor.PackJob(command)[1];

    private static Process Start(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        return Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {program}");
    }

    internal static async Task<(int Code, string StdOut, string StdErr)> RunToCompletionAsync(string program, params string[] args)
    {
        using var process = Start(program, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(ProcessProbe.Bound);
        }
        finally
        {
            await TerminateAsync(process);
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    private static async Task TerminateAsync(Process process)
    {
        if (!process.HasExited)
        {
            // SIGTERM first so the executor takes its child's group down with it.
            PosixProcessInterop.KillProcess(process.Id, UnixSignal.Terminate);
            try
            {
                await process.WaitForExitAsync().WaitAsync(ProcessProbe.Bound);
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
