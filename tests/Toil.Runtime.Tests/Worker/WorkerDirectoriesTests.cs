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
}
