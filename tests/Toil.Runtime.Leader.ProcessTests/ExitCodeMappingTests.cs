using Toil.Runtime.Jobs;
using Toil.Runtime.Leader.BatchSystems.LocalProcess;

namespace Toil.Runtime.Leader.ProcessTests;

public sealed class ExitCodeMappingTests
{
    [TestCase(0, BatchJobExitReason.Finished)]
    [TestCase(1, BatchJobExitReason.Failed)]
    [TestCase(7, BatchJobExitReason.Failed)]
    [TestCase(76, BatchJobExitReason.Failed)]
    [TestCase(128 + 9, BatchJobExitReason.Killed)]
    [TestCase(128 + 15, BatchJobExitReason.Killed)]
    [TestCase(128 + 2, BatchJobExitReason.Killed)]
    [TestCase(128 + 11, BatchJobExitReason.Failed)]
    [TestCase(128 + 6, BatchJobExitReason.Failed)]
    [TestCase(255, BatchJobExitReason.Failed)]
    public void Reason_ExitCode_MapsAsDocumented(int exitCode, BatchJobExitReason expected) =>
        ExitCodeMapping.Reason(exitCode).Should().Be(expected);

    [Test]
    public void Describe_SignalledExit_NamesTheSignal() =>
        ExitCodeMapping.Describe(137).Should().Contain("signal 9");
}
