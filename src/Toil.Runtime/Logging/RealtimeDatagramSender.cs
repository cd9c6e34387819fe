using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Toil.Runtime.Logging;

/// <summary>
/// Sends datagrams to the leader from one lazily created, unconnected UDP socket (as Toil's handler does). Never
/// throws and never writes to the console: a failure is counted and reported through <see cref="RealtimeLoggingEventSource"/>
/// (Python prints "--- Logging error ---" on standard error; a library must not).
/// </summary>
internal sealed class RealtimeDatagramSender : IDisposable
{
    private static readonly TimeSpan ResolveRetry = TimeSpan.FromSeconds(30);

    private readonly string _host;
    private readonly int _port;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private Socket? _socket;
    private SocketAddress? _address;
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
            (Socket socket, SocketAddress address) = Target();
            socket.SendTo(payload, SocketFlags.None, address);
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

    private (Socket Socket, SocketAddress Address) Target()
    {
        Socket? socket = Volatile.Read(ref _socket);
        SocketAddress? address = Volatile.Read(ref _address);
        if (socket is not null && address is not null)
        {
            return (socket, address);
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_address is null)
            {
                // A host that does not resolve is retried now and then, not on every record.
                long now = _time.GetTimestamp();
                if (_nextResolveTimestamp != 0 && now < _nextResolveTimestamp)
                {
                    throw new SocketException((int)SocketError.HostNotFound);
                }

                _nextResolveTimestamp = now + (long)(ResolveRetry.TotalSeconds * _time.TimestampFrequency);
                IPAddress ip = IPAddress.TryParse(_host, out var literal)
                    ? literal
                    : Array.Find(Dns.GetHostAddresses(_host), a => a.AddressFamily == AddressFamily.InterNetwork)
                      ?? throw new SocketException((int)SocketError.HostNotFound);
                // Serialized once: sending to an EndPoint would serialize it again for every record.
                Volatile.Write(ref _address, new IPEndPoint(ip, _port).Serialize());
            }

            if (_socket is null)
            {
                Volatile.Write(ref _socket, new Socket(_address!.Family, SocketType.Dgram, ProtocolType.Udp));
            }

            return (_socket!, _address!);
        }
    }

    private void Fail(Exception ex)
    {
        long failures = Interlocked.Increment(ref _failures);
        var source = RealtimeLoggingEventSource.Log;
        if (!source.IsEnabled())
        {
            return;
        }

        try
        {
            source.SendFailed(
                string.Create(CultureInfo.InvariantCulture, $"{_host}:{_port}"),
                ex.GetType().Name + ": " + ex.Message,
                failures);
        }
#pragma warning disable CA1031 // A listener that throws must not reach the code that logs either.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
