using System.Text;
using Microsoft.Extensions.Logging;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Tests.Logging;

/// <summary>
/// Interoperation with Toil's Python side: what our worker sends parses under Toil's server rules, and what Toil's
/// Python handler really sent (<c>Fixtures/toil-rt-datagrams.jsonl</c>) renders correctly here.
/// </summary>
[CancelAfter(60_000)]
public sealed class ToilWireCompatibilityTests
{
    private UdpCapture _leader = null!;

    [SetUp]
    public void SetUp() => _leader = new UdpCapture();

    [TearDown]
    public void TearDown() => _leader.Dispose();

    [TestCase(LogLevel.Trace, 5)]
    [TestCase(LogLevel.Debug, 10)]
    [TestCase(LogLevel.Information, 20)]
    [TestCase(LogLevel.Warning, 30)]
    [TestCase(LogLevel.Error, 40)]
    [TestCase(LogLevel.Critical, 50)]
    public async Task OurDatagram_UnderToilsServerRules_GivesTheLoggedMessageAndLevel(LogLevel level, int levelNo)
    {
        using var provider = new RealtimeLoggerProvider(RealtimeLoggingRequest.Create("TRACE", _leader.Address));

        // Percent signs must survive: args is empty, so Toil does not %-format the rendered message again.
        provider.CreateLogger("toil-rt").Log(level, "100% of {Count} files in %(dir)s, naïve ✓", 3);

        var (name, no, message) = ToilServerRules.Handle(await _leader.ReceiveAsync());
        (name, no, message).Should().Be(("toil-rt", (double)levelNo, "100% of 3 files in %(dir)s, naïve ✓"));
    }

    [Test]
    public async Task OurDatagram_WithException_ToilFormatsMessageThenExceptionText()
    {
        using var provider = new RealtimeLoggerProvider(RealtimeLoggingRequest.Create("INFO", _leader.Address));
        var exception = new InvalidOperationException("disk full");

        provider.CreateLogger("toil-rt").LogError(exception, "copy failed");

        byte[] datagram = await _leader.ReceiveAsync();
        string toil = ToilServerRules.Handle(datagram).Message;
        toil.Should().Be("copy failed\n" + exception);
        var record = RealtimeDatagramDecoder.Decode(datagram, "127.0.0.1:1");
        record.RawText.Should().Be(toil, "our leader renders it as Toil's does");
        record.ToString().Should().Be(TerminalText.Escape(toil), "and escapes it for a terminal: the exception's lines are continuations");
    }

    [Test]
    public async Task OurDatagram_CutToFit_StillParsesUnderToilsRules()
    {
        using var provider = new RealtimeLoggerProvider(RealtimeLoggingRequest.Create("INFO", _leader.Address));

        provider.CreateLogger("toil-rt").LogWarning("{Text}", string.Concat(Enumerable.Repeat("é\"\\<", 10_000)));

        ToilServerRules.Handle(await _leader.ReceiveAsync()).Message.Should().StartWith("é\"\\<é\"\\<").And.EndWith("bytes]");
    }

    [Test]
    public async Task OurDatagram_DecodedByOurServer_RoundTripsEveryField()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 14, 30, 0, 125, TimeSpan.Zero));
        using var provider = new RealtimeLoggerProvider(RealtimeLoggingRequest.Create("DEBUG", _leader.Address), new RealtimeLoggerProviderOptions { TimeProvider = time });

        provider.CreateLogger("toil-rt.child").LogDebug("round {Trip}", "trip");

        var record = RealtimeDatagramDecoder.Decode(await _leader.ReceiveAsync(), "127.0.0.1:1");
        (record.Name, record.Level, record.LevelName, record.Message).Should().Be(("toil-rt.child", LogLevel.Debug, "DEBUG", "round trip"));
        record.Created.Should().Be(time.GetUtcNow());
        record.ProcessId.Should().Be(Environment.ProcessId);
    }

    [Test]
    public async Task ToilDatagrams_FromPythonHandler_RenderAsPythonWould()
    {
        string[] lines = await File.ReadAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "Logging", "Fixtures", "toil-rt-datagrams.jsonl"));
        var records = lines.Select(l => RealtimeDatagramDecoder.Decode(Encoding.UTF8.GetBytes(l), "10.0.0.7:40000")).ToList();

        records.Select(r => (r.Name, r.Level, r.LevelNumber, r.Message)).Should().Equal(
            ("toil-rt", LogLevel.Information, 20, "interop x 3"),
            ("toil-rt", LogLevel.Debug, 10, "hidden debug"),
            ("toil-rt", LogLevel.Warning, 30, "mapping v"),
            ("toil-rt", LogLevel.Error, 40, "unicode: naïve ✓"));
        records.Should().OnlyContain(r => r.ThreadName == "MainThread" && r.ProcessId == 19693 && r.Sender == "10.0.0.7:40000" && r.ExceptionText == null);
        records[0].Created!.Value.ToUnixTimeMilliseconds().Should().Be(1795547040591);
    }

    [Test]
    public void ToilDatagram_LargerThanToilsOwnBuffer_IsReadWhole()
    {
        // A Python sender may send up to 64 kB; Toil's leader would cut it at 8192 bytes, ours reads it whole.
        string msg = new('m', 30_000);
        byte[] datagram = Encoding.UTF8.GetBytes($$"""{"name": "toil-rt", "msg": "{{msg}}", "args": [], "levelname": "INFO", "levelno": 20}""");
        RealtimeDatagramDecoder.Decode(datagram, "127.0.0.1:1").Message.Should().Be(msg);
        RealtimeLoggingServer.ReceiveBufferSize.Should().BeGreaterThan(65507);
    }

    [Test]
    public void ToilDatagram_LevelNameWithoutNumber_IsAcceptedWhereToilWouldCrash()
    {
        var record = RealtimeDatagramDecoder.Decode("""{"name":"toil-rt","msg":"named only","levelname":"WARNING"}"""u8, "127.0.0.1:1");
        (record.Level, record.LevelNumber).Should().Be((LogLevel.Warning, 30));
    }

    [Test]
    public void ToilDatagram_MissingNameAndMessage_GetsLogRecordDefaults()
    {
        var record = RealtimeDatagramDecoder.Decode("""{"levelno":25}"""u8, "127.0.0.1:1");
        (record.Name, record.Message, record.LevelName, record.Level, record.Created).Should().Be(("toil-rt", "", "Level 25", LogLevel.Information, (DateTimeOffset?)null));
    }

    [Test]
    public void ToilDatagram_NonStringMessage_IsStrOfIt()
    {
        RealtimeDatagramDecoder.Decode("""{"msg":{"a":[1,2.5,null]},"levelno":20}"""u8, "127.0.0.1:1").Message.Should().Be("{'a': [1, 2.5, None]}");
    }
}
