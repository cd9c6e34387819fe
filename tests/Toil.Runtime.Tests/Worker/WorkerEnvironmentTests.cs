using Toil.Runtime.Worker;

namespace Toil.Runtime.Tests.Worker;

[TestFixture]
public sealed class WorkerEnvironmentTests
{
    [Test]
    public void Filter_RejectListAndPathUnion_MatchToilAndDropDuplicates()
    {
        var leader = new Dictionary<string, string>
        {
            ["PATH"] = "/leader/bin:/usr/bin",
            ["HOME"] = "/home/leader",
            ["TMPDIR"] = "/leader/tmp",
            ["XDG_RUNTIME_DIR"] = "/run/user/1",
            ["DBUS_SESSION_BUS_ADDRESS"] = "x",
            ["MY_SETTING"] = "kept",
        };

        var result = WorkerEnvironment.Filter(leader, "/usr/bin:/local/bin");

        result["PATH"].Should().Be("/leader/bin:/usr/bin:/local/bin");
        result.Should().ContainKey("MY_SETTING").And.HaveCount(2);
    }

    [Test]
    public void WorkflowComponent_SameWorkflow_IsStableAndDiffersBetweenWorkflows()
    {
        WorkerDirectories.WorkflowComponent("wf-1").Should().Be(WorkerDirectories.WorkflowComponent("wf-1")).And.HaveLength(32);
        WorkerDirectories.WorkflowComponent("wf-1").Should().NotBe(WorkerDirectories.WorkflowComponent("wf-2"));
    }
}
