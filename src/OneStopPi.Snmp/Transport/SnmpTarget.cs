using System.Net;

namespace OneStopPi.Snmp.Transport;

/// <summary>An agent to ask and how: address, credentials, and optional timeout/retries.</summary>
public sealed record SnmpTarget(IPEndPoint EndPoint, SnmpCredentials Credentials)
{
    /// <summary>Per-attempt timeout; null uses the client's default.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Retransmissions after the first attempt; null uses the client's default.</summary>
    public int? Retries { get; init; }

    /// <summary>
    /// The agent's learnt round trip: when set, an attempt waits the estimate (the timeout until one is
    /// measured), doubling with each retransmission up to the timeout, instead of the timeout each time.
    /// Retransmissions resend the same datagram (same request-id), so a late answer to any copy completes the request.
    /// </summary>
    public RoundTripEstimator? RoundTrip { get; init; }

    /// <summary>
    /// Treat an SNMPv1 genErr naming one varbind of a GET or GETNEXT like noSuchName: that varbind gets
    /// noSuchObject (endOfMibView for GETNEXT) and the others are asked again. Off by default, as genErr
    /// is the agent's failure (RFC 1157 4.1.2) rather than an absent object; some SNMPv1 printers use it
    /// for an object they lack, and a collector would rather lose that object than the whole answer.
    /// </summary>
    public bool TreatV1GenErrAsMissing { get; init; }

    public override string ToString() => $"{EndPoint} ({Credentials})";
}
