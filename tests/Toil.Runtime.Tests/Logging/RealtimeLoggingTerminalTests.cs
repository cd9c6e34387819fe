using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Time.Testing;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Tests.Logging;

/// <summary>
/// What a datagram can make the leader print (docs/security.md): real datagrams over UDP on 127.0.0.1 carrying
/// terminal sequences and forged lines, through Microsoft.Extensions.Logging's console formatters, our text provider and
/// a structured sink; and the per-sender rate and size bounds.
/// </summary>
[CancelAfter(120_000)]
[NonParallelizable]
public sealed class RealtimeLoggingTerminalTests
{
    private const string ServerCategory = "Toil.Runtime.Logging.RealtimeLoggingServer";

    /// <summary>Retitles the window, clears the screen, returns to column 0 and forges a line that looks like the leader's own.</summary>
    private const string Hostile = "job done\u001b]0;pwned\u0007\u001b[2J\rINFO toil.leader: overwritten\nINFO toil.leader: fake";

    private readonly List<IAsyncDisposable> _disposables = [];
    private CapturingLoggerProvider _leaderLog = null!;

    [SetUp]
    public void SetUp() => _leaderLog = new CapturingLoggerProvider();

    [TearDown]
    public async Task TearDown()
    {
        foreach (var d in Enumerable.Reverse(_disposables))
        {
            await d.DisposeAsync();
        }

        _disposables.Clear();
        _leaderLog.Dispose();
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Reemit_HostileDatagramThroughSimpleConsole_NoControlCharacterAndTheForgedLineIsAContinuation(bool singleLine)
    {
        string console = await CaptureConsoleAsync(
            b => b.AddSimpleConsole(o =>
            {
                o.ColorBehavior = LoggerColorBehavior.Disabled;
                o.SingleLine = singleLine;
            }),
            Datagram(Hostile, name: "toil-rt.evil\u001b[31m", thread: "Main\u001b]0;x\u0007"));

        console.Should().Contain("job done\\x1b]0;pwned\\x07\\x1b[2J\\rINFO toil.leader: overwritten");
        console.Should().NotContainAny("\u001b", "\u0007", "\r");
        console.Should().Contain("toil-rt.evil\\x1b[31m", "the category is the logger name a datagram chose, escaped");
        string[] lines = console.Split('\n');
        // A multi-line message is a continuation line of its own; on a single line (the formatter joins the lines), inline.
        lines.Should().ContainSingle(l => l.Contains("INFO toil.leader: fake", StringComparison.Ordinal))
            .Which.Should().Contain(TerminalText.ContinuationMark + "INFO toil.leader: fake");
        lines.Should().NotContain(l => l.StartsWith("INFO", StringComparison.Ordinal), "no line a datagram sent starts where a record starts");
    }

    [Test]
    public async Task Reemit_HostileDatagramThroughJsonConsole_MessageEscapedAndStateKeepsTheOriginal()
    {
        string console = await CaptureConsoleAsync(b => b.AddJsonConsole(), Datagram(Hostile, exceptionText: "Traceback\n\u001b[2J"));

        console.Should().NotContainAny("\u001b", "\u0007", "\r");
        var entry = console.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Single(e => e.GetProperty("Category").GetString() == "toil-rt");
        string escaped = TerminalText.Escape(Hostile + "\nTraceback\n\u001b[2J");
        entry.GetProperty("Message").GetString().Should().Be(escaped);
        var state = entry.GetProperty("State");
        if (state.TryGetProperty("Message", out var stateText))
        {
            // Formatters before .NET 9 also write the state's text, under this name: hence OriginalMessage, not Message.
            stateText.GetString().Should().Be(escaped);
        }

        state.GetProperty("OriginalMessage").GetString().Should().Be(Hostile, "a structured sink keeps what the worker sent");
        state.GetProperty("ExceptionText").GetString().Should().Be("Traceback\n\u001b[2J");
        state.EnumerateObject().Select(p => p.Name).Should().OnlyHaveUniqueItems();
    }

    [Test]
    public async Task Reemit_HostileDatagram_StructuredSinkSeesTheOriginalAndToilTextLinesAreEscaped()
    {
        var text = new StringWriter();
        var server = NewServer(leader: b => b.AddProvider(new ToilTextLoggerProvider(text)));
        server.Start();

        UdpCapture.Send(server.LocalEndPoint!.Port, Datagram(Hostile, name: "toil-rt.x\r", thread: "T\u001b[1m"));

        var seen = await _leaderLog.WaitForAsync(r => r.Any(x => x.State is RealtimeLogRecord));
        var log = seen.Single(x => x.State is RealtimeLogRecord);
        var record = (RealtimeLogRecord)log.State!;
        log.Category.Should().Be("toil-rt.x\\r");
        log.Message.Should().Be(TerminalText.Escape(Hostile)).And.Be(record.ToString());
        (record.Message, record.Name, record.ThreadName).Should().Be((Hostile, "toil-rt.x\r", "T\u001b[1m"));
        record.Should().Contain(new KeyValuePair<string, object?>("OriginalMessage", Hostile));

        string written = text.ToString();
        written.Should().NotContainAny("\u001b", "\u0007", "\r");
        written.Should().Contain("] [T\\x1b[1m  ] [I] [toil-rt.x\\r] job done\\x1b]0;pwned");
        written.Should().Contain("\n" + TerminalText.ContinuationMark + "INFO toil.leader: fake");
    }

    [Test]
    public async Task Receive_SenderOverItsRate_DropsTheExcessCountsItAndWarnsOncePerInterval()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.Zero));
        var server = NewServer(o =>
        {
            o.SenderRecordsPerSecond = 1;
            o.SenderRecordBurst = 5;
            o.TimeProvider = time;
        });
        server.Start();
        var target = new IPEndPoint(IPAddress.Loopback, server.LocalEndPoint!.Port);
        using var flood = Bound();
        string floodName = flood.LocalEndPoint!.ToString()!;

        for (int i = 0; i < 8; i++)
        {
            flood.SendTo(Datagram($"flood {i}"), target);
        }

        // Another sender has a bucket of its own; its record arrives after the flood's.
        using var other = Bound();
        other.SendTo(Datagram("other sender"), target);
        await _leaderLog.WaitForAsync(r => r.Any(x => x.Message == "other sender"));

        _leaderLog.In("toil-rt").Select(x => x.Message).Should().Equal("flood 0", "flood 1", "flood 2", "flood 3", "flood 4", "other sender");
        server.DroppedCount.Should().Be(3);
        server.ReceivedCount.Should().Be(9);
        server.MalformedCount.Should().Be(0);
        _leaderLog.In(ServerCategory).Should().NotContain(r => r.Level == LogLevel.Warning, "drops are summarized per interval, not one line each");

        time.Advance(TimeSpan.FromSeconds(10));

        var warnings = (await _leaderLog.WaitForAsync(r => r.Any(x => x.Category == ServerCategory && x.Level == LogLevel.Warning)))
            .Where(x => x.Category == ServerCategory && x.Level == LogLevel.Warning).ToList();
        warnings.Should().ContainSingle().Which.Message.Should().Be(
            $"Dropped 3 real-time log records in the last 10 s from 1 sender(s) over the limit of 1 records/s (burst 5); most from {floodName} (3)");

        // Ten seconds at one record per second refilled the bucket (up to its burst).
        flood.SendTo(Datagram("after the refill"), target);
        await _leaderLog.WaitForAsync(r => r.Any(x => x.Message == "after the refill"));
        server.DroppedCount.Should().Be(3);
    }

    [Test]
    public async Task StopAsync_DropsNotYetSummarized_SummarizedAtStop()
    {
        var time = new FakeTimeProvider();
        var server = NewServer(o =>
        {
            o.SenderRecordBurst = 1;
            o.TimeProvider = time;
        });
        server.Start();
        var target = new IPEndPoint(IPAddress.Loopback, server.LocalEndPoint!.Port);
        using var sender = Bound();
        sender.SendTo(Datagram("kept"), target);
        sender.SendTo(Datagram("dropped"), target);
        using var marker = Bound();
        marker.SendTo(Datagram("marker"), target);
        await _leaderLog.WaitForAsync(r => r.Any(x => x.Message == "marker"));

        await server.StopAsync();

        server.DroppedCount.Should().Be(1);
        _leaderLog.In(ServerCategory).Should().ContainSingle(r => r.Level == LogLevel.Warning)
            .Which.Message.Should().StartWith("Dropped 1 real-time log records in the last 0 s from 1 sender(s) over the limit of 200 records/s (burst 1)");
    }

    [Test]
    public async Task Receive_FormatAskingForAGigabyteAndHugeFields_EveryTextCutToItsLimit()
    {
        var server = NewServer(o => o.MaxTextLength = 1000);
        server.Start();
        string datagram = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["name"] = "toil-rt." + new string('n', 5000),
            ["msg"] = "%999999999s|%.999999999f",
            ["args"] = new object[] { "x", 1.5 },
            ["levelno"] = 20,
            ["exc_text"] = new string('e', 5000),
            ["stack_info"] = new string('s', 5000),
            ["threadName"] = new string('t', 5000),
        });

        UdpCapture.Send(server.LocalEndPoint!.Port, Encoding.UTF8.GetBytes(datagram));

        var seen = await _leaderLog.WaitForAsync(r => r.Any(x => x.State is RealtimeLogRecord));
        var record = (RealtimeLogRecord)seen.Single(x => x.State is RealtimeLogRecord).State!;
        record.Message.Should().Be(new string(' ', 999) + "x [cut to 1000 characters]");
        record.ExceptionText.Should().Be(new string('e', 1000) + " [cut to 1000 characters]");
        record.StackInfo.Should().Be(new string('s', 1000) + " [cut to 1000 characters]");
        record.Name.Should().HaveLength(256 + " [cut to 256 characters]".Length);
        record.ThreadName.Should().HaveLength(256 + " [cut to 256 characters]".Length);
        server.MalformedCount.Should().Be(0);
    }

    [Test]
    public async Task Receive_WidthBeyondPythonsIntegers_KeepsTheTextAndSaysWhy()
    {
        var server = NewServer();
        server.Start();

        UdpCapture.Send(server.LocalEndPoint!.Port, Encoding.UTF8.GetBytes("""{"msg":"%99999999999s","args":["x"],"levelno":20}"""));

        var seen = await _leaderLog.WaitForAsync(r => r.Any(x => x.State is RealtimeLogRecord));
        seen.Single(x => x.State is RealtimeLogRecord).Message.Should().Be("%99999999999s [args: ['x']; not rendered: width or precision too big]");
    }

    [Test]
    public void Constructor_InvalidBounds_ThrowsNamingEveryProblem()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new RealtimeLoggingServerOptions
        {
            SenderRecordsPerSecond = -1,
            SenderRecordBurst = 0,
            MaxTextLength = 10,
            DropSummaryInterval = TimeSpan.FromMilliseconds(10),
            TimeProvider = null!,
        });
        FluentActions.Invoking(() => new RealtimeLoggingServer(options, _leaderLog.Factory()))
            .Should().Throw<ArgumentException>()
            .WithMessage("*SenderRecordsPerSecond must be between 0 and 1000000*SenderRecordBurst must be between 1 and 1000000*MaxTextLength must be between 256*TimeProvider is required*DropSummaryInterval*");
    }

    [Test]
    public void Defaults_AreTheDocumentedOnes()
    {
        var o = new RealtimeLoggingServerOptions();
        (o.SenderRecordsPerSecond, o.SenderRecordBurst, o.MaxTextLength, o.DropSummaryInterval, o.TimeProvider)
            .Should().Be((200d, 2000, 16384, TimeSpan.FromSeconds(10), TimeProvider.System));
    }

    private static Socket Bound()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return s;
    }

    private static byte[] Datagram(string msg, string name = "toil-rt", string? thread = "MainThread", string? exceptionText = null) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
        {
            ["name"] = name,
            ["msg"] = msg,
            ["args"] = Array.Empty<object>(),
            ["levelname"] = "INFO",
            ["levelno"] = 20,
            ["exc_text"] = exceptionText,
            ["stack_info"] = null,
            ["created"] = 1795547040.5,
            ["threadName"] = thread,
            ["process"] = 4242,
        });

    /// <summary>Sends one datagram to a server whose leader logs to the console as configured, and returns what the console received.</summary>
    private async Task<string> CaptureConsoleAsync(Action<ILoggingBuilder> console, byte[] datagram)
    {
        var output = new StringWriter();
        TextWriter original = Console.Out;
        Console.SetOut(output);
        try
        {
            // The console provider takes Console.Out when it is created; disposing the container flushes its queue.
            var services = new ServiceCollection()
                .AddLogging(b =>
                {
                    b.SetMinimumLevel(LogLevel.Information).AddProvider(_leaderLog);
                    console(b);
                })
                .AddToilRealtimeLoggingServer()
                .BuildServiceProvider();
            await using (services)
            {
                var server = services.GetRequiredService<RealtimeLoggingServer>();
                server.Start();
                UdpCapture.Send(server.LocalEndPoint!.Port, datagram);
                await _leaderLog.WaitForAsync(r => r.Any(x => x.State is RealtimeLogRecord));
                await server.StopAsync();
            }
        }
        finally
        {
            Console.SetOut(original);
        }

        return output.ToString();
    }

    private RealtimeLoggingServer NewServer(Action<RealtimeLoggingServerOptions>? configure = null, Action<ILoggingBuilder>? leader = null)
    {
        var services = new ServiceCollection()
            .AddLogging(b =>
            {
                b.SetMinimumLevel(LogLevel.Information).AddProvider(_leaderLog);
                leader?.Invoke(b);
            })
            .AddToilRealtimeLoggingServer(configure)
            .BuildServiceProvider();
        _disposables.Add(services);
        return services.GetRequiredService<RealtimeLoggingServer>();
    }
}
