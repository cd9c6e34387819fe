using Toil.Runtime.Jobs;

namespace Toil.Runtime.Tests.Jobs;

/// <summary>Retry accounting: <c>ChargeRetry</c>, <c>SetupJobAfterFailure</c>, <c>ResetRetries</c> (as Toil's <c>JobDescription</c> does them).</summary>
public sealed class JobDescriptionRetryTests
{
    private static JobDescription Job(WorkflowConfig? config = null, JobRequirements? requirements = null)
    {
        var job = new JobDescription("j", requirements);
        job.AssignConfig(config ?? new WorkflowConfig());
        return job;
    }

    [Test]
    public void ChargeRetry_Repeatedly_DecrementsToZeroAndGrowsBackoffGeometrically()
    {
        var job = Job(new WorkflowConfig { RetryCount = 2 });
        job.RemainingTryCount.Should().Be(3);
        job.RetryBackoff.Should().Be(TimeSpan.Zero, "no retry has been charged yet");

        job.ChargeRetry();
        job.RemainingTryCount.Should().Be(2);
        job.RetryBackoff.Should().Be(TimeSpan.FromSeconds(2));

        job.ChargeRetry();
        job.RemainingTryCount.Should().Be(1);
        job.RetryBackoff.Should().Be(TimeSpan.FromSeconds(6));

        job.ChargeRetry();
        job.ChargeRetry();
        job.RemainingTryCount.Should().Be(0, "the count has a floor of 0");
        job.RetryBackoff.Should().Be(TimeSpan.FromSeconds(54));
    }

    [Test]
    public void ChargeRetry_ConfiguredBackoff_UsesInitialAndFactor()
    {
        var job = Job(new WorkflowConfig { RetryBackoffSeconds = 0.5, RetryBackoffFactor = 10 });

        job.ChargeRetry();
        job.RetryBackoff.Should().Be(TimeSpan.FromSeconds(0.5));
        job.ChargeRetry();
        job.RetryBackoff.Should().Be(TimeSpan.FromSeconds(5));
    }

    [Test]
    public void SetupJobAfterFailure_Default_ChargesARetryAndRaisesRequirementsToTheDefaults()
    {
        var job = Job(requirements: new JobRequirements { Memory = "100Mi", Disk = "10Gi" });

        job.SetupJobAfterFailure();

        job.RemainingTryCount.Should().Be(1);
        job.RetryBackoff.Should().Be(TimeSpan.FromSeconds(2));
        job.Memory.Bytes.Should().Be(2L << 30, "memory is raised to at least the default");
        job.Disk.Bytes.Should().Be(10L << 30, "a disk above the default stays");
    }

    [Test]
    public void SetupJobAfterFailure_LostWithUnlimitedPreemptibleRetries_DoesNotCharge()
    {
        var job = Job(new WorkflowConfig { EnableUnlimitedPreemptibleRetries = true });

        job.SetupJobAfterFailure(BatchJobExitReason.Lost);
        job.RemainingTryCount.Should().Be(2);
        job.RetryBackoff.Should().Be(TimeSpan.Zero);

        job.SetupJobAfterFailure(BatchJobExitReason.Failed);
        job.RemainingTryCount.Should().Be(1, "only a lost job is free");
    }

    [Test]
    public void SetupJobAfterFailure_LostWithoutUnlimitedRetries_Charges()
    {
        var job = Job();

        job.SetupJobAfterFailure(BatchJobExitReason.Lost);

        job.RemainingTryCount.Should().Be(1);
    }

    [Test]
    public void SetupJobAfterFailure_MemLimitWithDoubleMemory_DoublesMemory()
    {
        var job = Job(new WorkflowConfig { DoubleMemory = true }, new JobRequirements { Memory = "3Gi" });

        job.SetupJobAfterFailure(BatchJobExitReason.MemLimit);
        job.Memory.Bytes.Should().Be(6L << 30);

        job.SetupJobAfterFailure(BatchJobExitReason.Failed);
        job.Memory.Bytes.Should().Be(6L << 30, "only a memory-limit kill doubles");
    }

    [Test]
    public void SetupJobAfterFailure_MemLimitDoublingPastLongMax_SaturatesInsteadOfThrowing()
    {
        var job = Job(new WorkflowConfig { DoubleMemory = true }, new JobRequirements { Memory = (long.MaxValue / 2) + 1 });

        job.SetupJobAfterFailure(BatchJobExitReason.MemLimit);

        job.Memory.Bytes.Should().Be(long.MaxValue);
        job.RemainingTryCount.Should().Be(1);
    }

    [Test]
    public void SetupJobAfterFailure_MemLimitWithoutDoubleMemory_KeepsMemory()
    {
        var job = Job(requirements: new JobRequirements { Memory = "3Gi" });

        job.SetupJobAfterFailure(BatchJobExitReason.MemLimit);

        job.Memory.Bytes.Should().Be(3L << 30);
    }

    [Test]
    public void ResetRetries_AfterCharge_ClearsBothAndReportsChange()
    {
        var job = Job();
        job.ResetRetries().Should().BeFalse("nothing to reset");

        job.ChargeRetry();
        job.ResetRetries().Should().BeTrue();

        job.RemainingTryCountOverride.Should().BeNull();
        job.RetryBackoffSecondsOverride.Should().BeNull();
        job.RemainingTryCount.Should().Be(2);
        job.RetryBackoff.Should().Be(TimeSpan.Zero);
    }
}
