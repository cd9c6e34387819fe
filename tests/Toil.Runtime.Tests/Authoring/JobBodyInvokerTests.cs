using System.Text;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Authoring;
using Toil.Runtime.Jobs;
using Toil.Runtime.JobStores;

namespace Toil.Runtime.Tests.Authoring;

public sealed class JobBodyInvokerTests
{
    [Test]
    public async Task InvokeAsync_UnknownTypeName_ThrowsBeforeAnyUserCode()
    {
        await using var harness = new AuthoringHarness();
        var job = new JobDescription("mystery");
        await harness.Store.AssignJobIdAsync(job);
        string body = await harness.Store.WriteFileAsync("""{"schemaVersion":1,"input":{"Step":"a"}}"""u8.ToArray(), job.JobStoreId, cleanup: true);
        job.AttachBody(new JobBody("no-such-type", body));
        await harness.Store.CreateJobsAsync([job]);

        var act = () => harness.RunJobAsync(job.JobStoreId);

        var error = (await act.Should().ThrowAsync<UnknownJobTypeException>()).Which;
        error.TypeName.Should().Be("no-such-type");
        error.JobStoreId.Should().Be(job.JobStoreId);
        harness.Script.Ran.Should().BeEmpty();
    }

    [TestCase("""{"schemaVersion":1,"input":{"Step":42}}""", "does not match")]
    [TestCase("""{"schemaVersion":1,"input":null}""", "is null")]
    [TestCase("""{"schemaVersion":2,"input":{"Step":"a"}}""", "schemaVersion")]
    [TestCase("""{"schemaVersion":1}""", "no input")]
    [TestCase("""not json at all""", "not valid JSON")]
    [TestCase("""[1,2]""", "not a JSON object")]
    public async Task InvokeAsync_BadBodyDocument_ThrowsInvalidJobInputNamingTheJob(string document, string reason)
    {
        await using var harness = new AuthoringHarness();
        harness.Script.Steps["a"] = _ =>
        {
            harness.Script.Ran.Add("a");
            return ValueTask.CompletedTask;
        };
        string id = await harness.CreateRootAsync<Scripted, ScriptInput>(new ScriptInput("a"));
        var job = await harness.Store.LoadJobAsync(id);
        await harness.Store.UpdateFileAsync(job.GetBody().FileId!, new MemoryStream(Encoding.UTF8.GetBytes(document)));

        var act = () => harness.RunJobAsync(id);

        var error = (await act.Should().ThrowAsync<InvalidJobInputException>()).Which;
        error.JobStoreId.Should().Be(id);
        error.TypeName.Should().Be("scripted");
        error.Message.Should().Contain(id).And.Contain("scripted").And.Contain(reason);
        harness.Script.Ran.Should().BeEmpty();
        (await harness.Store.FileExistsAsync(job.GetBody().FileId!)).Should().BeTrue("a bad input loses no data");
    }

    [Test]
    public async Task InvokeAsync_BodyFileMissing_ThrowsInvalidJobInput()
    {
        await using var harness = new AuthoringHarness();
        string id = await harness.CreateRootAsync<Scripted, ScriptInput>(new ScriptInput("a"));
        var job = await harness.Store.LoadJobAsync(id);
        await harness.Store.DeleteFileAsync(job.GetBody().FileId!);

        var act = () => harness.RunJobAsync(id);

        (await act.Should().ThrowAsync<InvalidJobInputException>()).Which.InnerException.Should().BeOfType<NoSuchFileException>();
    }

    [Test]
    public async Task InvokeAsync_Success_DetachesTheBodyAndTheCommitWritesIt()
    {
        await using var harness = new AuthoringHarness();
        string id = await harness.CreateRootAsync<Scripted, ScriptInput>(new ScriptInput("a"));

        var run = await harness.RunJobAsync(id);

        run.Job.HasBody.Should().BeFalse();
        run.Outcome.JobsCreated.Should().Be(0);
        run.Outcome.ConsumedPromiseFileIds.Should().BeEmpty();
        (await harness.Store.LoadJobAsync(id)).HasBody.Should().BeFalse();
    }

    [Test]
    public async Task InvokeAsync_BodyThrows_PropagatesUnchangedCreatesNothingAndLogsAccessedFiles()
    {
        await using var harness = new AuthoringHarness();
        var boom = new InvalidOperationException("boom");
        harness.Script.Steps["fail"] = async context =>
        {
            string id = await context.FileStore.WriteGlobalFileStreamAsync((s, ct) => s.WriteAsync("Cats"u8.ToArray(), ct));
            await context.FileStore.ReadGlobalFileAsync(id, Path.Combine(context.FileStore.LocalTempDir, "cats.txt"));
            context.AddChild<Scripted, ScriptInput>(new ScriptInput("never"));
            throw boom;
        };
        string root = await harness.CreateRootAsync<Scripted, ScriptInput>(new ScriptInput("fail"));
        harness.Store.Events.Clear();

        var act = () => harness.RunJobAsync(root);

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(boom);
        harness.Store.EventList.Should().NotContain(e => e.StartsWith("create:", StringComparison.Ordinal) || e.StartsWith("assign:", StringComparison.Ordinal));
        harness.Logger.Collector.GetSnapshot().Should().Contain(r =>
            r.Level == LogLevel.Warning && r.Message.StartsWith("Failed job accessed files:", StringComparison.Ordinal) && r.Message.Contains("cats.txt", StringComparison.Ordinal));
        (await harness.Store.LoadJobAsync(root)).HasBody.Should().BeTrue("a failed body is not committed");
    }

    [Test]
    public async Task InvokeAsync_JobExitException_PropagatesWithItsExitCode()
    {
        await using var harness = new AuthoringHarness();
        harness.Script.Steps["exit"] = _ => throw new JobExitException(7);
        string root = await harness.CreateRootAsync<Scripted, ScriptInput>(new ScriptInput("exit"));

        var act = () => harness.RunJobAsync(root);

        (await act.Should().ThrowAsync<JobExitException>()).Which.ExitCode.Should().Be(7);
    }

    [Test]
    public async Task InvokeAsync_DiskUseAboveRequest_WarnsTheLeader()
    {
        await using var harness = new AuthoringHarness();
        harness.Script.Steps["big"] = context => new ValueTask(File.WriteAllBytesAsync(context.FileStore.GetLocalTempFile(), new byte[4096]));
        harness.Script.Steps["parent"] = context =>
        {
            context.AddChild<Scripted, ScriptInput>(new ScriptInput("big"), new JobRequirements { Disk = 1024 });
            return ValueTask.CompletedTask;
        };
        string root = await harness.CreateRootAsync<Scripted, ScriptInput>(new ScriptInput("parent"));

        await harness.RunSubtreeAsync(root);

        harness.LeaderMessages.Should().ContainSingle(m => m.Level == LogLevel.Warning)
            .Which.Text.Should().Contain("more disk than requested");
    }
}
