using System.Net;
using System.Net.Sockets;

namespace OneStopPi.Snmp.Transport;

/// <summary>
/// A target's socket address as the socket sees it (IPv4 mapped into IPv6 on a dual-mode socket),
/// compared against each datagram's source without building an <see cref="EndPoint"/> per packet.
/// </summary>
internal sealed class SocketAddressKey
{
    private readonly IPEndPoint _endPoint;

    public SocketAddressKey(IPEndPoint target, AddressFamily socketFamily)
    {
        _endPoint = socketFamily == AddressFamily.InterNetworkV6 && target.AddressFamily == AddressFamily.InterNetwork
            ? new IPEndPoint(target.Address.MapToIPv6(), target.Port)
            : target;
        Address = _endPoint.Serialize();
    }

    public SocketAddress Address { get; }

    public bool Matches(SocketAddress received)
    {
        if (received.Equals(Address))
        {
            return true;
        }

        // Slow path for a byte-level difference that is not an address difference (flow info, size).
        var endPoint = (IPEndPoint)_endPoint.Create(received);
        return endPoint.Port == _endPoint.Port && Normalise(endPoint.Address).Equals(Normalise(_endPoint.Address));
    }

    private static IPAddress Normalise(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
