using System.Diagnostics;
using System.Globalization;
using Toil.Runtime.JobStores;
using Toil.Runtime.Testing.Processes;
using Toil.Runtime.TestHost;

namespace Toil.Runtime.Tests.JobStores;

/// <summary>
/// Crash safety shown with real processes: a writer killed with SIGKILL at random moments never leaves a torn, empty or
/// lost record, and two processes updating one job never lose an update.
/// </summary>
[CancelAfter(300_000)]
[NonParallelizable]
public sealed class FileJobStoreCrashTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private FileJobStoreTestDirectory _t = null!;

    [SetUp]
    public void SetUp() => _t = new FileJobStoreTestDirectory();

    [TearDown]
    public void TearDown() => _t.Dispose();

    [Test]
    public async Task UpdateJobAsync_WriterKilledWithSigkill50Times_EveryLoadSeesACompleteOldOrNewVersion()
    {
        await using var store = await _t.CreateAsync();
        var job = FileJobStoreTestDirectory.NewJob("crash");
        await store.AssignJobIdAsync(job);
        job.UnitName = new string('x', JobUpdateLoopScenario.PayloadSize(1));
        job.DisplayName = "v1";
        await store.CreateJobsAsync([job]);
        int seed = Environment.TickCount;
        var random = new Random(seed);
        long highest = 1;
        int killedMidLoop = 0;
        int tempsSeen = 0;

        for (int kill = 0; kill < 50; kill++)
        {
            using var loop = UpdateLoop.Start(_t.StorePath, job.JobStoreId);
            var process = loop.Process;
            try
            {
                // Half the kills land anywhere from start-up on, half inside the loop once it runs warm.
                await (kill % 2 == 0 ? loop.Opened : loop.FirstCommit).WaitAsync(Bound);

                // The kill moment is the point of the test: anywhere in the next few updates (each one is a few fsyncs).
                await Task.Delay(random.Next(0, 30));
            }
            finally
            {
                process.Kill();
                using var exit = new CancellationTokenSource(Bound);
                await process.WaitForExitAsync(exit.Token);
            }

            process.ExitCode.Should().NotBe(0, "it was killed (stderr: {0})", await loop.StdErr);
            long lastCommitted = loop.LastCommitted() ?? highest;

            tempsSeen += Directory.GetFiles(store.JobDirectory(job.JobStoreId), "*.tmp").Length;
            var loaded = await store.LoadJobAsync(job.JobStoreId);
            JobUpdateLoopScenario.IsConsistent(loaded).Should().BeTrue($"kill {kill} (seed {seed}) must leave a complete version, found v{loaded.Version} with {loaded.UnitName.Length} payload characters");
            loaded.Version.Should().BeInRange(lastCommitted, lastCommitted + 1, $"kill {kill} (seed {seed}): every reported commit is durable, at most one more can have landed");
            loaded.Version.Should().BeGreaterThanOrEqualTo(highest);
            if (loaded.Version > highest)
            {
                killedMidLoop++;
            }

            highest = loaded.Version;
        }

        killedMidLoop.Should().BeGreaterThanOrEqualTo(25, "the kills after a first commit land inside the loop, so the versions moved on");

        // The store stays usable: leftover temp files (from kills between create and rename) break nothing.
        var last = await store.LoadJobAsync(job.JobStoreId);
        JobUpdateLoopScenario.Apply(last);
        await store.UpdateJobAsync(last);
        var final = await store.LoadJobAsync(job.JobStoreId);
        JobUpdateLoopScenario.IsConsistent(final).Should().BeTrue();
        final.Version.Should().Be(highest + 1);
        (await store.ListJobsAsync().ToListAsync()).Should().ContainSingle();
        Directory.GetFiles(store.JobDirectory(job.JobStoreId), "*.tmp").Should().BeEmpty("an update under the lock removes the temp files of dead writers");
        TestContext.Out.WriteLine($"seed {seed}: {highest} versions written; {tempsSeen} temp files seen after kills");
    }

    [Test]
    public async Task UpdateJobAsync_TwoProcessesIncrementingOneJob_LoseNoUpdate()
    {
        await using var store = await _t.CreateAsync();
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob("counter"));
        const int PerWriter = 100;

        using var loop = UpdateLoop.Start(_t.StorePath, id, PerWriter.ToString(CultureInfo.InvariantCulture));
        await using var other = await _t.OpenAsync(o => o.VisibilityTimeout = TimeSpan.FromSeconds(1));
        await loop.FirstCommit.WaitAsync(Bound);
        int conflicts = 0;
        var random = new Random();
        for (int done = 0; done < PerWriter;)
        {
            var job = await other.LoadJobAsync(id);
            JobUpdateLoopScenario.Apply(job);

            // Widen the window between read and write, so the child's updates race ours.
            await Task.Delay(random.Next(0, 3));
            try
            {
                await other.UpdateJobAsync(job);
                done++;
            }
            catch (ConcurrentJobModificationException)
            {
                conflicts++;
            }
        }

        using (var exit = new CancellationTokenSource(Bound))
        {
            await loop.Process.WaitForExitAsync(exit.Token);
        }

        loop.Process.ExitCode.Should().Be(0, await loop.StdErr);
        var final = await store.LoadJobAsync(id);
        final.PredecessorNumber.Should().Be(2 * PerWriter);
        final.Version.Should().Be(1 + (2 * PerWriter));
        JobUpdateLoopScenario.IsConsistent(final).Should().BeTrue();
        TestContext.Out.WriteLine($"{conflicts} conflicts seen by the test process");
    }

    [Test]
    public async Task OpenAsync_FileLockingDisabledInTheProcess_FailsFastWithTypedError()
    {
        await using var store = await _t.CreateAsync();
        string id = await store.CreateJobAsync(FileJobStoreTestDirectory.NewJob());
        var psi = TestHostProcess.StartInfo("job-update-loop", _t.StorePath, id, "1");
        psi.Environment["DOTNET_SYSTEM_IO_DISABLEFILELOCKING"] = "1";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var exit = new CancellationTokenSource(Bound))
        {
            await process.WaitForExitAsync(exit.Token);
        }

        process.ExitCode.Should().NotBe(0);
        (await stdout).Should().NotContain("OPENED");
        (await stderr).Should().Contain(nameof(JobStoreException)).And.Contain("File locks are not enforced");
        (await store.LoadJobAsync(id)).Version.Should().Be(1, "a store that cannot lock writes nothing");
    }

    /// <summary>A running <c>job-update-loop</c> child and what it printed.</summary>
    private sealed class UpdateLoop : IDisposable
    {
        private readonly List<string> _lines = [];
        private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _firstCommit = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private UpdateLoop(params string[] args)
        {
            Process = Process.Start(TestHostProcess.StartInfo("job-update-loop", args))!;
            Process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    return;
                }

                lock (_lines)
                {
                    _lines.Add(e.Data);
                }

                if (e.Data == "OPENED")
                {
                    _opened.TrySetResult();
                }
                else if (e.Data.StartsWith("COMMITTED ", StringComparison.Ordinal))
                {
                    _firstCommit.TrySetResult();
                }
            };
            Process.BeginOutputReadLine();
            StdErr = Process.StandardError.ReadToEndAsync();
        }

        public Process Process { get; }

        public Task Opened => _opened.Task;

        public Task FirstCommit => _firstCommit.Task;

        public Task<string> StdErr { get; }

        public static UpdateLoop Start(params string[] args) => new(args);

        /// <summary>The highest version the child reported as committed; call after it exited.</summary>
        public long? LastCommitted()
        {
            // Output events can trail the exit; WaitForExit() without a timeout drains them.
            Process.WaitForExit();
            lock (_lines)
            {
                return _lines.Where(l => l.StartsWith("COMMITTED ", StringComparison.Ordinal))
                    .Select(l => (long?)long.Parse(l["COMMITTED ".Length..], CultureInfo.InvariantCulture))
                    .Max();
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill();
            }

            Process.Dispose();
        }
    }
}
