using Toil.Runtime.Jobs;

namespace Toil.Runtime.Tests.Jobs;

public sealed class CheckpointJobDescriptionTests
{
    [Test]
    public void SetCheckpoint_WithBody_SnapshotsItAndRestoreBringsItBack()
    {
        var job = new CheckpointJobDescription("cp");
        var body = new JobBody("type", "input");
        job.AttachBody(body);

        job.SetCheckpoint();
        job.DetachBody();
        job.HasBody.Should().BeFalse();
        job.Checkpoint.Should().Be(body);

        job.RestoreCheckpoint();
        job.GetBody().Should().Be(body);
        job.Checkpoint.Should().Be(body, "restoring keeps the snapshot for a later failure");
    }

    [Test]
    public void SetCheckpoint_WithoutBody_Throws()
    {
        var job = new CheckpointJobDescription("cp");

        var act = () => job.SetCheckpoint();

        act.Should().Throw<InvalidOperationException>();
        job.Checkpoint.Should().BeNull();
    }

    [Test]
    public void RestoreCheckpoint_WithoutSnapshot_ThrowsNamingTheJob()
    {
        var job = new CheckpointJobDescription("cp");

        var act = () => job.RestoreCheckpoint();

        act.Should().Throw<InvalidOperationException>().WithMessage("*'cp'*");
        job.HasBody.Should().BeFalse();
    }

    [Test]
    public void Clone_Checkpoint_KeepsTypeSnapshotAndPromiseFilesDeeply()
    {
        var job = new CheckpointJobDescription("cp", unitName: "u");
        job.AttachBody(new JobBody("t", "f"));
        job.SetCheckpoint();
        job.CheckpointFilesToDelete.Add("promise");

        var copy = job.Clone();
        job.CheckpointFilesToDelete.Add("later");

        var checkpoint = copy.Should().BeOfType<CheckpointJobDescription>().Subject;
        checkpoint.Checkpoint.Should().Be(new JobBody("t", "f"));
        checkpoint.CheckpointFilesToDelete.Should().Equal("promise");
        checkpoint.UnitName.Should().Be("u");
    }
}
