using Toil.Runtime.Leader.BatchSystems;

namespace Toil.Runtime.Leader.Tests.BatchSystems;

/// <summary>
/// A batch system's clean-up of killed workers' temporary directories on a node (docs/reliability.md, "Chaos campaign"):
/// a killed worker's directory goes, whether it was killed after making its liveness file (unlocked) or before (empty);
/// a live worker's and one kept on purpose stay.
/// </summary>
[TestFixture]
public sealed class WorkerCleanupTests
{
    private const string LivenessFile = "worker.alive";
    private string _workflow = null!;

    [SetUp]
    public void SetUp() => _workflow = Directory.CreateTempSubdirectory("toil-cleanup-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_workflow, recursive: true);

    [Test]
    public void DeleteKilledWorkerDirectories_KilledBeforeItsLivenessFile_EmptyDirectoryRemoved()
    {
        string empty = Directory.CreateDirectory(Path.Combine(_workflow, "worker-empty")).FullName;

        WorkerCleanup.DeleteKilledWorkerDirectories(_workflow).Should().Be(1);

        Directory.Exists(empty).Should().BeFalse("a worker killed between making its directory and its liveness file leaves nothing worth keeping");
    }

    [Test]
    public void DeleteKilledWorkerDirectories_LivenessFileUnlocked_DirectoryRemovedWithItsContents()
    {
        string killed = Directory.CreateDirectory(Path.Combine(_workflow, "worker-killed")).FullName;
        File.WriteAllText(Path.Combine(killed, LivenessFile), string.Empty);
        File.WriteAllText(Path.Combine(killed, "worker_log.txt"), "partial");

        WorkerCleanup.DeleteKilledWorkerDirectories(_workflow).Should().Be(1);

        Directory.Exists(killed).Should().BeFalse();
    }

    [Test]
    public void DeleteKilledWorkerDirectories_LiveAndKeptDirectories_Stay()
    {
        string live = Directory.CreateDirectory(Path.Combine(_workflow, "worker-live")).FullName;
        string kept = Directory.CreateDirectory(Path.Combine(_workflow, "worker-kept")).FullName;
        File.WriteAllText(Path.Combine(kept, "worker_log.txt"), "kept for inspection");
        string other = Directory.CreateDirectory(Path.Combine(_workflow, "not-a-worker")).FullName;

        // FileShare.None takes the exclusive flock a live worker holds on its liveness file.
        using (new FileStream(Path.Combine(live, LivenessFile), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
        {
            WorkerCleanup.DeleteKilledWorkerDirectories(_workflow).Should().Be(0);
        }

        Directory.Exists(live).Should().BeTrue("its worker holds its liveness file locked");
        File.ReadAllText(Path.Combine(kept, "worker_log.txt")).Should().Be("kept for inspection", "a directory without a liveness file but with contents was kept on purpose");
        Directory.Exists(other).Should().BeTrue("only worker-* directories are a clean-up's");
    }
}
