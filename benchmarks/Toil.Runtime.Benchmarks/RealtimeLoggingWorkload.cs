using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Benchmarks;

/// <summary>
/// Real-time logging throughput on loopback: one worker-side provider sends records to a leader-side server as fast
/// as it can (and then paced), and the workload reports records per second and the fraction that arrived. The floor is
/// raw UDP: the same number of datagrams of the same size sent from one socket to a socket that only counts them.
/// Arguments: <c>[records]</c> (default 100000, at most 2000000). Bounded in count and time.
/// </summary>
public sealed class RealtimeLoggingWorkload : IWorkload
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    /// <inheritdoc />
    public string Name => "rt-logging";

    /// <inheritdoc />
    public string Description => "records/s from one sender to the real-time logging server on loopback, fraction delivered, vs raw UDP";

    /// <inheritdoc />
    public async Task<int> RunAsync(string[] args)
    {
        int records = args.Length > 0 ? Math.Clamp(int.Parse(args[0], CultureInfo.InvariantCulture), 1000, 2_000_000) : 100_000;
        string padding = new('p', 120);

        var counter = new CountingProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddFilter(RealtimeLogger.CategoryName, LogLevel.Trace).AddProvider(counter));
        // No per-sender rate limit: this measures how fast one sender can go.
        await using var server = new RealtimeLoggingServer(Options.Create(new RealtimeLoggingServerOptions { SenderRecordsPerSecond = 0 }), factory);
        server.Start();
        var request = RealtimeLoggingRequest.FromVariables(server.EnvironmentVariables);
        using var provider = new RealtimeLoggerProvider(request);
        var logger = provider.CreateLogger(RealtimeLogger.CategoryName);
        logger.LogInformation("warm-up {I} {Padding}", -1, padding);
        await WaitForQuietAsync(() => counter.Count, 1);

        // Unpaced: as fast as one thread can log.
        long before = counter.Count;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < records && sw.Elapsed < Bound; i++)
        {
            logger.LogInformation("record {I} of the benchmark {Padding}", i, padding);
        }

        double sendSeconds = sw.Elapsed.TotalSeconds;
        long sent = provider.SentCount - 1;
        await WaitForQuietAsync(() => counter.Count, before + sent);
        long delivered = counter.Count - before;
        int datagramSize = EncodedSize(padding);

        // Paced at half the unpaced rate, which a leader should be able to keep up with.
        double pacedRate = sent / sendSeconds / 2;
        int pacedRecords = (int)Math.Min(records, pacedRate * 5);
        before = counter.Count;
        long pacedSentBefore = provider.SentCount;
        sw.Restart();
        for (int i = 0; i < pacedRecords && sw.Elapsed < Bound; i++)
        {
            while (sw.Elapsed.TotalSeconds < i / pacedRate)
            {
                Thread.SpinWait(50);
            }

            logger.LogInformation("record {I} of the benchmark {Padding}", i, padding);
        }

        long pacedSent = provider.SentCount - pacedSentBefore;
        await WaitForQuietAsync(() => counter.Count, before + pacedSent);
        long pacedDelivered = counter.Count - before;

        // The sender alone: the same provider sending to a socket that only counts (no decoding, no re-emission).
        using var sink = new CountingSocket();
        using var alone = new RealtimeLoggerProvider(RealtimeLoggingRequest.Create("INFO", $"127.0.0.1:{sink.Port}"));
        var aloneLogger = alone.CreateLogger(RealtimeLogger.CategoryName);
        sw.Restart();
        for (int i = 0; i < records && sw.Elapsed < Bound; i++)
        {
            aloneLogger.LogInformation("record {I} of the benchmark {Padding}", i, padding);
        }

        double aloneRate = alone.SentCount / sw.Elapsed.TotalSeconds;
        await WaitForQuietAsync(() => sink.Count, alone.SentCount);
        long aloneDelivered = sink.Count;

        var (rawRate, rawDelivered) = await RawUdpFloorAsync(records, datagramSize);

        double rate = sent / sendSeconds;
        Console.WriteLine($"records                      {sent}  (datagram {datagramSize} bytes)");
        Console.WriteLine($"sender, unpaced              {rate,12:N0} records/s   delivered {100.0 * delivered / sent,6:F2} %");
        Console.WriteLine($"sender, paced at {pacedRate,9:N0}/s  delivered {100.0 * pacedDelivered / Math.Max(1, pacedSent),6:F2} % of {pacedSent}");
        Console.WriteLine($"sender alone (counting sink) {aloneRate,12:N0} records/s   delivered {100.0 * aloneDelivered / Math.Max(1, alone.SentCount),6:F2} %");
        Console.WriteLine($"floor: raw UDP sendto        {rawRate,12:N0} datagrams/s delivered {100.0 * rawDelivered / records,6:F2} %");
        Console.WriteLine($"ratio to server / raw UDP    {rate / rawRate,12:F3}");
        Console.WriteLine($"ratio sender alone / raw UDP {aloneRate / rawRate,12:F3}");
        Console.WriteLine($"send failures {provider.FailedCount}, malformed at server {server.MalformedCount}");
        await server.StopAsync();
        return provider.FailedCount == 0 && server.MalformedCount == 0 ? 0 : 1;
    }

    private static int EncodedSize(string padding)
    {
        var d = new OutgoingDatagram { Msg = $"record 99999 of the benchmark {padding}", LevelName = "INFO", LevelNo = 20, Created = 1.7e9, ThreadName = "Thread-1", ProcessName = "Toil.Runtime.Benchmarks", Process = 12345 };
        return RealtimeDatagramEncoder.Encode(d, 65507, out _)!.Length;
    }

    private static async Task<(double Rate, long Delivered)> RawUdpFloorAsync(int count, int size)
    {
        using var sink = new CountingSocket();
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        byte[] payload = new byte[size];
        SocketAddress target = new IPEndPoint(IPAddress.Loopback, sink.Port).Serialize();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < count && sw.Elapsed < Bound; i++)
        {
            sender.SendTo(payload, SocketFlags.None, target);
        }

        double rate = count / sw.Elapsed.TotalSeconds;
        await WaitForQuietAsync(() => sink.Count, count);
        return (rate, sink.Count);
    }

    private static async Task WaitForQuietAsync(Func<long> count, long expected)
    {
        var deadline = Stopwatch.StartNew();
        long last = -1;
        var sinceChange = Stopwatch.StartNew();
        while (count() < expected && deadline.Elapsed < Bound && sinceChange.Elapsed < Quiet)
        {
            long now = count();
            if (now != last)
            {
                last = now;
                sinceChange.Restart();
            }

            await Task.Delay(10);
        }
    }

    /// <summary>A loopback UDP socket whose thread only counts datagrams.</summary>
    private sealed class CountingSocket : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly Thread _thread;
        private long _count;

        public CountingSocket()
        {
            _socket.ReceiveBufferSize = 4 * 1024 * 1024;
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _socket.ReceiveTimeout = 200;
            _thread = new Thread(Run) { IsBackground = true };
            _thread.Start();
        }

        public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

        public long Count => Interlocked.Read(ref _count);

        public void Dispose()
        {
            _socket.Dispose();
            _thread.Join(TimeSpan.FromSeconds(5));
        }

        private void Run()
        {
            byte[] buffer = new byte[65536];
            var from = new SocketAddress(AddressFamily.InterNetwork);
            while (true)
            {
                try
                {
                    _socket.ReceiveFrom(buffer, SocketFlags.None, from);
                    Interlocked.Increment(ref _count);
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TimedOut)
                {
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    return;
                }
            }
        }
    }

    private sealed class CountingProvider : ILoggerProvider
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public ILogger CreateLogger(string categoryName) => new Counter(this, categoryName == RealtimeLogger.CategoryName);

        public void Dispose()
        {
        }

        private sealed class Counter(CountingProvider owner, bool counts) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => counts;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (counts)
                {
                    Interlocked.Increment(ref owner._count);
                }
            }
        }
    }
}
