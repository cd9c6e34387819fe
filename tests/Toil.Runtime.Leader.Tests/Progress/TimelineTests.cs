using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using Toil.Runtime.Leader.Progress;

namespace Toil.Runtime.Leader.Tests.Progress;

/// <summary>The run summary and the timeline picture of a real run (docs/progress.md, "Summary" and "Timeline").</summary>
[TestFixture]
public sealed partial class TimelineTests
{
    [Test]
    public async Task RunWorkflowAsync_ChainFanOutAndRetry_SummaryCountsAndTimes()
    {
        await using var host = ShapesHost.Create();

        var result = await host.RunAsync();

        var summary = result.Summary;
        summary.JobsCompleted.Should().Be(result.JobsCompleted);
        summary.ChainedJobs.Should().Be(1);
        summary.Retries.Should().Be(1);
        summary.FailedAttempts.Should().Be(1);
        summary.AttemptsIssued.Should().Be(result.AttemptsIssued).And.Be(7, "root, three leaves, the head (with its chained tail), the flaky job twice");
        summary.JobBodiesRun.Should().Be(8);
        summary.JobTypes.Should().ContainSingle(t => t.JobName == "shapes-leaf").Which.Count.Should().Be(3);
        summary.JobTypes.Single(t => t.JobName == "shapes-leaf").MaxWallTime.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(390));
        summary.SlowestJobs.Should().HaveCount(8, "every body, fewer than the ten kept");
        summary.SlowestJobs.Where(j => j.JobName == "shapes-leaf").Should().HaveCount(3).And.OnlyContain(j => j.WallTime >= TimeSpan.FromMilliseconds(390));
        summary.SlowestJobs.Should().BeInDescendingOrder(j => j.WallTime);
        summary.Attempts.Should().HaveCount(7);
        summary.Attempts.Should().OnlyContain(a => a.Ended != null && a.Started >= a.Issued && a.Ended >= a.Started);

