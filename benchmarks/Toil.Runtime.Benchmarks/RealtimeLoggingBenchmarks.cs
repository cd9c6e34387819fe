using System.Text;
using BenchmarkDotNet.Attributes;
using Toil.Runtime.Logging;

namespace Toil.Runtime.Benchmarks;

/// <summary>The per-record costs of real-time logging: encoding on the worker, decoding and rendering on the leader.</summary>
[MemoryDiagnoser]
public class RealtimeLoggingBenchmarks
{
    private readonly byte[] _ours = RealtimeDatagramEncoder.Encode(Sample(), 8192, out _)!;

    private readonly byte[] _python = Encoding.UTF8.GetBytes(
        """{"name": "toil-rt", "msg": "Sorting %s of size %d", "args": ["f1", 42], "levelname": "INFO", "levelno": 20, "pathname": "job.py", "filename": "job.py", "module": "job", "exc_info": null, "exc_text": null, "stack_info": null, "lineno": 8, "funcName": "<module>", "created": 1795547040.5914798, "msecs": 591.0, "relativeCreated": 207.95655250549316, "thread": 140065828127424, "threadName": "MainThread", "processName": "MainProcess", "process": 19693}""");

    private readonly byte[] _hostile = RealtimeDatagramEncoder.Encode(new OutgoingDatagram
    {
        Msg = string.Concat(Enumerable.Repeat("done\u001b]0;t\u0007\u001b[2J\rINFO toil.leader: fake\n", 4)),
        LevelName = "INFO",
        LevelNo = 20,
    }, 8192, out _)!;

    private readonly SenderRateLimiter _limiter = new(1e6, 1_000_000, TimeProvider.System);

    /// <summary>Serializes one record of ~150 characters.</summary>
    [Benchmark]
    public int Encode() => RealtimeDatagramEncoder.Encode(Sample(), 8192, out _)!.Length;

    /// <summary>Decodes one of our datagrams (no %-arguments).</summary>
    [Benchmark]
    public string DecodeOurs() => RealtimeDatagramDecoder.Decode(_ours, "127.0.0.1:1").Message;

    /// <summary>Decodes a Python sender's datagram and renders its %-arguments.</summary>
    [Benchmark]
    public string DecodePython() => RealtimeDatagramDecoder.Decode(_python, "127.0.0.1:1").Message;

    /// <summary>The text the leader prints for one of our datagrams (escaping finds nothing to escape).</summary>
    [Benchmark]
    public string RenderOurs() => RealtimeDatagramDecoder.Decode(_ours, "127.0.0.1:1").ToString();

    /// <summary>The text the leader prints for a datagram full of terminal sequences and forged lines.</summary>
    [Benchmark]
    public string RenderHostile() => RealtimeDatagramDecoder.Decode(_hostile, "127.0.0.1:1").ToString();

    /// <summary>The per-datagram cost of the per-sender rate limit.</summary>
    [Benchmark]
    public bool RateLimit() => _limiter.TryAcquire("127.0.0.1:40000");

    private static OutgoingDatagram Sample() => new()
    {
        Msg = "record 12345 of the benchmark " + new string('p', 120),
        LevelName = "INFO",
        LevelNo = 20,
        Created = 1795547040.5914798,
        ThreadName = "Thread-1",
        ProcessName = "Toil.Runtime.Benchmarks",
        Process = 12345,
    };
}
