using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

public sealed class WorkerDirectoriesTests
{
    private string _workDir = null!;

    [SetUp]
    public void SetUp() => _workDir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "toil-workerdirs-" + Guid.NewGuid().ToString("N"))).FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_workDir, recursive: true);

    /// <summary>
    /// Concurrent in-process runs of one workflow, as the in-process batch system runs them: each finishing run removes
    /// the workflow directory when it is empty (RemoveIfEmpty), which can fall between another run's making of that
    /// directory and of its own worker-* directory inside it. The starting run must make them again, not fail its job
    /// (a fan-out of 1,000 through the in-process batch system lost jobs to this).
    /// </summary>
    [Test]
    public async Task Create_RunsOfOneWorkflowStartingAndFinishingAtOnce_EveryRunGetsItsDirectory()
    {
        var options = new WorkerOptions { WorkDir = _workDir };
        const string workflowId = "wf-race";
        int failures = 0;
        string? firstFailure = null;

        async Task RunsAsync()
        {
            await Task.Yield();
            for (int i = 0; i < 1_500; i++)
            {
                try
                {
                    using var dirs = WorkerDirectories.Create(options, workflowId, requestedTempDirectory: null, nameProcess: false);
                    dirs.EnsureTempDirectory(); // what a job's first use of local disk does
                    File.Exists(Path.Combine(dirs.TempDirectory, WorkerDirectories.LivenessFileName)).Should().BeTrue();
                    dirs.EndLiveness();
                    dirs.DeleteTempDirectory(); // and the workflow directory when it is empty, as a finished run does
                }
                catch (IOException e) when (e is DirectoryNotFoundException or FileNotFoundException)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, e.ToString(), null);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(RunsAsync)));

        failures.Should().Be(0, firstFailure);
        Directory.EnumerateFileSystemEntries(_workDir).Should().BeEmpty("the last run out removed the workflow directory");
    }

    /// <summary>An in-process run's directory is only named at first: made, locked, when something needs it.</summary>
    [Test]
    public void Create_InProcess_MakesNothingUntilEnsured()
    {
        using var dirs = WorkerDirectories.Create(new WorkerOptions { WorkDir = _workDir }, "wf-lazy", requestedTempDirectory: null, nameProcess: false);

        dirs.TempDirectoryMade.Should().BeFalse();
        Directory.EnumerateFileSystemEntries(_workDir).Should().BeEmpty();

        dirs.EnsureTempDirectory().Should().Be(dirs.TempDirectory);

        dirs.TempDirectoryMade.Should().BeTrue();
        dirs.EnsureTempDirectoryAction.Should().BeNull("nothing is left to make");
        WorkerDirectories.ProbeLiveness(dirs.TempDirectory).Should().Be(WorkerDirectories.Liveness.Alive);
        File.Exists(Path.Combine(dirs.TempDirectory, WorkerDirectories.ProcessIdFileName)).Should().BeFalse("an in-process run names no process");
        dirs.Dispose();
        WorkerDirectories.ProbeLiveness(dirs.TempDirectory).Should().Be(WorkerDirectories.Liveness.Ended);
    }

    /// <summary>A process-mode run holds its lock and names its process from the start (a restarted leader's fence looks for them).</summary>
    [Test]
    public void Create_ProcessMode_MakesTheDirectoryLockAndProcessIdAtOnce()
    {
        using var dirs = WorkerDirectories.Create(new WorkerOptions { WorkDir = _workDir }, "wf-process", requestedTempDirectory: null, nameProcess: true);

        dirs.TempDirectoryMade.Should().BeTrue();
        WorkerDirectories.ProbeLiveness(dirs.TempDirectory).Should().Be(WorkerDirectories.Liveness.Alive);
        File.ReadAllText(Path.Combine(dirs.TempDirectory, WorkerDirectories.ProcessIdFileName)).Should().Be(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>A job's threads may need the directory at once (local disk and an outgrown log): one directory, one lock.</summary>
    [Test]
    public async Task EnsureTempDirectory_ManyThreadsAtOnce_MakeItOnce()
    {
        using var dirs = WorkerDirectories.Create(new WorkerOptions { WorkDir = _workDir }, "wf-threads", requestedTempDirectory: null, nameProcess: false);
        using var start = new ManualResetEventSlim();

        var paths = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.Wait();
            return dirs.EnsureTempDirectory();
        })).Append(Task.Run(() =>
        {
            start.Set();
            return dirs.TempDirectory;
        })));

        paths.Distinct().Should().ContainSingle();
        Directory.GetDirectories(dirs.WorkflowDirectory).Should().Equal(dirs.TempDirectory);
        WorkerDirectories.ProbeLiveness(dirs.TempDirectory).Should().Be(WorkerDirectories.Liveness.Alive);
    }

    /// <summary>Once disposed (the run is over), nothing may make the directory again: it would hold a lock nobody ends.</summary>
    [Test]
    public void EnsureTempDirectory_AfterDispose_ThrowsAndMakesNothing()
    {
        var dirs = WorkerDirectories.Create(new WorkerOptions { WorkDir = _workDir }, "wf-disposed", requestedTempDirectory: null, nameProcess: false);
        dirs.Dispose();

        dirs.Invoking(d => d.EnsureTempDirectory()).Should().Throw<ObjectDisposedException>();
        Directory.EnumerateFileSystemEntries(_workDir).Should().BeEmpty();
    }

    /// <summary>The directory name of a workflow is kept between runs; runs of two workflows in one process each get their own.</summary>
    [Test]
    public void WorkflowComponent_TwoWorkflowsAlternating_EachKeepsItsOwnName()
    {
        string a = WorkerDirectories.WorkflowComponent("wf-a");
        string b = WorkerDirectories.WorkflowComponent("wf-b");

        a.Should().NotBe(b);
        WorkerDirectories.WorkflowComponent("wf-a").Should().Be(a);
        WorkerDirectories.WorkflowComponent("wf-b").Should().Be(b);
        WorkerDirectories.WorkflowComponent("wf-a").Should().Be(a).And.HaveLength(32);
    }
}
