namespace Toil.Runtime.Slurm.Tests;

/// <summary>The parser, fed output captured from Slurm 22.05 (Debian's slurm-wlm) on the local cluster.</summary>
[TestFixture]
public sealed class SlurmOutputParserTests
{
    // scontrol -o show job for a job that ran "exit 3".
    internal const string ScontrolFailed =
        "JobId=3 JobName=wrap UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901757 Nice=0 Account=(null) QOS=(null) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=3:0 RunTime=00:00:00 TimeLimit=UNLIMITED TimeMin=N/A SubmitTime=2026-12-04T01:09:14 EligibleTime=2026-12-04T01:09:14 AccrueTime=2026-12-04T01:09:14 StartTime=2026-12-04T01:09:15 EndTime=2026-12-04T01:09:15 Deadline=N/A SuspendTime=None SecsPreSuspend=0 LastSchedEval=2026-12-04T01:09:15 Scheduler=Main Partition=debug AllocNode:Sid=localhost:9018 ReqNodeList=(null) ExcNodeList=(null) NodeList=vm BatchHost=vm NumNodes=1 NumCPUs=1 NumTasks=1 CPUs/Task=1 ReqB:S:C:T=0:0:*:* TRES=cpu=1,mem=18079M,node=1,billing=1 Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=* MinCPUsNode=1 MinMemoryNode=0 MinTmpDiskNode=0 Features=(null) DelayBoot=00:00:00 OverSubscribe=OK Contiguous=0 Licenses=(null) Network=(null) Command=(null) WorkDir=/tmp StdErr=/dev/null StdIn=/dev/null StdOut=/dev/null Power= ";

    internal const string ScontrolCompleted =
        "JobId=8 JobName=wrap UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901752 Nice=0 Account=(null) QOS=(null) JobState=COMPLETED Reason=None Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 RunTime=00:00:00 TimeLimit=UNLIMITED TimeMin=N/A SubmitTime=2026-12-04T01:21:25 EligibleTime=2026-12-04T01:21:25 AccrueTime=2026-12-04T01:21:25 StartTime=2026-12-04T01:21:26 EndTime=2026-12-04T01:21:26 Deadline=N/A SuspendTime=None SecsPreSuspend=0 LastSchedEval=2026-12-04T01:21:26 Scheduler=Main Partition=debug AllocNode:Sid=localhost:9018 ReqNodeList=(null) ExcNodeList=(null) NodeList=vm BatchHost=vm NumNodes=1 NumCPUs=1 NumTasks=1 CPUs/Task=1 ReqB:S:C:T=0:0:*:* TRES=cpu=1,mem=18079M,node=1,billing=1 Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=* MinCPUsNode=1 MinMemoryNode=0 MinTmpDiskNode=0 Features=(null) DelayBoot=00:00:00 OverSubscribe=OK Contiguous=0 Licenses=(null) Network=(null) Command=(null) WorkDir=/tmp StdErr=/dev/null StdIn=/dev/null StdOut=/dev/null Power= ";

    internal const string ScontrolCancelled =
        "JobId=9 JobName=wrap UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901751 Nice=0 Account=(null) QOS=(null) JobState=CANCELLED Reason=None Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:15 RunTime=00:00:07 TimeLimit=UNLIMITED TimeMin=N/A SubmitTime=2026-12-04T01:21:25 Command=(null) WorkDir=/tmp StdErr=/dev/null StdIn=/dev/null StdOut=/dev/null Power= ";

    // A job killed by slurmstepd over its --mem (jobacct_gather/linux with OverMemoryKill, no cgroups).
    internal const string ScontrolMemoryKilled =
        "JobId=5 JobName=wrap UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901755 Nice=0 Account=(null) QOS=(null) JobState=FAILED Reason=JobLaunchFailure Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:9 RunTime=00:00:02 TimeLimit=UNLIMITED TimeMin=N/A Command=(null) WorkDir=/tmp StdErr=/tmp/oom.out StdIn=/dev/null StdOut=/tmp/oom.out Power= ";

    [Test]
    public void ParseScontrolShowJob_CapturedJobs_ReadsStateReasonExitCodeAndRunTime()
    {
        var jobs = SlurmOutputParser.ParseScontrolShowJob(string.Join('\n', ScontrolFailed, ScontrolCompleted, ScontrolCancelled, ScontrolMemoryKilled) + "\n");

        jobs.Should().HaveCount(4);
        jobs[0].Should().Be(new SlurmJobInfo(3, "FAILED", "NonZeroExitCode", 3, 0) { RunTime = TimeSpan.Zero });
        jobs[1].Should().Be(new SlurmJobInfo(8, "COMPLETED", "None", 0, 0) { RunTime = TimeSpan.Zero });
        jobs[2].Should().Be(new SlurmJobInfo(9, "CANCELLED", "None", 0, 15) { RunTime = TimeSpan.FromSeconds(7) });
        jobs[3].Should().Be(new SlurmJobInfo(5, "FAILED", "JobLaunchFailure", 0, 9) { RunTime = TimeSpan.FromSeconds(2) });
    }

