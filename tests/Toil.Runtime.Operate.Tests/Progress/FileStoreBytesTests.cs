using System.Text.RegularExpressions;
using System.Text.Json;
using System.Xml.Linq;
using Toil.Runtime.Cli.Store;
using Toil.Runtime.Leader.Workflows;

namespace Toil.Runtime.Operate.Tests.Progress;

/// <summary>
/// Bytes through the file store (docs/progress.md, "The run summary"): counted by each job's file store where they pass,
/// carried in the worker's stats, added up in the run summary, its text, the timeline and <c>toil stats</c>.
/// </summary>
[TestFixture]
public sealed class FileStoreBytesTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    // 70,000 bytes is more than the 64 KiB copy buffer, so the local file passes in several pieces; the reader reads only
    // 1,234 bytes of it as a stream: counted as read where the bytes pass, a file's size would say 70,000.
    private static readonly BytesInput Sizes = new(StreamBytes: 10_000, FileBytes: 70_000, PartialRead: 1_234);

    [Test]
    public async Task RunWorkflowAsync_JobsWriteAndReadKnownBytes_SummaryTotalsAndPerTypeExact()
    {
        await using var host = OperateHost.Create();

        var result = await host.Runner.RunWorkflowAsync<WriteBytesJob, BytesInput>(Sizes).WaitAsync(Bound);

        result.Succeeded.Should().BeTrue();
        var summary = result.Summary;
        summary.BytesWritten.Should().Be(80_000, "10,000 from a stream and 70,000 from a local file");
        summary.BytesRead.Should().Be(11_234, "10,000 read whole and 1,234 of the other file's stream");
        var writer = summary.JobTypes.Should().ContainSingle(t => t.JobName == "write-bytes").Subject;
        writer.TotalBytesWritten.Should().Be(80_000);
        writer.TotalBytesRead.Should().Be(0);
        var reader = summary.JobTypes.Should().ContainSingle(t => t.JobName == "read-bytes").Subject;
        reader.TotalBytesWritten.Should().Be(0);
        reader.TotalBytesRead.Should().Be(11_234);
        summary.SlowestJobs.Single(j => j.JobName == "read-bytes").BytesRead.Should().Be(11_234);

        string text = summary.ToText();
        text.Should().Contain("Bytes through the file store: 78.1 KiB (80000 B) written, 11.0 KiB (11234 B) read");
        text.Should().Contain("write-bytes: 1, ").And.Contain(", 78.1 KiB (80000 B), 0 B\n");
        text.Should().Contain("read-bytes: 1, ").And.Contain(", 0 B, 11.0 KiB (11234 B)\n");
    }

    [Test]
    public async Task ToTimelineHtml_JobsWriteAndReadKnownBytes_TooltipsAndTablesShowThem()
    {
        await using var host = OperateHost.Create();

        var result = await host.Runner.RunWorkflowAsync<WriteBytesJob, BytesInput>(Sizes).WaitAsync(Bound);
        string html = result.Summary.ToTimelineHtml();

        result.Succeeded.Should().BeTrue();
        int start = html.IndexOf("<svg", StringComparison.Ordinal);
        var svg = XDocument.Parse(html[start..(html.IndexOf("</svg>", StringComparison.Ordinal) + 6)]);
        XNamespace ns = "http://www.w3.org/2000/svg";
        var titles = svg.Descendants(ns + "title").Select(t => t.Value).ToList();
        titles.Should().Contain(t => t.Contains("[write-bytes]", StringComparison.Ordinal) && t.Contains("file store 78.1 KiB written, 0 B read", StringComparison.Ordinal), "a body's tooltip shows its own bytes");
        titles.Should().Contain(t => t.Contains("[read-bytes]", StringComparison.Ordinal) && t.Contains("file store 0 B written, 11.0 KiB read", StringComparison.Ordinal));
        html.Should().Contain("file store 78.1 KiB written, 11.0 KiB read;", "the page's header has the run's totals");
        html.Should().Contain("<th>written</th><th>read</th>");
    }

    [Test]
    [Platform(Exclude = "Win", Reason = "The toil tool is a Unix program.")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Stats_StoreOfRunThatWroteAndRead_TableAndJsonShowBytes()
    {
        await using var host = OperateHost.Create(o => o.Clean = CleanPolicy.Never);
        var result = await host.Runner.RunWorkflowAsync<WriteBytesJob, BytesInput>(Sizes).WaitAsync(Bound);
        result.Succeeded.Should().BeTrue();

        var (jsonCode, json, jsonError) = await Cli.Toil.RunAsync("stats", host.Locator, "--json");
        var (tableCode, table, _) = await Cli.Toil.RunAsync("stats", host.Locator);

        jsonCode.Should().Be(StoreExitCodes.Success, jsonError);
        tableCode.Should().Be(StoreExitCodes.Success);
        using var document = JsonDocument.Parse(json);
        document.RootElement.GetProperty("fileBytesWritten").GetInt64().Should().Be(80_000);
        document.RootElement.GetProperty("fileBytesRead").GetInt64().Should().Be(11_234);
        var types = document.RootElement.GetProperty("jobTypes").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        types.Should().ContainKeys("write-bytes", "read-bytes");
        types["write-bytes"].GetProperty("fileBytesWritten").GetInt64().Should().Be(80_000);
        types["read-bytes"].GetProperty("fileBytesRead").GetInt64().Should().Be(11_234);
        table.Should().Contain("File store: 80000 bytes written, 11234 bytes read").And.Contain("Written B").And.Contain("Read B");
        table.Split('\n').Should().Contain(l => l.StartsWith("write-bytes ", StringComparison.Ordinal) && Regex.IsMatch(l, @"\s80000\s+0\s*$"), "the last two columns are written and read");
        table.Split('\n').Should().Contain(l => l.StartsWith("read-bytes ", StringComparison.Ordinal) && Regex.IsMatch(l, @"\s0\s+11234\s*$"));
    }
}
