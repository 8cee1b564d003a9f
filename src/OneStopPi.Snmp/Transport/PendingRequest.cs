using System.Net;
using OneStopPi.Snmp.Messages;
using OneStopPi.Snmp.Pdus;
using OneStopPi.Snmp.Security;

namespace OneStopPi.Snmp.Transport;

/// <summary>What a matched answer carried: its PDU and, for SNMPv3, the USM header.</summary>
internal readonly record struct IncomingMessage(Pdu Pdu, UsmSecurityParameters? Usm);

/// <summary>What an SNMPv3 answer must satisfy to be accepted for a request.</summary>
internal sealed record V3Expectation(UsmCredentials Credentials, UsmLocalizedKeys? Keys, RemoteEngine? Engine);

/// <summary>
/// One request in flight. The request owns its completion: an answer, the timeout sweep,
/// cancellation or shutdown, whichever comes first, completes it exactly once.
/// </summary>
internal sealed class PendingRequest
{
    public PendingRequest(IPEndPoint target, SocketAddressKey targetAddress, SnmpVersion version, V3Expectation? v3, TimeSpan timeout, int retries, long started,
        RoundTripEstimator? roundTrip = null)
    {
        RoundTrip = roundTrip;
        AttemptTimeout = roundTrip?.FirstTimeout(timeout) ?? timeout;
        Target = target;
        TargetAddress = targetAddress;
        Version = version;
        V3 = v3;
        Timeout = timeout;
        RetriesLeft = retries;
        Started = started;
    }

    public int Id { get; set; }

    public IPEndPoint Target { get; }

    public SocketAddressKey TargetAddress { get; }

    public SnmpVersion Version { get; }

    public V3Expectation? V3 { get; }

    /// <summary>The per-attempt timeout given; with <see cref="RoundTrip"/>, the cap of the adaptive one.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The agent's learnt round trip, when the target has one: attempts then wait <see cref="AttemptTimeout"/>, doubling.</summary>
    public RoundTripEstimator? RoundTrip { get; }

    /// <summary>How long the current attempt waits. Guarded by the client's in-flight lock.</summary>
    public TimeSpan AttemptTimeout { get; set; }

    /// <summary>When the first attempt went out (a round trip is measured from it).</summary>
    public long FirstSent { get; set; }

    public byte[] Datagram { get; set; } = [];

    /// <summary>Guarded by the client's in-flight lock.</summary>
    public int RetriesLeft { get; set; }

    public int Attempts { get; set; } = 1;

    public long Started { get; }

    /// <summary>Guarded by the client's in-flight lock.</summary>
    public long Deadline { get; set; }

    public TaskCompletionSource<IncomingMessage> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
