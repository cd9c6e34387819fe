using System.Net;
using System.Net.Sockets;

namespace Toil.Runtime.Logging;

/// <summary>The IPv4 address of the interface that routes off this host (Toil's <c>get_public_ip</c>).</summary>
internal static class RoutableAddress
{
    // TEST-NET-3 (RFC 5737): never routed to a real host; "connecting" a UDP socket only asks the routing table.
    private static readonly IPAddress Probe = IPAddress.Parse("203.0.113.1");

    public static IPAddress Find()
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(Probe, 9);
            return socket.LocalEndPoint is IPEndPoint { Address: var address } && !address.Equals(IPAddress.Any) ? address : IPAddress.Loopback;
        }
        catch (SocketException)
        {
            return IPAddress.Loopback;
        }
    }
}
