using System.Net;

namespace OneStopPi.Snmp.Transport;

/// <summary>An agent to ask and how: address, credentials, and optional timeout/retries.</summary>
public sealed record SnmpTarget(IPEndPoint EndPoint, SnmpCredentials Credentials)
{
    /// <summary>Per-attempt timeout; null uses the client's default.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Retransmissions after the first attempt; null uses the client's default.</summary>
    public int? Retries { get; init; }

    public override string ToString() => $"{EndPoint} ({Credentials})";
}
