using Toil.Runtime.Testing.Processes;

namespace Toil.Runtime.Tests.Worker;

/// <summary>Process mode (docs/decisions.md#log-capture) in a real child process, so the test runner's own descriptors are never redirected.</summary>
[TestFixture]
[Platform("Linux,MacOsX")]
public sealed class WorkerProcessModeTests
{
    [Test]
    public async Task RunAsync_ProcessMode_CapturesConsoleAndChildOutputAndRestoresDescriptors()
    {
        string workDir = Path.Combine(Path.GetTempPath(), "toil-worker-process-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(workDir);
        try
        {
            var (exitCode, stdout, stderr) = await TestHostProcess.RunAsync(TimeSpan.FromMinutes(3), "worker-process-mode", workDir);

            exitCode.Should().Be(3, stderr);
            int begin = stdout.IndexOf("LOG-BEGIN", StringComparison.Ordinal);
            int end = stdout.IndexOf("LOG-END", StringComparison.Ordinal);
            begin.Should().BePositive(stdout);
            end.Should().BeGreaterThan(begin);
            string log = stdout[begin..end];
            log.Should().Contain("hello-from-child").And.Contain("error-from-child").And.Contain("console-from-job").And.Contain("logged-by-job");
            log.Should().Contain("nested-refused", "only one process-mode run may own the process").And.NotContain("nested-allowed");
            log.Should().Contain("var=from-leader-env", "process mode applies the leader's environment to the process (docs/decisions.md#environment)");
            log.Should().NotContain("home=/leader-home", "HOME is on the reject list");
            string outside = stdout[..begin];
            outside.Should().Contain("BEFORE").And.Contain("AFTER", "descriptor 1 is restored after the run");
            outside.Should().NotContain("hello-from-child").And.NotContain("console-from-job");
            stderr.Should().NotContain("error-from-child");
        }
        finally
        {
            Directory.Delete(workDir, recursive: true);
        }
    }

    [Test]
    public async Task RunAsync_BadWorkerInProcessMode_IsKilledFromOutsideBySignal()
    {
        string workDir = Path.Combine(Path.GetTempPath(), "toil-worker-chaos-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(workDir);
        try
        {
            var (exitCode, _, stderr) = await TestHostProcess.RunAsync(TimeSpan.FromMinutes(3), "worker-bad-worker", workDir);

            // 128 + SIGUSR1 (10) if the first signal ends it, 128 + SIGKILL (9) otherwise; 4 would mean it survived.
            exitCode.Should().BeOneOf([138, 137], stderr);
        }
        finally
        {
            Directory.Delete(workDir, recursive: true);
        }
    }
}
