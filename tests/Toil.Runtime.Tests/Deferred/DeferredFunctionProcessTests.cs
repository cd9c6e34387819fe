using System.Diagnostics;
using Toil.Runtime.Deferred;
using Toil.Runtime.Testing.Processes;

namespace Toil.Runtime.Tests.Deferred;

/// <summary>Deferred functions survive a worker killed with SIGKILL and run in the next worker on the node.</summary>
[CancelAfter(180_000)]
public sealed class DeferredFunctionProcessTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private DeferredTestDirectory _t = null!;
    private string _markers = null!;

    [SetUp]
    public void SetUp()
    {
        _t = new DeferredTestDirectory();
        _markers = Path.Combine(_t.Coordination, "markers");
        Directory.CreateDirectory(_markers);
    }

    [TearDown]
    public void TearDown() => _t.Dispose();

    [Test]
    public async Task BeginJobAsync_PreviousWorkerKilledWithSigkill_RunsItsFunctionsAndRemovesItsFiles()
    {
        string deadWorker = await StartAndKillWorkerAsync(markerCount: 3, whileAlive: async workerId =>
        {
            // While the worker lives, its lock is held: another worker must not touch its functions.
            await using var neighbour = await _t.OpenAsync();
            (await neighbour.RunOrphansAsync()).Should().Be(default(DeferredFunctionRunResult));
            _t.TopLevelFiles().Should().Contain([workerId + ".json", workerId + ".lock"]);
        });
        Markers().Should().BeEmpty("the killed worker never reached the end of its job");
        _t.TopLevelFiles().Should().Equal(deadWorker + ".json", deadWorker + ".lock");

        await using var next = await _t.OpenAsync();
        await using (await next.BeginJobAsync())
        {
            Markers().Should().Equal("marker-0", "marker-1", "marker-2");
            _t.TopLevelFiles().Should().Equal(next.WorkerId + ".lock");
        }
    }

    [Test]
    public async Task BeginJobAsync_WorkerKilledWhileRunningItsFunctions_RunsThemAllAgain_AtLeastOnce()
    {
        await StartAndKillWorkerAsync(markerCount: 3, hangDuringRun: true);
        (await File.ReadAllTextAsync(Path.Combine(_markers, "marker-0"))).Should().Be("ran", "the first function finished before the kill");

        await using var next = await _t.OpenAsync();
        await using (await next.BeginJobAsync())
        {
            // Completion is recorded per job, not per function: everything runs again (functions must be idempotent).
            foreach (string marker in new[] { "marker-0", "marker-1", "marker-2" })
            {
                (await File.ReadAllTextAsync(Path.Combine(_markers, marker))).Should().EndWith("ran-again");
            }

            (await File.ReadAllTextAsync(Path.Combine(_markers, "marker-0"))).Should().Be("ranran-again");
            _t.TopLevelFiles().Should().Equal(next.WorkerId + ".lock");
        }
    }

    [Test]
    public async Task CleanupAsync_WorkerKilledWithSigkill_RunsItsFunctionsAndRemovesTheDirectory()
    {
        await StartAndKillWorkerAsync(markerCount: 2);

        var result = await DeferredFunctionManager.CleanupAsync(_t.Options(), _t.Registry, _t.Logger);

        result.Should().Be(new DeferredFunctionRunResult(2, 0, 0));
        Markers().Should().Equal("marker-0", "marker-1");
        Directory.Exists(_t.DeferredDirectory).Should().BeFalse();
    }

    [Test]
    public async Task OpenAsync_FileLockingDisabledInTheProcess_FailsFastWithTypedError()
    {
        var psi = TestHostProcess.StartInfo("deferred-register-and-hang", _t.Coordination, _markers, "1");
        psi.Environment["DOTNET_SYSTEM_IO_DISABLEFILELOCKING"] = "1";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var exit = new CancellationTokenSource(Bound);
        try
        {
            await process.WaitForExitAsync(exit.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        process.ExitCode.Should().NotBe(0);
        (await stdout).Should().NotContain("READY");
        (await stderr).Should().Contain(nameof(DeferredFunctionException)).And.Contain("file locks are not enforced");
        _t.TopLevelFiles().Should().BeEmpty("a worker that cannot lock leaves no state behind");
    }

    private string[] Markers() => [.. Directory.GetFiles(_markers).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    private async Task<string> StartAndKillWorkerAsync(int markerCount, Func<string, Task>? whileAlive = null, bool hangDuringRun = false)
    {
        using var process = Process.Start(TestHostProcess.StartInfo(
            "deferred-register-and-hang",
            _t.Coordination,
            _markers,
            markerCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            hangDuringRun ? "hang-during-run" : "defer-only"))!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            using var ready = new CancellationTokenSource(Bound);
            string? line;
            do
            {
                line = await process.StandardOutput.ReadLineAsync(ready.Token);
            }
            while (line is not null && !line.StartsWith("READY ", StringComparison.Ordinal));

            line.Should().NotBeNull($"the worker should report READY; stderr: {(process.HasExited ? await stderr : "")}");
            string workerId = line![6..];
            if (hangDuringRun)
            {
                do
                {
                    line = await process.StandardOutput.ReadLineAsync(ready.Token);
                }
                while (line is not null && line != "HANGING");

                line.Should().Be("HANGING");
            }

            if (whileAlive is not null)
            {
                await whileAlive(workerId);
            }

            process.HasExited.Should().BeFalse();
            process.Kill(); // SIGKILL on Unix: no finally blocks, no disposal, the kernel drops the flock.
            using var exit = new CancellationTokenSource(Bound);
            await process.WaitForExitAsync(exit.Token);
            return workerId;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
