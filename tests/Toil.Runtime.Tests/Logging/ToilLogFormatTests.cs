using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Tests.Logging;

/// <summary>Toil's root log line and default level.</summary>
public sealed class ToilLogFormatTests
{
    [Test]
    public void FormatLine_Record_HasToilsLayout()
    {
        var at = new DateTimeOffset(2026, 7, 1, 19, 23, 13, TimeSpan.FromHours(-4));
        ToilLogFormat.FormatLine(at, "MainThread", LogLevel.Information, "toil-rt", "hello")
            .Should().Be("[2026-07-01T19:23:13-0400] [MainThread] [I] [toil-rt] hello");
    }

    [Test]
    public void FormatLine_ControlCharactersInEveryField_EscapedAndContinuationLinesMarked()
    {
        string line = ToilLogFormat.FormatLine(DateTimeOffset.UnixEpoch, "t\u001b[2J", LogLevel.Information, "toil-rt\nINFO x", "a\rb\nINFO toil.leader: fake");

        line.Should().Be("[1970-01-01T00:00:00+0000] [t\\x1b[2J  ] [I] [toil-rt\\nINFO x] a\\rb\n  | INFO toil.leader: fake");
    }

    [Test]
    public void ToilTextLoggerProvider_ExceptionAndHostileMessage_WrittenEscapedWithContinuationLines()
    {
        var writer = new StringWriter();
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        time.SetLocalTimeZone(TimeZoneInfo.Utc);
        using (var factory = LoggerFactory.Create(b => b.AddProvider(new ToilTextLoggerProvider(writer, time))))
        {
            factory.CreateLogger("job").LogError(new InvalidOperationException("bad\u0007"), "title\u001b]0;x\u0007");
        }

        string text = writer.ToString();
        text.Should().NotContainAny("\u001b", "\u0007", "\r");
        text.Should().StartWith("[1970-01-01T00:00:00+0000] [").And.Contain("] [E] [job] title\\x1b]0;x\\x07\n  | System.InvalidOperationException: bad\\x07");
    }

    [TestCase(LogLevel.Trace, 'T')]
    [TestCase(LogLevel.Debug, 'D')]
    [TestCase(LogLevel.Warning, 'W')]
    [TestCase(LogLevel.Error, 'E')]
    [TestCase(LogLevel.Critical, 'C')]
    public void FormatLine_Level_ShowsFirstLetterOfToilName(LogLevel level, char letter) =>
        ToilLogFormat.FormatLine(DateTimeOffset.UnixEpoch, "t", level, "x", "m").Should().Contain($"] [{letter}] [x] m");

    [Test]
    public void FormatLine_ShortAndLongThreadNames_LeftJustifiedToTenNotCut()
    {
        ToilLogFormat.FormatLine(DateTimeOffset.UnixEpoch, "w1", LogLevel.Information, "a", "m").Should().Contain("] [w1        ] [I]");
        ToilLogFormat.FormatLine(DateTimeOffset.UnixEpoch, "ThreadPoolWorker-12", LogLevel.Information, "a", "m").Should().Contain("] [ThreadPoolWorker-12] [I]");
    }

    [Test]
    public void FormatTimestamp_PositiveAndHalfHourOffsets_PrintSignAndNoColon()
    {
        ToilLogFormat.FormatTimestamp(new DateTimeOffset(2026, 1, 2, 3, 4, 5, new TimeSpan(5, 30, 0))).Should().Be("2026-01-02T03:04:05+0530");
        ToilLogFormat.FormatTimestamp(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)).Should().Be("2026-01-02T03:04:05+0000");
    }

    [Test]
    public void DefaultLevel_IsInfo() => ToilLogFormat.DefaultLevel.Should().Be(LogLevel.Information);

    [Test]
    public void ToilTextLoggerProvider_DefaultLevel_WritesInfoNotDebugInToilFormat()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 7, 1, 23, 23, 13, TimeSpan.Zero));
        time.SetLocalTimeZone(TimeZoneInfo.Utc);
        using var writer = new StringWriter();
        using (var factory = LoggerFactory.Create(b => b.SetMinimumLevel(ToilLogFormat.DefaultLevel).AddProvider(new ToilTextLoggerProvider(writer, time))))
        {
            var logger = factory.CreateLogger("toil.worker");
            logger.LogInformation("shown");
            logger.LogDebug("hidden");
        }

        writer.ToString().Should().MatchRegex(@"^\[2026-07-01T23:23:13\+0000\] \[.{10,}\] \[I\] \[toil.worker\] shown\n$");
    }

    [Test]
    public void FormatLine_WorkerRecord_UsesWorkerTimeAndThreadInLeaderZone()
    {
        var record = RealtimeDatagramDecoder.Decode(
            """{"name":"toil-rt","msg":"from %s","args":["w"],"levelno":20,"levelname":"INFO","created":1782948193.5,"threadName":"MainThread"}"""u8,
            "127.0.0.1:5");
        var zone = TimeZoneInfo.CreateCustomTimeZone("minus4", TimeSpan.FromHours(-4), "minus4", "minus4");
        ToilLogFormat.FormatLine(record, zone, DateTimeOffset.UnixEpoch)
            .Should().Be("[2026-07-01T19:23:13-0400] [MainThread] [I] [toil-rt] from w");
    }
}