    [Test]
    public void ParseKeyValues_ValueWithSpacesAndColonKeys_KeepsEachValueWhole()
    {
        var fields = SlurmOutputParser.ParseKeyValues("JobId=4 AllocNode:Sid=localhost:9018 Command=/bin/sh -c x WorkDir=/a b StdErr=/e");

        fields["AllocNode:Sid"].Should().Be("localhost:9018");
        fields["Command"].Should().Be("/bin/sh -c x");
        fields["WorkDir"].Should().Be("/a b");
        fields["StdErr"].Should().Be("/e");
    }

    [Test]
    public void ParseSqueue_CapturedLines_ReadsEveryJob()
    {
        // squeue -h -t all -j 3,4,99999 -o '%i|%T|%r' (the unknown ID is left out by squeue itself).
        var jobs = SlurmOutputParser.ParseSqueue("3|FAILED|NonZeroExitCode\n4|RUNNING|None\n12|PENDING|Resources\n");

        jobs.Should().Equal(
            new SlurmJobInfo(3, "FAILED", "NonZeroExitCode"),
            new SlurmJobInfo(4, "RUNNING", "None"),
            new SlurmJobInfo(12, "PENDING", "Resources"));
        jobs.Select(j => j.IsTerminal).Should().Equal(true, false, false);
    }

    [Test]
    public void ParseSacct_CancelledByUserAndSteps_NormalizesStateAndSkipsSteps()
    {
        var jobs = SlurmOutputParser.ParseSacct("101|CANCELLED by 0|0:15\n101.batch|CANCELLED|0:15\n102|OUT_OF_MEMORY|0:125\n103|COMPLETED|0:0\n");

        jobs.Should().Equal(
            new SlurmJobInfo(101, "CANCELLED", string.Empty, 0, 15),
            new SlurmJobInfo(102, "OUT_OF_MEMORY", string.Empty, 0, 125),
            new SlurmJobInfo(103, "COMPLETED", string.Empty, 0, 0));
    }

    [TestCase("12\n", 12L)]
    [TestCase("4711;cluster1\n", 4711L)]
    public void ParseSbatch_ParsableOutput_ReadsJobId(string output, long expected) =>
        SlurmOutputParser.ParseSbatch(output).Should().Be(expected);

    [Test]
    public void ParseSbatch_NoId_Throws() =>
        FluentActions.Invoking(() => SlurmOutputParser.ParseSbatch("sbatch: error: Batch job submission failed")).Should().Throw<FormatException>();

    [Test]
    public void ParseSinfoNodes_CapturedLinesWithNodeInTwoPartitions_ListsEachNodeOnce()
    {
        var nodes = SlurmOutputParser.ParseSinfoNodes("vm|2|18079|mixed\nvm|2|18079|mixed\nbig|64+|512000|idle\n");

        nodes.Should().Equal(("vm", 2, 18079L, "mixed"), ("big", 64, 512000L, "idle"));
    }

    [TestCase("AccountingStorageType   = accounting_storage/none\nAuthType = auth/munge\n", false)]
    [TestCase("AccountingStorageType   = accounting_storage/slurmdbd\n", true)]
    [TestCase("AuthType = auth/munge\n", false)]
    public void HasAccounting_ShowConfig_ReadsStorageType(string config, bool expected) =>
        SlurmOutputParser.HasAccounting(config).Should().Be(expected);

    [TestCase("00:00:07", 7)]
    [TestCase("01:02:03", 3723)]
    [TestCase("05:09", 309)]
    [TestCase("2-00:00:01", 172801)]
    public void ParseDuration_SlurmForms_ReadsSeconds(string text, int seconds) =>
        SlurmOutputParser.ParseDuration(text).Should().Be(TimeSpan.FromSeconds(seconds));

    [Test]
    public void ParseDuration_Unlimited_IsNull() => SlurmOutputParser.ParseDuration("UNLIMITED").Should().BeNull();

    [TestCase(1, "0-00:01:00")]
    [TestCase(61, "0-00:02:00")]
    [TestCase(90 * 60, "0-01:30:00")]
    [TestCase(25 * 3600, "1-01:00:00")]
    public void FormatTime_Walltime_RoundsUpToWholeMinutes(int seconds, string expected) =>
        SlurmOutputParser.FormatTime(TimeSpan.FromSeconds(seconds)).Should().Be(expected);
}
