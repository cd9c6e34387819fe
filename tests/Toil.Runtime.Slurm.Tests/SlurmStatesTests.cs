using Toil.Runtime.Jobs;

namespace Toil.Runtime.Slurm.Tests;

[TestFixture]
public sealed class SlurmStatesTests
{
    [TestCase("COMPLETED", 0, 0, 0, BatchJobExitReason.Finished)]
    [TestCase("FAILED", 3, 0, 3, BatchJobExitReason.Failed)]
    [TestCase("FAILED", 0, 0, 1, BatchJobExitReason.Failed)]
    [TestCase("CANCELLED", 0, 15, 143, BatchJobExitReason.Killed)]
    [TestCase("TIMEOUT", 0, 15, 143, BatchJobExitReason.MaxJobDuration)]
    [TestCase("DEADLINE", 0, 0, 1, BatchJobExitReason.MaxJobDuration)]
    [TestCase("OUT_OF_MEMORY", 0, 125, 253, BatchJobExitReason.MemLimit)]
    [TestCase("NODE_FAIL", 0, 0, 1, BatchJobExitReason.Lost)]
    [TestCase("PREEMPTED", 0, 0, 1, BatchJobExitReason.Lost)]
    [TestCase("BOOT_FAIL", 0, 0, 1, BatchJobExitReason.Lost)]
    [TestCase("SOMETHING_NEW", 2, 0, 2, BatchJobExitReason.Error)]
    public void Map_EndedState_GivesExitCodeAndReason(string state, int exitCode, int signal, int expectedCode, BatchJobExitReason expected)
    {
        var (code, reason) = SlurmStates.Map(new SlurmJobInfo(1, state, string.Empty, exitCode, signal));

        reason.Should().Be(expected);
        code.Should().Be(expectedCode);
    }

    [Test]
    public void Map_CapturedMemoryKillWithMarkerInErrorFile_IsMemLimit()
    {
        var job = SlurmOutputParser.ParseScontrolShowJob(SlurmOutputParserTests.ScontrolMemoryKilled).Single();

        SlurmStates.Map(job, killedOverMemory: true).Should().Be((137, BatchJobExitReason.MemLimit));
        SlurmStates.Map(job, killedOverMemory: false).Should().Be((137, BatchJobExitReason.Failed));
    }

    [Test]
    public void Map_CompletedWithNonZeroExit_IsFailed() =>
        SlurmStates.Map(new SlurmJobInfo(1, "COMPLETED", string.Empty, 4, 0)).Should().Be((4, BatchJobExitReason.Failed));

    [Test]
    public void Describe_ExitCode76_GivesSharedFileSystemHint()
    {
        var job = new SlurmJobInfo(7, "FAILED", "NonZeroExitCode", 76, 0);

        SlurmStates.Describe(job, 76).Should().Contain("Slurm job 7 ended FAILED (NonZeroExitCode)").And.Contain("every node mounts at the same path");
        SlurmStates.Describe(job with { ExitCode = 3 }, 3).Should().NotContain("every node mounts");
    }

    [TestCase("PENDING", false)]
    [TestCase("RUNNING", false)]
    [TestCase("COMPLETING", false)]
    [TestCase("COMPLETED", true)]
    [TestCase("TIMEOUT", true)]
    [TestCase("OUT_OF_MEMORY", true)]
    public void IsTerminal_State_SaysWhetherSlurmIsDone(string state, bool expected) =>
        SlurmStates.IsTerminal(state).Should().Be(expected);
}