        string text = summary.ToText();
        text.Should().Contain("1 chained").And.Contain("1 retry").And.Contain("shapes-leaf: 3");
        text.Should().NotContain("\u001b", "job names are escaped for the terminal").And.Contain("\\x1b[31m");
    }

    [Test]
    public async Task RunWorkflowAsync_FailedJob_SummaryListsItWithReason()
    {
        await using var host = ShapesHost.Create(o => o.Config = new Jobs.WorkflowConfig { RetryCount = 0 });

        var result = await host.RunAsync();

        result.Succeeded.Should().BeFalse();
        var failure = result.Summary.Failures.Should().ContainSingle(f => f.JobName == "shapes-flaky").Subject;
        failure.Reason.Should().Be("its tries are used up");
        result.Summary.Attempts.Should().ContainSingle(a => a.Failed).Which.JobName.Should().Be("shapes-flaky");
        result.Summary.ToText().Should().Contain("Failed jobs:").And.Contain("its tries are used up");
    }

    [Test]
    public async Task TimelinePath_RealRun_EveryJobDrawnRetryMarkedChainedInsideItsWorker()
    {
        await using var host = ShapesHost.Create(o => o.TimelinePath = Path.Combine(Path.GetTempPath(), $"toil-timeline-{Guid.NewGuid():N}.html"));
        string path = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Workflows.LeaderOptions>>().Value.TimelinePath!;
        try
        {
            var result = await host.RunAsync();
            result.Succeeded.Should().BeTrue();
            string html = await File.ReadAllTextAsync(path);
            TestContext.Out.WriteLine(path);

            // Every attempt is a group named by its job; every job the workers ran is drawn (the chained tail too).
            var svg = XDocument.Parse(Svg(html));
            XNamespace ns = "http://www.w3.org/2000/svg";
            var groups = svg.Descendants(ns + "g").ToList();
            groups.Should().HaveCount(7);
            foreach (var attempt in result.Summary.Attempts)
            {
                groups.Should().Contain(g => (string?)g.Attribute("data-job") == attempt.JobStoreId && (string?)g.Attribute("data-batch-job") == attempt.BatchJobId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            // The retried job: one failed attempt, and one marked as a retry.
            var flaky = result.Summary.Attempts.Where(a => a.JobName == "shapes-flaky").ToList();
            flaky.Should().HaveCount(2);
            groups.Should().ContainSingle(g => ((string?)g.Attribute("class"))!.Contains("failed", StringComparison.Ordinal)).Which.Attribute("data-job")!.Value.Should().Be(flaky[0].JobStoreId);
            var retry = groups.Should().ContainSingle(g => ((string?)g.Attribute("class"))!.Split(' ').Contains("retry")).Subject;
            retry.Attribute("data-job")!.Value.Should().Be(flaky[1].JobStoreId);
            retry.Element(ns + "rect")!.Attribute("stroke-dasharray").Should().NotBeNull("a retry is outlined");

            // The chained tail is drawn inside the head's bar, in the head's group, within its bounds.
            var head = result.Summary.Attempts.Single(a => a.JobName == "shapes-head");
            head.ChainedJobs.Should().ContainSingle().Which.JobName.Should().Be("shapes-tail");
            var headGroup = groups.Single(g => (string?)g.Attribute("data-job") == head.JobStoreId);
            var bar = headGroup.Elements(ns + "rect").First();
            var chained = headGroup.Elements(ns + "rect").Should().ContainSingle(r => (string?)r.Attribute("class") == "chained").Subject;
            chained.Element(ns + "title")!.Value.Should().Contain("shapes-tail").And.Contain("tail of the chain");
            double X(XElement r) => double.Parse(r.Attribute("x")!.Value, System.Globalization.CultureInfo.InvariantCulture);
            double W(XElement r) => double.Parse(r.Attribute("width")!.Value, System.Globalization.CultureInfo.InvariantCulture);
            X(chained).Should().BeGreaterThanOrEqualTo(X(bar));
            (X(chained) + W(chained)).Should().BeLessThanOrEqualTo(X(bar) + W(bar) + 0.01);

            // Hover titles name the job, its type and times; user text is escaped.
            groups.SelectMany(g => g.Elements(ns + "rect")).Should().OnlyContain(r => r.Element(ns + "title") != null);
            html.Should().Contain("leaf &lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;").And.NotContain("leaf <b>").And.NotContain("\u001b");
            html.Should().NotContainAny("<script", "src=", "href=", "<link", "@import", "url(");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task HelloWorkflow_TimelinePath_EveryJobOfTheSampleDrawn()
    {
        string directory = Directory.CreateTempSubdirectory("hello-timeline-test-").FullName;
        string path = Path.Combine(Path.GetTempPath(), $"hello-timeline-{Guid.NewGuid():N}.html");
        var observer = new RecordingObserver();
        try
        {
            using var output = new StringWriter();
            await HelloWorkflow.HelloWorkflowRun.RunAsync(directory, output, path, observer).WaitAsync(TimeSpan.FromSeconds(90));
            var result = await observer.Completed.Task.WaitAsync(TimeSpan.FromSeconds(5));
            string html = await File.ReadAllTextAsync(path);

            var svg = XDocument.Parse(Svg(html));
            XNamespace ns = "http://www.w3.org/2000/svg";
            var titles = svg.Descendants(ns + "title").Select(t => t.Value).ToList();
            foreach (string type in new[] { "word-count", "count-chunk", "sum", "greet", "shout", "publish", "flaky-upload" })
            {
                titles.Should().Contain(t => t.Contains($"[{type}]", StringComparison.Ordinal), $"the sample's {type} job is drawn");
            }

            titles.Should().Contain(t => t.StartsWith("chained: shout", StringComparison.Ordinal), "shout runs chained after greet");
            svg.Descendants(ns + "g").Should().Contain(g => ((string?)g.Attribute("class"))!.Contains("retry", StringComparison.Ordinal), "flaky-upload is retried");
            result.Summary.Attempts.Should().HaveCount(result.AttemptsIssued);
            result.Summary.ChainedJobs.Should().Be(1);
            long chunkBytes = HelloWorkflow.HelloWorkflowRun.Chunks.Sum(c => (long)System.Text.Encoding.UTF8.GetByteCount(c));
            result.Summary.BytesWritten.Should().Be(chunkBytes, "the root writes each chunk to the job store once");
            result.Summary.BytesRead.Should().Be(chunkBytes, "each count-chunk job reads its chunk once");
        }
        finally
        {
            File.Delete(path);
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void PathFor_WriteTimelineOnFileStore_BesideTheStore()
    {
        var options = new Workflows.LeaderOptions { WriteTimeline = true };
        TimelineFile.PathFor(options, "file:/data/run-42").Should().Be("/data/run-42.timeline.html");
        TimelineFile.PathFor(options, "file:/data/run-42/").Should().Be("/data/run-42.timeline.html");
        TimelineFile.PathFor(options, "memory:abc").Should().BeNull();
        TimelineFile.PathFor(new Workflows.LeaderOptions(), "file:/data/run-42").Should().BeNull("not asked");
        TimelineFile.PathFor(new Workflows.LeaderOptions { TimelinePath = "/tmp/t.html" }, "file:/data/run-42").Should().Be("/tmp/t.html");
    }

    [Test]
    public void AssignLanes_OverlappingAttempts_LowestFreeLane()
    {
        var t0 = DateTimeOffset.UnixEpoch;
        JobAttempt A(long id, int from, int to) => new() { BatchJobId = id, JobStoreId = $"j{id}", JobName = "n", DisplayName = "d", Issued = t0, Started = t0.AddSeconds(from), Ended = t0.AddSeconds(to) };
        var attempts = new List<JobAttempt> { A(1, 0, 10), A(2, 1, 3), A(3, 4, 6), A(4, 2, 5), A(5, 10, 12) };

        RunRecorder.AssignLanes(attempts);

        attempts.Select(a => a.Lane).Should().Equal(0, 1, 1, 2, 0);
    }

    private static string Svg(string html)
    {
        var match = SvgPattern().Match(html);
        match.Success.Should().BeTrue();
        return match.Value;
    }

    [GeneratedRegex("<svg[\\s\\S]*</svg>")]
    private static partial Regex SvgPattern();
}
