using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Tests.Logging;

/// <summary>The worker side: what goes on the wire, and that logging never throws.</summary>
[CancelAfter(60_000)]
public sealed class RealtimeLoggerProviderTests
{
    private UdpCapture _leader = null!;

    [SetUp]
    public void SetUp() => _leader = new UdpCapture();

    [TearDown]
    public void TearDown() => _leader.Dispose();

    [Test]
    public async Task Log_InfoAtLevelInfo_SendsOneDatagramWithToilsFieldsAndRenderedMessage()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 14, 0, 0, 250, TimeSpan.Zero));
        using var provider = new RealtimeLoggerProvider(RealtimeLoggingRequest.Create("INFO", _leader.Address), new RealtimeLoggerProviderOptions { TimeProvider = time });
        time.Advance(TimeSpan.FromMilliseconds(1500));

        provider.CreateLogger("toil-rt").LogInformation("Sorting {File} of size {Size}", "f1", 42);

        JsonElement d = await _leader.ReceiveJsonAsync();
        d.GetProperty("name").GetString().Should().Be("toil-rt");
        d.GetProperty("msg").GetString().Should().Be("Sorting f1 of size 42");
        d.GetProperty("args").GetArrayLength().Should().Be(0);
        d.GetProperty("levelname").GetString().Should().Be("INFO");
        d.GetProperty("levelno").GetInt32().Should().Be(20);
        d.GetProperty("created").GetDouble().Should().Be(new DateTimeOffset(2026, 11, 25, 14, 0, 1, 750, TimeSpan.Zero).ToUnixTimeMilliseconds() / 1000.0);
        d.GetProperty("msecs").GetDouble().Should().Be(750);
        d.GetProperty("relativeCreated").GetDouble().Should().Be(1500);
        d.GetProperty("process").GetInt32().Should().Be(Environment.ProcessId);
        d.GetProperty("thread").GetInt64().Should().Be(Environment.CurrentManagedThreadId);
        d.GetProperty("threadName").GetString().Should().NotBeNullOrEmpty();
        d.GetProperty("processName").GetString().Should().NotBeNullOrEmpty();
        foreach (string nullField in new[] { "exc_info", "exc_text", "stack_info" })
        {
            d.GetProperty(nullField).ValueKind.Should().Be(JsonValueKind.Null, nullField);
        }

        provider.SentCount.Should().Be(1);
    }

    [Test]
    public async Task Log_BelowLevel_IsNotSent()
    {
        using var provider = new RealtimeLoggerProvider(RealtimeLoggingRequest.Create("warning", _leader.Address));
        var logger = provider.CreateLogger("toil-rt");
        logger.IsEnabled(LogLevel.Information).Should().BeFalse();
        logger.LogInformation("info is below warning");
        logger.LogWarning("warning passes");

        (await _leader.ReceiveJsonAsync()).GetProperty("msg").GetString().Should().Be("warning passes");
        provider.SentCount.Should().Be(1);
    }

    [Test]
    public async Task CreateLogger_ChildAndOtherCategories_OnlyToilRtAndItsChildrenAreSent()
    {
        using var provider = new RealtimeLoggerProvider(RealtimeLoggingRequest.Create("INFO", _leader.Address));
        provider.CreateLogger("Toil.Runtime.Worker").LogError("worker internals stay local");
        provider.CreateLogger("toil-rtx").LogError("not a child");
        provider.CreateLogger("toil-rt.sort").LogInformation("child of toil-rt");

        JsonElement d = await _leader.ReceiveJsonAsync();
        d.GetProperty("name").GetString().Should().Be("toil-rt.sort");
        d.GetProperty("msg").GetString().Should().Be("child of toil-rt");
        provider.SentCount.Should().Be(1);
    }

    [Test]
    public async Task Log_RecordLargerThanOneDatagram_IsCutToFitAndMarkedNotDropped()
    {
        using var provider = new RealtimeLoggerProvider(RealtimeLoggingRequest.Create("INFO", _leader.Address), new RealtimeLoggerProviderOptions { MaxDatagramSize = 1024 });
        // Non-ASCII is escaped to six bytes each: the cut must count bytes of JSON, not characters.
        string message = string.Concat(Enumerable.Repeat("naïve ✓ 😀 ", 600));

        provider.CreateLogger("toil-rt").LogInformation("{Message}", message);

        byte[] payload = await _leader.ReceiveAsync();
        payload.Length.Should().BeLessThanOrEqualTo(1024);
        string msg = JsonDocument.Parse(payload).RootElement.GetProperty("msg").GetString()!;
        msg.Should().MatchRegex(@" \[cut to fit one datagram: the record was \d+ bytes\]$");
        string kept = msg[..msg.IndexOf(" [cut to fit", StringComparison.Ordinal)];
        kept.Length.Should().BeGreaterThan(50);
        message.Should().StartWith(kept);
        Encoding.UTF8.GetByteCount(kept).Should().Be(Encoding.UTF8.GetByteCount(kept.ToCharArray()), "no surrogate pair is split");
        (provider.SentCount, provider.CutCount).Should().Be((1L, 1L));
    }

    [Test]
    public async Task Log_HugeExceptionText_CutsExceptionTextBeforeTheMessage()
    {
        using var provider = new RealtimeLoggerProvider(RealtimeLoggingRequest.Create("INFO", _leader.Address));
        var exception = new InvalidOperationException(new string('x', 100_000));

        provider.CreateLogger("toil-rt").LogError(exception, "the job failed");

        byte[] payload = await _leader.ReceiveAsync();
        payload.Length.Should().BeLessThanOrEqualTo(8192, "Toil's Python leader reads at most 8192 bytes");
        var d = JsonDocument.Parse(payload).RootElement;
        d.GetProperty("msg").GetString().Should().Be("the job failed");
        d.GetProperty("exc_text").GetString().Should().StartWith("System.InvalidOperationException: xxx").And.Contain("[cut to fit one datagram");
    }

    [Test]
    public async Task Log_ExceptionOrUnrenderableState_NeverThrowsAndStillSends()
    {
        using var provider = new RealtimeLoggerProvider(RealtimeLoggingRequest.Create("INFO", _leader.Address));
        var logger = provider.CreateLogger("toil-rt");

        FluentActions.Invoking(() => logger.Log(LogLevel.Error, default, new object(), new InvalidOperationException("boom"),
                (_, _) => throw new InvalidOperationException("formatter broke")))
            .Should().NotThrow();

        var d = await _leader.ReceiveJsonAsync();
        d.GetProperty("msg").GetString().Should().Contain("the message could not be rendered").And.Contain("formatter broke");
        d.GetProperty("exc_text").GetString().Should().Contain("boom");
    }

    [Test]
    public void Log_SendFails_NeverThrowsIntoCallerAndIsCounted()
    {
        // Sending to the broadcast address without SO_BROADCAST fails with "permission denied" at once, without DNS.
        using var provider = new RealtimeLoggerProvider(RealtimeLoggingRequest.Create("INFO", "255.255.255.255:9"));
        var logger = provider.CreateLogger("toil-rt");

        FluentActions.Invoking(() =>
        {
            logger.LogInformation("first");
            logger.LogInformation("second");
        }).Should().NotThrow();

        provider.FailedCount.Should().Be(2);
        provider.SentCount.Should().Be(0);
    }

    [Test]
    public void Log_SendFails_ReportedThroughTheEventSourceAndNothingWrittenToStandardError()
    {
        using var listener = new RealtimeLoggingListener();
        var error = new StringWriter();
        TextWriter original = Console.Error;
        Console.SetError(error);
        try
        {
            using var provider = new RealtimeLoggerProvider(RealtimeLoggingRequest.Create("INFO", "255.255.255.255:9"));
            var logger = provider.CreateLogger("toil-rt");
            logger.LogInformation("first");
            logger.LogInformation("second");
            provider.FailedCount.Should().Be(2);
        }
        finally
        {
            Console.SetError(original);
        }

        error.ToString().Should().BeEmpty("a library never writes to the console (Python's \"--- Logging error ---\")");
        var failures = listener.Events.Where(e => e.EventId == 1 && (string?)e.Payload![0] == "255.255.255.255:9").ToList();
        failures.Select(e => e.Payload![2]).Should().Equal(1L, 2L);
        failures[0].Level.Should().Be(System.Diagnostics.Tracing.EventLevel.Warning);
        failures[0].EventSource.Name.Should().Be("Toil-Runtime-RealtimeLogging");
        ((string)failures[0].Payload![1]!).Should().StartWith("SocketException: ");
    }

    [Test]
    public void Log_UnresolvableHost_NeverThrows()
    {
        using var provider = new RealtimeLoggerProvider(RealtimeLoggingRequest.Create("INFO", "no-such-host.invalid:9"));
        FluentActions.Invoking(() => provider.CreateLogger("toil-rt").LogCritical("lost")).Should().NotThrow();
        provider.FailedCount.Should().Be(1);
    }

    [Test]
    public void Log_AfterDispose_NeverThrows()
    {
        var provider = new RealtimeLoggerProvider(RealtimeLoggingRequest.Create("INFO", _leader.Address));
        var logger = provider.CreateLogger("toil-rt");
        provider.Dispose();
        FluentActions.Invoking(() => logger.LogInformation("late")).Should().NotThrow();
    }

    [Test]
    public async Task Log_ManyThreadsOnAFreshProvider_SetUpOnceAndEveryRecordSent()
    {
        using var provider = new RealtimeLoggerProvider(RealtimeLoggingRequest.Create("INFO", _leader.Address));
        var logger = provider.CreateLogger("toil-rt");
        using var start = new ManualResetEventSlim();
        var threads = Enumerable.Range(0, 16).Select(i => new Thread(() =>
        {
            start.Wait();
            logger.LogInformation("thread {I}", i);
        })).ToList();
        threads.ForEach(t => t.Start());
        start.Set();
        threads.ForEach(t => t.Join(TimeSpan.FromSeconds(30)).Should().BeTrue());

        var seen = new HashSet<string>();
        for (int i = 0; i < 16; i++)
        {
            seen.Add((await _leader.ReceiveJsonAsync()).GetProperty("msg").GetString()!);
        }

        seen.Should().BeEquivalentTo(Enumerable.Range(0, 16).Select(i => $"thread {i}"));
        (provider.SentCount, provider.FailedCount).Should().Be((16L, 0L));
    }

    [Test]
    public async Task AddToilRealtimeLogging_LevelAndAddress_RecordsGoToLeaderAndToWorkersOwnLog()
    {
        var local = new CapturingLoggerProvider();
        using var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning).AddProvider(local).AddToilRealtimeLogging(RealtimeLoggingRequest.Create("DEBUG", _leader.Address)))
            .BuildServiceProvider();
        var realtime = services.GetRequiredService<RealtimeLogger>();

        realtime.LogDebug("debug passes: the toil-rt level beats the factory's minimum");
        realtime.LogTrace("trace does not");

        (await _leader.ReceiveJsonAsync()).GetProperty("msg").GetString().Should().Be("debug passes: the toil-rt level beats the factory's minimum");
        local.Records.Select(r => (r.Category, r.Level, r.Message)).Should().Equal(("toil-rt", LogLevel.Debug, "debug passes: the toil-rt level beats the factory's minimum"));
    }

    [Test]
    public async Task RealtimeLogger_NoLevelVariable_InfoDroppedCriticalReachesLocalLogNothingSent()
    {
        var local = new CapturingLoggerProvider();
        // Scenario 8: an address without a level is ignored, as in Toil.
        var request = RealtimeLoggingRequest.FromVariables(new Dictionary<string, string> { [RealtimeLoggingRequest.AddressVariable] = _leader.Address });
        using (var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(local).AddToilRealtimeLogging(request)))
        {
            var realtime = new RealtimeLogger(factory, request);
            realtime.IsEnabled(LogLevel.Error).Should().BeFalse();
            realtime.LogInformation("dropped");
            realtime.LogCritical("kept locally");
        }

        local.Records.Select(r => r.Message).Should().Equal("kept locally");
        await AssertNothingSentAsync();
    }

    [Test]
    public async Task RealtimeLogger_LevelWithoutAddress_LogsLocallyAtThatLevelAndSendsNothing()
    {
        var local = new CapturingLoggerProvider();
        var request = RealtimeLoggingRequest.Create("WARN", null);
        using (var factory = LoggerFactory.Create(b => b.AddProvider(local).AddToilRealtimeLogging(request)))
        {
            var realtime = new RealtimeLogger(factory, request);
            realtime.LogInformation("below");
            realtime.LogWarning("at level");
        }

        local.Records.Select(r => r.Message).Should().Equal("at level");
        await AssertNothingSentAsync();
    }

    [Test]
    public void AddToilRealtimeLogging_CalledTwice_OneProviderOneRuleFirstSettingsWin()
    {
        var first = RealtimeLoggingRequest.Create("ERROR", null);
        using var services = new ServiceCollection()
            .AddLogging(b => b.AddToilRealtimeLogging(first).AddToilRealtimeLogging(RealtimeLoggingRequest.Create("DEBUG", null)))
            .BuildServiceProvider();

        services.GetServices<ILoggerProvider>().OfType<RealtimeLoggerProvider>().Should().ContainSingle();
        services.GetRequiredService<RealtimeLogger>().Request.Should().BeSameAs(first);
        services.GetRequiredService<IOptions<LoggerFilterOptions>>().Value.Rules
            .Where(r => r.CategoryName == "toil-rt").Select(r => r.LogLevel).Should().Equal(LogLevel.Error);
    }

    [Test]
    public void RealtimeLoggerProvider_InvalidOptions_ThrowsNamingTheProblem()
    {
        FluentActions.Invoking(() => new RealtimeLoggerProvider(RealtimeLoggingRequest.Disabled, new RealtimeLoggerProviderOptions { MaxDatagramSize = 70_000 }))
            .Should().Throw<ArgumentException>().WithMessage("*MaxDatagramSize must be between 1024 and 65507*");
        new RealtimeLoggerProviderOptionsValidator().Validate(null, new RealtimeLoggerProviderOptions { MaxDatagramSize = 100 }).Failed.Should().BeTrue();
    }

    /// <summary>Sends a canary straight to the capture: if the worker had sent anything, it would have arrived first.</summary>
    private async Task AssertNothingSentAsync()
    {
        UdpCapture.Send(_leader.Port, "canary"u8.ToArray());
        Encoding.UTF8.GetString(await _leader.ReceiveAsync()).Should().Be("canary");
    }
}

/// <summary>Collects the events of the real-time logging event source.</summary>
internal sealed class RealtimeLoggingListener : System.Diagnostics.Tracing.EventListener
{
    // Initialized before the base constructor, which already reports the sources that exist.
    private readonly System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Tracing.EventWrittenEventArgs> _events = new();

    public IReadOnlyList<System.Diagnostics.Tracing.EventWrittenEventArgs> Events => [.. _events];

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource eventSource)
    {
        if (eventSource.Name == "Toil-Runtime-RealtimeLogging")
        {
            EnableEvents(eventSource, System.Diagnostics.Tracing.EventLevel.Verbose);
        }
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs eventData) => _events.Enqueue(eventData);
}
