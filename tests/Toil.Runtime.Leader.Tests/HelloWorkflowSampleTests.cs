using HelloWorkflow;

namespace Toil.Runtime.Leader.Tests;

/// <summary>The README's main command: the HelloWorkflow sample's workflow, run as the sample runs it.</summary>
[TestFixture]
public sealed class HelloWorkflowSampleTests
{
    [Test]
    public async Task RunAsync_Sample_PrintsProgressAndResultAndLeavesDirectoryEmpty()
    {
        string directory = Directory.CreateTempSubdirectory("hello-workflow-test-").FullName;
        try
        {
            using var output = new StringWriter();
            int chunks = await HelloWorkflowRun.RunAsync(directory, output).WaitAsync(TimeSpan.FromSeconds(90));
            string text = output.ToString();

            chunks.Should().Be(HelloWorkflowRun.Chunks.Count);
            int words = HelloWorkflowRun.Chunks.Sum(c => c.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
            text.Should().Contain($"total: {words} words in {HelloWorkflowRun.Chunks.Count} chunks");
            text.Should().Contain("HELLO, TOIL.RUNTIME! (chained after greet: kind-greet/", "the pair ran in one worker, under the first job's ID");
            text.Should().Contain("Log from job \"kind-flaky-upload/").And.Contain("retrying after").And.Contain("uploaded on attempt 2");
            text.Should().Contain("Finished toil run successfully").And.Contain("result: the root job returned 4");
            Directory.EnumerateFileSystemEntries(directory).Should().BeEmpty("the store is destroyed and the work and scratch directories removed");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
