using EmbeddedWorker;

namespace Toil.Runtime.Tests.Samples;

/// <summary>The README's main command, <c>dotnet run --project samples/EmbeddedWorker</c>, runs this workflow.</summary>
[CancelAfter(180_000)]
public sealed class EmbeddedWorkerSampleTests
{
    [Test]
    public async Task RunAsync_SampleGraph_ChainsRetriesFansOutAndLeavesAnEmptyStore()
    {
        string directory = Path.Combine(Path.GetTempPath(), "toil-embedded-sample-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            using var output = new StringWriter();

            var result = await EmbeddedWorkflow.RunAsync(directory, output);

            result.Succeeded.Should().BeTrue(output.ToString());
            result.Report.FailedJobs.Should().BeEmpty();
            result.Report.Chained.Should().Equal(["greet -> shout"], "the greeting's only child has equal requirements, so it runs in the same worker");
            result.Report.Retried.Should().Equal(["flaky"], "the checkpoint's child fails once and is retried");
            result.Report.Ran.Where(n => n == "flaky").Should().HaveCount(2);
            result.Report.Ran.Where(n => n == "count").Should().HaveCount(3, "the text is split into three files, one counting child each");
            result.Report.Ran.Should().Contain(["plan", "greet", "shout", "split", "guarded", "sum"]);
            result.Report.Ran.IndexOf("sum").Should().BeGreaterThan(result.Report.Ran.LastIndexOf("count"), "the follow-on runs after every child");
            result.TotalWords.Should().Be(EmbeddedWorkflow.Text.Split(' ').Length, "the follow-on sums the counts its children promised");
            result.JobsLeft.Should().Be(0, "every finished job is deleted");
            output.ToString().Should().Contain("chained shout").And.Contain("retry   flaky");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
