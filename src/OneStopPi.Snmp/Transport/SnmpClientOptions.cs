using System.Net;

namespace OneStopPi.Snmp.Transport;

/// <summary>Settings of one <see cref="SnmpClient"/> (one UDP socket).</summary>
public sealed class SnmpClientOptions
{
    /// <summary>Local address to bind; default: any address, both IPv4 and IPv6 when the OS has IPv6.</summary>
    public IPEndPoint? LocalEndPoint { get; init; }

    /// <summary>Requests in flight at once on this socket; more wait for a slot.</summary>
    public int MaxInFlight { get; init; } = 1024;

    /// <summary>Default per-attempt timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Default retransmissions after the first attempt.</summary>
    public int Retries { get; init; } = 1;

    /// <summary>
    /// SO_SNDBUF: large enough for a burst of datagrams queued behind unresolved neighbours.
    /// The kernel may cap it (net.core.wmem_max).
    /// </summary>
    public int SendBufferSize { get; init; } = 1 << 20;

    /// <summary>SO_RCVBUF: room for many answers arriving together (capped by net.core.rmem_max).</summary>
    public int ReceiveBufferSize { get; init; } = 4 << 20;

    /// <summary>msgMaxSize we announce in SNMPv3 (RFC 3412 6.2: the largest message we accept).</summary>
    public int MaxMessageSize { get; init; } = 65507;

    /// <summary>How often overdue requests are looked for.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// How long past its deadline a request waits for the receive loop to read what had arrived before it, when the
    /// loop cannot keep up (an answer that arrived in time is not a timeout); then it times out all the same.
    /// </summary>
    public TimeSpan ReadBacklogLimit { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Monotonic time for timeouts and SNMPv3 engine clocks.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Source of the first request-id and privacy salt; injected for reproducible tests.</summary>
    public Random? Random { get; init; }
}
