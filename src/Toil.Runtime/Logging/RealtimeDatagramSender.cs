using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Toil.Runtime.Logging;

/// <summary>
/// Sends datagrams to the leader from one lazily created, unconnected UDP socket (as Toil's handler does). Never
/// throws: a failure is counted and the first one is written to standard error, like Python's "--- Logging error ---".
/// </summary>
internal sealed class RealtimeDatagramSender : IDisposable
{
    private static readonly TimeSpan ResolveRetry = TimeSpan.FromSeconds(30);

    private readonly string _host;
    private readonly int _port;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private Socket? _socket;
    private IPEndPoint? _endPoint;
    private long _nextResolveTimestamp;
    private long _failures;
    private bool _disposed;

    public RealtimeDatagramSender(string host, int port, TimeProvider time)
    {
        _host = host;
        _port = port;
        _time = time;
    }

    public long Failures => Interlocked.Read(ref _failures);

    public bool TrySend(ReadOnlySpan<byte> payload)
    {
        try
        {
            (Socket socket, IPEndPoint endPoint) = Target();
            socket.SendTo(payload, SocketFlags.None, endPoint);
            return true;
        }
#pragma warning disable CA1031 // A logging sink must never throw into the code that logs.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Fail(ex);
            return false;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _socket?.Dispose();
            _socket = null;
        }
    }

    private (Socket Socket, IPEndPoint EndPoint) Target()
    {
        Socket? socket = Volatile.Read(ref _socket);
        IPEndPoint? endPoint = Volatile.Read(ref _endPoint);
        if (socket is not null && endPoint is not null)
        {
            return (socket, endPoint);
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_endPoint is null)
            {
                // A host that does not resolve is retried now and then, not on every record.
                long now = _time.GetTimestamp();
                if (_nextResolveTimestamp != 0 && now < _nextResolveTimestamp)
                {
                    throw new SocketException((int)SocketError.HostNotFound);
                }

                _nextResolveTimestamp = now + (long)(ResolveRetry.TotalSeconds * _time.TimestampFrequency);
                IPAddress address = IPAddress.TryParse(_host, out var literal)
                    ? literal
                    : Array.Find(Dns.GetHostAddresses(_host), a => a.AddressFamily == AddressFamily.InterNetwork)
                      ?? throw new SocketException((int)SocketError.HostNotFound);
                Volatile.Write(ref _endPoint, new IPEndPoint(address, _port));
            }

            if (_socket is null)
            {
                Volatile.Write(ref _socket, new Socket(_endPoint!.AddressFamily, SocketType.Dgram, ProtocolType.Udp));
            }

            return (_socket!, _endPoint!);
        }
    }

    private void Fail(Exception ex)
    {
        if (Interlocked.Increment(ref _failures) != 1)
        {
            return;
        }

        try
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"--- Logging error --- toil-rt: could not send a real-time log record to {_host}:{_port}: {ex.GetType().Name}: {ex.Message}. Later failures are counted, not printed."));
        }
#pragma warning disable CA1031 // Standard error may be closed; reporting must not throw either.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
