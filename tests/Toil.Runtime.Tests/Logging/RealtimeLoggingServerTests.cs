using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Tests.Logging;

/// <summary>The leader side. UDP on 127.0.0.1 only.</summary>
[CancelAfter(120_000)]
[NonParallelizable]
public sealed class RealtimeLoggingServerTests
{
    private const string ServerCategory = "Toil.Runtime.Logging.RealtimeLoggingServer";

    private readonly List<IDisposable> _disposables = [];
    private CapturingLoggerProvider _leaderLog = null!;

    [SetUp]
    public void SetUp() => _leaderLog = new CapturingLoggerProvider();

    [TearDown]
    public void TearDown()
    {
        foreach (var d in Enumerable.Reverse(_disposables))
        {
            d.Dispose();
        }

        _disposables.Clear();
        _leaderLog.Dispose();
        foreach (var key in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("TOIL_RT_LOGGING_", StringComparison.Ordinal)).ToList())
        {
            Environment.SetEnvironmentVariable(key, null);
        }
    }

    [Test]
    public void Start_LevelInfo_BindsAnEphemeralLoopbackPortAndPublishesBothVariables()
    {
        var server = NewServer();
        server.EnvironmentVariables.Should().BeEmpty("nothing is published before the start");

        server.Start();

        int port = server.LocalEndPoint!.Port;
        port.Should().BeGreaterThan(0);
        server.LocalEndPoint.Address.Should().Be(IPAddress.Loopback);
        server.EnvironmentVariables.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["TOIL_RT_LOGGING_ADDRESS"] = $"127.0.0.1:{port}",
            ["TOIL_RT_LOGGING_LEVEL"] = "INFO",
        });
        Environment.GetEnvironmentVariable("TOIL_RT_LOGGING_ADDRESS").Should().BeNull("the process environment is only set on request");
        _leaderLog.In(ServerCategory).Should().Contain(r => r.Level == LogLevel.Information && r.Message.Contains($"127.0.0.1:{port}"));
    }

    [Test]
    public async Task Start_IdleForLongerThanTheReceiveTimeout_LogsNothingAndStillServes()
    {
        var server = NewServer();
        server.Start();

        // The listener wakes every 0.5 s to check for a stop; idling through a few wake-ups must stay silent.
        await Task.Delay(TimeSpan.FromSeconds(1.6));
        UdpCapture.Send(server.LocalEndPoint!.Port, Encoding.UTF8.GetBytes("""{"msg":"after idling","levelno":20}"""));

        await _leaderLog.WaitForAsync(r => r.Any(x => x.Message == "after idling"));
        _leaderLog.In(ServerCategory).Should().NotContain(r => r.Level >= LogLevel.Warning);
    }

    [Test]
    public void ApplyTo_JobEnvironment_ReplacesStaleRealtimeVariablesAndKeepsTheRest()
    {
        var server = NewServer();
        server.Start();
        var job = new Dictionary<string, string> { ["TMPDIR"] = "/var/tmp", ["TOIL_RT_LOGGING_STALE"] = "x", ["TOIL_RT_LOGGING_ADDRESS"] = "old:1" };

        server.ApplyTo(job);

        job.Should().BeEquivalentTo(new Dictionary<string, string>(server.EnvironmentVariables) { ["TMPDIR"] = "/var/tmp" });
        var psi = new ProcessStartInfo("true");
        server.ApplyTo(psi);
        psi.Environment["TOIL_RT_LOGGING_LEVEL"].Should().Be("INFO");
        RealtimeLoggingServer.RemoveFrom(job);
        job.Keys.Should().Equal("TMPDIR");
    }

    [Test]
    public async Task StartStop_SetProcessEnvironment_SetsVariablesThenRemovesEveryToilRtVariable()
    {
        var server = NewServer(o => o.SetProcessEnvironment = true);
        Environment.SetEnvironmentVariable("TOIL_RT_LOGGING_EXTRA", "left by someone");

        server.Start();
        Environment.GetEnvironmentVariable("TOIL_RT_LOGGING_ADDRESS").Should().Be(server.EnvironmentVariables["TOIL_RT_LOGGING_ADDRESS"]);
        Environment.GetEnvironmentVariable("TOIL_RT_LOGGING_LEVEL").Should().Be("INFO");
        RealtimeLoggingRequest.FromEnvironment().SendsRecords.Should().BeTrue("a worker started from this process inherits them");

        await server.StopAsync();

        Environment.GetEnvironmentVariables().Keys.Cast<string>().Should().NotContain(k => k.StartsWith("TOIL_RT_LOGGING_", StringComparison.Ordinal));
        server.EnvironmentVariables.Should().BeEmpty();
    }

    [TestCase(null)]
    [TestCase("")]
    public async Task Start_NoLevel_StartsNothingPublishesNothingAndStopSucceeds(string? level)
    {
        var server = NewServer(o => o.Level = level);

        server.Start();

        server.LocalEndPoint.Should().BeNull();
        server.EnvironmentVariables.Should().BeEmpty();
        server.StartCount.Should().Be(1);
        await server.Invoking(s => s.StopAsync()).Should().NotThrowAsync();
        server.StartCount.Should().Be(0);
    }

    [Test]
    public async Task Start_Off_ServerRunsAndWorkersLogCriticalOnly()
    {
        var server = NewServer(o => o.Level = "OFF");
        server.Start();
        server.EnvironmentVariables["TOIL_RT_LOGGING_LEVEL"].Should().Be("OFF");

        var (realtime, provider) = Worker(server);
        realtime.Request.MinimumLevel.Should().Be(LogLevel.Critical);
        realtime.LogError("error is below OFF");
        realtime.LogCritical("critical passes OFF");

        await _leaderLog.WaitForAsync(r => r.Any(x => x.Message == "critical passes OFF"));
        _leaderLog.In("toil-rt").Select(r => r.Message).Should().Equal("critical passes OFF");
        provider.SentCount.Should().Be(1);
    }

    [Test]
    public async Task StopAsync_LastStop_WithdrawsVariablesClosesSocketAndLaterDatagramsAreNotReemitted()
    {
        var server = NewServer();
        server.Start();
        int port = server.LocalEndPoint!.Port;

        await server.StopAsync();

        server.EnvironmentVariables.Should().BeEmpty();
        server.LocalEndPoint.Should().BeNull();
        _leaderLog.In(ServerCategory).Should().Contain(r => r.Message.StartsWith("Stopping real-time logging server", StringComparison.Ordinal));
        // The port is free again: the listener's socket is closed, so a datagram sent there can only reach the new owner.
        using var successor = new UdpCapture(port);
        UdpCapture.Send(port, Encoding.UTF8.GetBytes("""{"msg":"after stop","levelno":20}"""));
        Encoding.UTF8.GetString(await successor.ReceiveAsync()).Should().Contain("after stop");
        _leaderLog.In("toil-rt").Should().BeEmpty();
        server.ReceivedCount.Should().Be(0);
    }

    [Test]
    public async Task StopAsync_WithoutStart_ThrowsInvalidOperation()
    {
        var server = NewServer();
        await server.Invoking(s => s.StopAsync()).Should().ThrowAsync<InvalidOperationException>().WithMessage("*never started*");
    }

    [Test]
    public async Task Start_Nested_WarnsAndCountsSoTheInnerStopKeepsServing()
    {
        var server = NewServer();
        server.Start();
        var variables = server.EnvironmentVariables;
        server.Start();
        _leaderLog.In(ServerCategory).Should().ContainSingle(r => r.Level == LogLevel.Warning && r.Message.StartsWith("Ignoring nested request to start real-time logging", StringComparison.Ordinal));
        server.EnvironmentVariables.Should().BeSameAs(variables, "a nested start changes nothing");

        await server.StopAsync();

        // Toil tears the server down here and fails at the outer stop; we keep serving until the outer stop.
        server.EnvironmentVariables.Should().BeEquivalentTo(variables);
        var (realtime, _) = Worker(server);
        realtime.LogInformation("still served after the inner stop");
        await _leaderLog.WaitForAsync(r => r.Any(x => x.Message == "still served after the inner stop"));

        await server.StopAsync();
        server.LocalEndPoint.Should().BeNull();
        await server.Invoking(s => s.StopAsync()).Should().ThrowAsync<InvalidOperationException>();
    }

    [Test]
    public async Task EndToEnd_JobLogsInfoAndDebugAtLevelInfo_LeaderSeesTheInfoRecordOnly()
    {
        var server = NewServer();
        server.Start();
        var (realtime, _) = Worker(server);

        realtime.LogInformation("This should be logged at info level");
        realtime.LogDebug("This should be logged at debug level");
        realtime.LogInformation("end of job");

        await _leaderLog.WaitForAsync(r => r.Any(x => x.Message == "end of job"));
        var received = _leaderLog.In("toil-rt");
        received.Select(r => r.Message).Should().Equal("This should be logged at info level", "end of job");
        received[0].Level.Should().Be(LogLevel.Information);
        var record = received[0].State.Should().BeOfType<RealtimeLogRecord>().Subject;
        record.Name.Should().Be("toil-rt");
        record.Message.Should().Be("This should be logged at info level");
        record.Created.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        record.ProcessId.Should().Be(Environment.ProcessId);
        record.Sender.Should().StartWith("127.0.0.1:");
    }

    [Test]
    public async Task EndToEnd_LeaderLevelInTitleCase_WorkerAcceptsItAndDebugArrives()
    {
        var server = NewServer(o => o.Level = "Debug");
        server.Start();
        server.EnvironmentVariables["TOIL_RT_LOGGING_LEVEL"].Should().Be("Debug", "the level is passed verbatim");
        var (realtime, _) = Worker(server);

        realtime.LogDebug("debug from the worker");

        var seen = await _leaderLog.WaitForAsync(r => r.Any(x => x.Message == "debug from the worker"));
        seen.Single(x => x.Message == "debug from the worker").Level.Should().Be(LogLevel.Debug);
    }

    [Test]
    public async Task Reemit_IgnoresLeadersLevelButRespectsAProvidersOwnRule()
    {
        var strict = new StrictCapturingLoggerProvider();
        var server = NewServer(leader: b => b.AddProvider(strict).AddFilter<StrictCapturingLoggerProvider>(null, LogLevel.Warning));
        server.Start();
        var (realtime, _) = Worker(server, level: "DEBUG");

        realtime.LogDebug("debug sent by a DEBUG worker");
        realtime.LogWarning("warning sent by a DEBUG worker");

        await _leaderLog.WaitForAsync(r => r.Count(x => x.Category == "toil-rt") == 2);
        _leaderLog.In("toil-rt").Select(r => r.Level).Should().Equal(LogLevel.Debug, LogLevel.Warning);
        await strict.WaitForAsync(r => r.Any(x => x.Category == "toil-rt"));
        strict.In("toil-rt").Select(r => r.Message).Should().Equal("warning sent by a DEBUG worker");
        _leaderLog.In(ServerCategory).Should().NotContain(r => r.Level == LogLevel.Debug, "the leader's own level still applies to everything else");
    }

    [Test]
    public async Task Reemit_ToilPythonDatagrams_RenderedAtTheirLevelsWithWorkerTimestamps()
    {
        var server = NewServer();
        server.Start();
        string[] lines = await File.ReadAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "Logging", "Fixtures", "toil-rt-datagrams.jsonl"));
        foreach (string line in lines)
        {
            UdpCapture.Send(server.LocalEndPoint!.Port, Encoding.UTF8.GetBytes(line));
        }

        var seen = await _leaderLog.WaitForAsync(r => r.Count(x => x.Category == "toil-rt") == 4);
        seen.Where(x => x.Category == "toil-rt").Select(x => (x.Level, x.Message)).Should().BeEquivalentTo(new[]
        {
            (LogLevel.Information, "interop x 3"),
            (LogLevel.Debug, "hidden debug"),
            (LogLevel.Warning, "mapping v"),
            (LogLevel.Error, "unicode: naïve ✓"),
        });
        var first = (RealtimeLogRecord)seen.First(x => x.Message == "interop x 3").State!;
        first.Created.Should().Be(DateTimeOffset.UnixEpoch.AddTicks((long)(1795547040.5914798 * TimeSpan.TicksPerSecond)));
        (first.ThreadName, first.ProcessId, first.LevelName).Should().Be(("MainThread", 19693L, "INFO"));
    }

    [Test]
    public async Task Reemit_PythonDatagramWithStackInfo_TextIsWhatPythonsFormatterPrintsAndStateCarriesTheStack()
    {
        // Captured from Python 3.11 by Python/toil_rt_stack_sender.py (the script's directory removed from the paths).
        using var fixture = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Logging", "Fixtures", "toil-rt-stack-info.json")));
        string datagram = fixture.RootElement.GetProperty("datagram").GetString()!;
        string python = fixture.RootElement.GetProperty("message").GetString()!;
        string stack = JsonDocument.Parse(datagram).RootElement.GetProperty("stack_info").GetString()!;
        var server = NewServer();
        server.Start();

        UdpCapture.Send(server.LocalEndPoint!.Port, Encoding.UTF8.GetBytes(datagram));

        var seen = await _leaderLog.WaitForAsync(r => r.Any(x => x.Category == "toil-rt"));
        var log = seen.Single(x => x.Category == "toil-rt");
        var record = (RealtimeLogRecord)log.State!;
        python.Should().StartWith("sorting f1\nStack (most recent call last):\n");
        record.RawText.Should().Be(python);
        log.Message.Should().Be(TerminalText.Escape(python));
        (record.Message, record.ExceptionText, record.StackInfo).Should().Be(("sorting f1", null, stack));
        record.Should().Contain(new KeyValuePair<string, object?>("StackInfo", stack));
    }

    [TestCase("m", null, null, "m")]
    [TestCase("m", "", "", "m")]
    [TestCase("m", "E", null, "m\nE")]
    [TestCase("m", null, "S", "m\nS")]
    [TestCase("m", "E", "S", "m\nE\nS")]
    [TestCase("m\n", "E\n", "S", "m\nE\nS")]
    [TestCase("", "E", null, "\nE")]
    public void ToString_MessageExceptionTextAndStack_InPythonsFormatterOrder(string message, string? exceptionText, string? stackInfo, string expected)
    {
        var record = new RealtimeLogRecord("toil-rt", 20, "INFO", message, exceptionText, stackInfo, null, null, null, "127.0.0.1:1");

        record.RawText.Should().Be(expected);
        record.ToString().Should().Be(TerminalText.Escape(expected));
    }

    [TestCase("not json at all", "not valid JSON")]
    [TestCase("[1, 2]", "not a JSON object")]
    [TestCase("null", "not a JSON object")]
    [TestCase("\"a string\"", "not a JSON object")]
    [TestCase("{\"name\": \"toil-rt\", \"msg\": \"no level\"}", "no level")]
    [TestCase("{\"msg\": \"x\", \"levelno\": \"high\"}", "levelno is not a number")]
    [TestCase("{\"name\": \"toil-rt\", \"msg\": \"Sorting %s of size %d\", \"args\": [\"f1\", 4", "not valid JSON")]
    [TestCase("", "not valid JSON")]
    public async Task Receive_MalformedDatagram_OneErrorNamingTheSenderAndServerKeepsServing(string payload, string reason)
    {
        await AssertMalformedAsync(Encoding.UTF8.GetBytes(payload), reason);
    }

    [Test]
    public async Task Receive_InvalidUtf8_OneErrorAndServerKeepsServing()
    {
        await AssertMalformedAsync([(byte)'{', (byte)'"', (byte)'m', (byte)'s', (byte)'g', (byte)'"', (byte)':', (byte)'"', 0xff, 0xfe, (byte)'"', (byte)'}'], "not valid UTF-8");
    }

    [Test]
    public async Task Receive_RecordCutShortBeyondToilsBuffer_OneErrorAndServerKeepsServing()
    {
        // What Toil's leader sees of a 20 kB record: its first 8192 bytes.
        byte[] whole = Encoding.UTF8.GetBytes("{\"name\":\"toil-rt\",\"levelno\":20,\"msg\":\"" + new string('x', 20_000) + "\"}");
        await AssertMalformedAsync(whole[..8192], "not valid JSON");
    }

    [Test]
    public async Task Receive_SenderInventingLoggerNames_ExtraNamesGoToToilRtWithTheirNameKept()
    {
        var server = NewServer();
        server.Start();
        int port = server.LocalEndPoint!.Port;
        int names = RealtimeLoggingServer.MaxLoggerNames + 5;
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        for (int i = 0; i < names; i++)
        {
            sender.SendTo(Encoding.UTF8.GetBytes($$"""{"name":"toil-rt.n{{i}}","msg":"m{{i}}","levelno":20}"""), new IPEndPoint(IPAddress.Loopback, port));
            if (i % 100 == 99)
            {
                // Paced, so the kernel's receive buffer never overflows and every record is observed.
                int expected = i + 1;
                await _leaderLog.WaitForAsync(r => r.Count(x => x.Message.StartsWith('m')) >= expected);
            }
        }

        var seen = await _leaderLog.WaitForAsync(r => r.Count(x => x.Message.StartsWith('m')) == names);
        var records = seen.Where(x => x.Message.StartsWith('m')).ToList();
        records.Select(x => x.Category).Distinct().Count().Should().Be(RealtimeLoggingServer.MaxLoggerNames + 1, "the cap plus toil-rt");
        records.Where(x => x.Category == "toil-rt").Select(x => ((RealtimeLogRecord)x.State!).Name).Should().HaveCount(5).And.OnlyContain(n => n.StartsWith("toil-rt.n", StringComparison.Ordinal));
    }

    [Test]
    public async Task Receive_ArgumentsPythonCannotFormat_KeepsTheTextAndSaysWhy()
    {
        var server = NewServer();
        server.Start();

        UdpCapture.Send(server.LocalEndPoint!.Port, Encoding.UTF8.GetBytes("""{"name":"toil-rt","msg":"%d items","args":["many"],"levelno":30}"""));

        var seen = await _leaderLog.WaitForAsync(r => r.Any(x => x.Category == "toil-rt"));
        seen.Single(x => x.Category == "toil-rt").Message.Should().Be("%d items [args: ['many']; not rendered: %d format: a real number is required, not str]");
        server.MalformedCount.Should().Be(0);
    }

    [Test]
    public async Task Receive_FiftySendersTimesHundredRecords_NoCrashAndEveryRecordWholeOrDropped()
    {
        const int Senders = 50;
        const int Records = 100;
        var server = NewServer();
        server.Start();
        var request = RealtimeLoggingRequest.FromVariables(server.EnvironmentVariables);
        var providers = Enumerable.Range(0, Senders).Select(_ => new RealtimeLoggerProvider(request)).ToList();
        providers.ForEach(_disposables.Add);
        string padding = new('p', 300);

        await Task.WhenAll(providers.Select((p, s) => Task.Run(() =>
        {
            var logger = p.CreateLogger("toil-rt");
            for (int r = 0; r < Records; r++)
            {
                logger.LogInformation("sender {Sender} record {Record} {Padding}", s, r, padding);
            }
        })));

        providers.Sum(p => p.SentCount).Should().Be(Senders * Records);
        await WaitForQuietAsync(server, Senders * Records);
        var expected = Enumerable.Range(0, Senders).SelectMany(s => Enumerable.Range(0, Records).Select(r => $"sender {s} record {r} {padding}")).ToHashSet();
        var received = _leaderLog.In("toil-rt").Select(x => x.Message).ToList();
        received.Should().OnlyContain(m => expected.Contains(m), "a record arrives whole or not at all");
        received.Should().OnlyHaveUniqueItems();
        received.Count.Should().BeGreaterThan(0);
        server.MalformedCount.Should().Be(0);
        TestContext.Out.WriteLine($"delivered {received.Count} of {Senders * Records}");

        // Still serving.
        providers[0].CreateLogger("toil-rt").LogInformation("after the storm");
        await _leaderLog.WaitForAsync(r => r.Any(x => x.Message == "after the storm"));
    }

    [Test]
    public void Constructor_InvalidOptions_ThrowsNamingEveryProblem()
    {
        var options = Options.Create(new RealtimeLoggingServerOptions { Level = "false", BindAddress = "::1", Port = 70_000, AdvertisedHost = "a:b", StopTimeout = TimeSpan.Zero });
        FluentActions.Invoking(() => new RealtimeLoggingServer(options, _leaderLog.Factory()))
            .Should().Throw<ArgumentException>()
            .WithMessage("*Port must be between 0 and 65535*Unknown level: 'FALSE'*BindAddress must be an IPv4 address*AdvertisedHost*StopTimeout*");
    }

    [Test]
    public void AddToilRealtimeLoggingServer_InvalidOptions_FailsValidationWhenResolved()
    {
        using var services = new ServiceCollection().AddLogging().AddToilRealtimeLoggingServer(o => o.Level = "LOUD").BuildServiceProvider();
        FluentActions.Invoking(() => services.GetRequiredService<RealtimeLoggingServer>())
            .Should().Throw<OptionsValidationException>().WithMessage("*Unknown level: 'LOUD'*");
    }

    [Test]
    public void Start_AdvertisedHostGiven_IsUsedInTheAddressVariable()
    {
        var server = NewServer(o => o.AdvertisedHost = "leader.example.org");
        server.Start();
        server.EnvironmentVariables["TOIL_RT_LOGGING_ADDRESS"].Should().Be($"leader.example.org:{server.LocalEndPoint!.Port}");
    }

    [Test]
    public void RoutableAddress_Find_GivesAConcreteIPv4Address()
    {
        // What a server bound to 0.0.0.0 advertises; found through the routing table, without binding anything.
        var address = RoutableAddress.Find();
        address.AddressFamily.Should().Be(AddressFamily.InterNetwork);
        address.Should().NotBe(IPAddress.Any);
    }

    [Test]
    public async Task DisposeAsync_StartedTwice_StopsEverything()
    {
        var server = NewServer();
        server.Start();
        server.Start();
        int port = server.LocalEndPoint!.Port;

        await server.DisposeAsync();

        server.LocalEndPoint.Should().BeNull();
        using var rebound = new UdpCapture(port);
        FluentActions.Invoking(server.Start).Should().Throw<ObjectDisposedException>();
    }

    private async Task AssertMalformedAsync(byte[] payload, string reason)
    {
        var server = NewServer();
        server.Start();
        int port = server.LocalEndPoint!.Port;
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        string senderName = sender.LocalEndPoint!.ToString()!;

        sender.SendTo(payload, new IPEndPoint(IPAddress.Loopback, port));
        sender.SendTo(Encoding.UTF8.GetBytes("""{"name":"toil-rt","msg":"valid after malformed","args":[],"levelno":20}"""), new IPEndPoint(IPAddress.Loopback, port));

        await _leaderLog.WaitForAsync(r => r.Any(x => x.Message == "valid after malformed"));
        var errors = _leaderLog.In(ServerCategory).Where(r => r.Level == LogLevel.Error).ToList();
        errors.Should().ContainSingle().Which.Message.Should().StartWith($"Malformed log message from {senderName}: ").And.Contain(reason);
        server.MalformedCount.Should().Be(1);
    }

    private static async Task WaitForQuietAsync(RealtimeLoggingServer server, long expected)
    {
        // Delivery over UDP may drop datagrams under load: wait until all arrived or none has for two seconds.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        long last = -1;
        var lastChange = DateTime.UtcNow;
        while (server.ReceivedCount < expected && DateTime.UtcNow < deadline && DateTime.UtcNow - lastChange < TimeSpan.FromSeconds(2))
        {
            long now = server.ReceivedCount;
            if (now != last)
            {
                last = now;
                lastChange = DateTime.UtcNow;
            }

            await Task.Delay(20);
        }
    }

    private (RealtimeLogger Logger, RealtimeLoggerProvider Provider) Worker(RealtimeLoggingServer server, string? level = null)
    {
        var variables = new Dictionary<string, string>(server.EnvironmentVariables);
        if (level is not null)
        {
            variables[RealtimeLoggingRequest.LevelVariable] = level;
        }

        var services = new ServiceCollection()
            .AddLogging(b => b.AddToilRealtimeLogging(RealtimeLoggingRequest.FromVariables(variables)))
            .BuildServiceProvider();
        _disposables.Add(services);
        return (services.GetRequiredService<RealtimeLogger>(), services.GetServices<ILoggerProvider>().OfType<RealtimeLoggerProvider>().Single());
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
