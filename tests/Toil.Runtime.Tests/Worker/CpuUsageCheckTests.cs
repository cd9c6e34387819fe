using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

/// <summary>Toil's test_cpu_usage (docs/worker-algorithm.md §3 step 5).</summary>
[TestFixture]
public sealed class CpuUsageCheckTests
{
    [TestCase(0)]
    [TestCase(-1)]
    public void Evaluate_NoWallTime_SaysNothing(double wall)
    {
        CpuUsageCheck.Evaluate("job", wall, 100, 1, out bool invalid).Should().BeNull();
        invalid.Should().BeFalse();
    }

    [Test]
    public void Evaluate_ZeroCores_DoesNotCrashAndFlagsTheValue()
    {
        CpuUsageCheck.Evaluate("job", 10, 100, 0, out bool invalid).Should().BeNull();
        invalid.Should().BeTrue();
    }

    [Test]
    public void Evaluate_ExactlyTheTolerance_SaysNothing()
    {
        CpuUsageCheck.Evaluate("job", 10, 10 * 2 * 1.05, 2, out _).Should().BeNull();
    }

    [Test]
    public void Evaluate_JustOverTheTolerance_WarnsNamingTheJob()
    {
        CpuUsageCheck.Evaluate("'A' [] kind-a/instance-1 v3", 10, (10 * 2 * 1.05) + 0.1, 2, out _)
            .Should().Contain("'A' [] kind-a/instance-1 v3").And.Contain("more CPU than the requested 2 cores");
    }

    [TestCase(0.0001, 0.01)]
    [TestCase(0.002, 0.04)]
    public void Evaluate_ShortJobOverTheToleranceByLessThanTheMinimumExcess_SaysNothing(double wall, double cpu)
    {
        // Background threads' CPU (GC, JIT) dwarfs a job of a few milliseconds: noise, not a job using too many cores.
        CpuUsageCheck.Evaluate("job", wall, cpu, 1, out _).Should().BeNull();
    }

    [Test]
    public void Evaluate_ShortJobOverByMoreThanTheMinimumExcess_Warns()
    {
        CpuUsageCheck.Evaluate("job", 0.01, 0.01 + CpuUsageCheck.MinimumExcessSeconds + 0.001, 1, out _).Should().Contain("more CPU than the requested 1 cores");
    }
}
