using System.Text;
using System.Text.Json;
using Toil.Runtime.Logging;
using Toil.Runtime.Stats;

namespace Toil.Runtime.Tests.Fuzzing;

/// <summary>Regression tests for the inputs the fuzzing harness found (docs/reliability.md, "Found and fixed").</summary>
public sealed class FuzzFindingsTests
{
    private const string Stats = """
        {"schemaVersion":1,"jobs":[JOBS],"workers":{"logs_to_leader":[LEADER],"logging_user_streams":[STREAMS],"requested_cores":CORES},"logs":LOGS}
        """;

    private static string StatsWith(string jobs = "{}", string leader = "{\"text\":\"t\",\"level\":20}", string streams = "{\"name\":\"n\",\"text\":\"t\"}", string cores = "1", string logs = "{\"names\":[\"a\"],\"messages\":[\"m\"]}") =>
        Stats.Replace("JOBS", jobs, StringComparison.Ordinal).Replace("LEADER", leader, StringComparison.Ordinal).Replace("STREAMS", streams, StringComparison.Ordinal)
            .Replace("CORES", cores, StringComparison.Ordinal).Replace("LOGS", logs, StringComparison.Ordinal);

    [Test]
    public void Parse_ValidStatsMessage_ReturnsIt()
    {
        var doc = StatsDocument.Parse(Encoding.UTF8.GetBytes(StatsWith()));

        doc.Workers.LogsToLeader.Should().ContainSingle().Which.Text.Should().Be("t");
        doc.ToUtf8Json().Should().NotBeEmpty();
    }

    [TestCase("jobs", "null")]
    [TestCase("leader", "null")]
    [TestCase("leader", "{\"text\":null,\"level\":20}")]
    [TestCase("streams", "{\"name\":null,\"text\":\"t\"}")]
    [TestCase("streams", "null")]
    [TestCase("cores", "1e400")]
    [TestCase("cores", "-1e400")]
    [TestCase("logs", "{\"names\":[\"a\"],\"messages\":[\"line 1\",null]}")]
    [TestCase("logs", "{\"names\":null,\"messages\":[]}")]
    [TestCase("leader", "{\"text\":\"\\ud800\",\"level\":20}")]
    public void Parse_NullEntryOrNumberOutOfRange_ThrowsJsonException(string field, string json)
    {
        string text = field switch
        {
            "jobs" => StatsWith(jobs: json),
            "leader" => StatsWith(leader: json),
            "streams" => StatsWith(streams: json),
            "cores" => StatsWith(cores: json),
            _ => StatsWith(logs: json),
        };

        var act = () => StatsDocument.Parse(Encoding.UTF8.GetBytes(text));

        act.Should().Throw<JsonException>();
    }

    [TestCase("""{"levelname":"WARNING","name":"n","msg":"\ud800"}""")]
    [TestCase("""{"levelno":20,"name":"\udc00x","msg":"m"}""")]
    [TestCase("""{"levelno":20,"msg":"%(x)s","args":"\ud800"}""")]
    public void Decode_EscapedLoneSurrogate_ThrowsFormatException(string datagram)
    {
        var act = () => RealtimeDatagramDecoder.Decode(Encoding.UTF8.GetBytes(datagram), "127.0.0.1:9");

        act.Should().Throw<FormatException>();
    }

    [Test]
    public void Decode_IntegerFormatOfAnInfiniteNumber_KeepsTheTextUnrendered()
    {
        byte[] datagram = Encoding.UTF8.GetBytes("""{"levelno":20,"msg":"used %d%%","args":[-1e400]}""");

        var record = RealtimeDatagramDecoder.Decode(datagram, "127.0.0.1:9");

        record.Message.Should().StartWith("used %d%%").And.Contain("not rendered");
    }
}
