// docs/testing.md: compiled copy of a documentation block (docs/contributing-docs.md).
// begin-snippet: testing-job-harness
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Toil.Runtime.JobStores;
using Toil.Runtime.Testing;

public sealed class WordCountTests
{
    [Test]
    public async Task CountWords_FileOfThreeWords_ReturnsThreeAndTellsTheLeader()
    {
        await using var harness = new JobTestHarness(services => services.AddWordCountJobs());
        string fileId = await harness.Store.WriteFileAsync("one two three"u8.ToArray());

        var run = await harness.RunAsync(CountWords.Type, new CountInput("a.txt", fileId));

        run.Result.Should().Be(3);
        run.LeaderMessages.Should().ContainSingle().Which.Text.Should().Be("a.txt: 3 words");
    }

    [Test]
    public async Task FanOut_TwoDocuments_AddsACounterEachAndASum()
    {
        await using var harness = new JobTestHarness(services => services.AddWordCountJobs());

        var run = await harness.RunAsync(FanOut.Type, new FanInput([new("a", "one two"), new("b", "three")]));

        run.Children.Should().HaveCount(2).And.OnlyContain(c => c.TypeName == "count-words");
        run.Children.Select(c => c.InputAs(WordCountJson.Default.CountInput).Name).Should().BeEquivalentTo("a", "b");
        run.FollowOns.Should().ContainSingle().Which.TypeName.Should().Be("sum");
        run.FilesWritten.Should().HaveCount(2);
    }

    [Test]
    public async Task Workflow_TwoDocuments_CountsEach()
    {
        await using var harness = new JobTestHarness(services => services.AddWordCountJobs());

        var graph = await harness.RunGraphAsync(FanOut.Type, new FanInput([new("a", "one two"), new("b", "three")]));

        graph.Runs.Select(r => r.TypeName).Should().Equal("fan-out", "count-words", "count-words", "sum");
        graph.LeaderMessages.Select(m => m.Text).Should().BeEquivalentTo("a: 2 words", "b: 1 words");
    }
}
// end-snippet
