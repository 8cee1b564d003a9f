using System.Net.Sockets;

namespace OneStopPi.Collection.Discovery;

/// <summary>What a refused datagram send means for the sweep's unconnected sockets.</summary>
internal enum SendFailure
{
    /// <summary>The send queue or the queue behind an unresolved neighbour is full (ENOBUFS, EAGAIN): try again shortly.</summary>
    TryAgain,

    /// <summary>
    /// This datagram to this address is lost, as a silent network would lose it; trying again at once gives the same
    /// answer. A firewall's OUTPUT rule or a prohibit route (EPERM, EACCES), no route or an unreachable route
    /// (ENETUNREACH, EHOSTUNREACH, EHOSTDOWN). The sweep's own retry after a timeout still applies.
    /// </summary>
    Lost,

    /// <summary>Anything else: a fault of the socket itself, which ends the sweep.</summary>
    Fatal,
}

/// <summary>Sorts send errors into <see cref="SendFailure"/>.</summary>
internal static class SendFailures
{
    /// <remarks>
    /// Linux reports no ICMP error of an earlier datagram on an unconnected socket without IP_RECVERR (ours), so an
    /// unreachable error comes from this datagram's own route lookup: no point in asking again 20 ms later, and
    /// doing so 50 times for each address of an unrouted range held the sweep for a second per address.
    /// ECONNREFUSED can only be such an earlier error: the datagram itself was not sent, so it is sent again.
    /// </remarks>
    public static SendFailure Classify(SocketError error) => error switch
    {
        SocketError.NoBufferSpaceAvailable or SocketError.WouldBlock or SocketError.ConnectionRefused => SendFailure.TryAgain,
        SocketError.AccessDenied or SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.HostDown => SendFailure.Lost,
        _ => SendFailure.Fatal,
    };
}
