using Microsoft.Extensions.Logging.Abstractions;

namespace Toil.Runtime.Slurm.Tests;

/// <summary>The retry policy, against fake Slurm commands (shell scripts) in a temporary bin directory.</summary>
[TestFixture]
[Platform("Unix")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SlurmCommandRunnerTests
{
    private string _bin = null!;

    [SetUp]
    public void SetUp() => _bin = Directory.CreateTempSubdirectory("toil-slurm-bin-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_bin, recursive: true);

    [Test]
    public async Task RunAsync_TransientFailureTwiceThenSuccess_RetriesAndReturnsOutput()
    {
        // Fails with a controller timeout on the first two calls, counting them in a file.
        Fake("squeue", $"n=$(cat '{_bin}/count' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '{_bin}/count'; if [ $n -le 2 ]; then echo 'squeue: error: Socket timed out on send/recv operation' >&2; exit 1; fi; echo '5|RUNNING|None'");

        var result = await Runner(retries: 3).RunAsync("squeue", [], null, CancellationToken.None);

        result.StandardOutput.Should().Be("5|RUNNING|None\n");
        (await File.ReadAllTextAsync(Path.Combine(_bin, "count"))).Trim().Should().Be("3");
    }

    [Test]
    public async Task RunAsync_TransientFailureOutlivesRetries_ThrowsSlurmCommandException()
    {
        Fake("sbatch", "echo 'sbatch: error: Unable to contact slurm controller (connect failure)' >&2; exit 1");

        var act = () => Runner(retries: 2).RunAsync("sbatch", ["x"], null, CancellationToken.None);

        var e = (await act.Should().ThrowAsync<SlurmCommandException>()).Which;
        e.Message.Should().Contain("after 2 retries");
        e.ExitCode.Should().Be(1);
        e.StandardError.Should().Contain("Unable to contact slurm controller");
    }

    [Test]
    public async Task RunAsync_PermanentFailure_ThrowsWithoutRetry()
    {
        Fake("sbatch", $"echo x >> '{_bin}/calls'; echo 'sbatch: error: invalid partition specified: nope' >&2; exit 1");

        var act = () => Runner(retries: 3).RunAsync("sbatch", [], null, CancellationToken.None);

        (await act.Should().ThrowAsync<SlurmCommandException>()).Which.StandardError.Should().Contain("invalid partition");
        (await File.ReadAllLinesAsync(Path.Combine(_bin, "calls"))).Should().HaveCount(1);
    }

    [Test]
    public async Task RunAsync_CommandHangs_KilledAtTimeoutAndRetried()
    {
        Fake("scontrol", $"n=$(cat '{_bin}/count' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '{_bin}/count'; if [ $n -eq 1 ]; then exec sleep 60; fi; echo ok");

        var result = await Runner(retries: 1, timeout: TimeSpan.FromSeconds(1)).RunAsync("scontrol", [], null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        result.StandardOutput.Should().Be("ok\n");
    }

    [Test]
    public async Task RunAsync_AcceptedFailure_ReturnsIt()
    {
        Fake("squeue", "echo 'slurm_load_jobs error: Invalid job id specified' >&2; exit 1");

        var result = await Runner(retries: 3).RunAsync("squeue", [], r => r.StandardError.Contains("Invalid job id"), CancellationToken.None);

        result.ExitCode.Should().Be(1);
    }

    [Test]
    public async Task RunAsync_MissingProgram_ThrowsNamingIt()
    {
        var act = () => Runner(retries: 3).RunAsync("sinfo", [], null, CancellationToken.None);

        (await act.Should().ThrowAsync<SlurmCommandException>()).Which.Message.Should().Contain("is Slurm installed");
    }

    private SlurmCommandRunner Runner(int retries, TimeSpan? timeout = null) =>
        new(new SlurmBatchSystemOptions
        {
            SlurmBinDirectory = _bin,
            MaxCommandRetries = retries,
            CommandRetryDelay = TimeSpan.Zero,
            CommandTimeout = timeout ?? TimeSpan.FromSeconds(10),
        }, NullLogger.Instance);

    private void Fake(string name, string body)
    {
        string path = Path.Combine(_bin, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
