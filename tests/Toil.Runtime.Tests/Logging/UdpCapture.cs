using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Toil.Runtime.Tests.Logging;

/// <summary>A raw UDP socket on 127.0.0.1 standing in for a leader, to see exactly what a worker sends.</summary>
public sealed class UdpCapture : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    public UdpCapture(int port = 0) => _socket.Bind(new IPEndPoint(IPAddress.Loopback, port));

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public string Address => $"127.0.0.1:{Port}";

    public async Task<byte[]> ReceiveAsync(TimeSpan? timeout = null)
    {
        byte[] buffer = new byte[65536];
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
        return buffer[..result.ReceivedBytes];
    }

    public async Task<JsonElement> ReceiveJsonAsync() => JsonDocument.Parse(await ReceiveAsync()).RootElement.Clone();

    /// <summary>True if nothing is pending right now (what was sent before this call has had time to arrive on loopback only if the caller waited for a later datagram).</summary>
    public bool NothingPending => _socket.Available == 0;

    public static void Send(int port, byte[] payload)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.SendTo(payload, new IPEndPoint(IPAddress.Loopback, port));
    }

    public void Dispose() => _socket.Dispose();
}
