using OneStopPi.Snmp.Messages;
using OneStopPi.Snmp.Pdus;
using OneStopPi.Snmp.Security;

namespace OneStopPi.Snmp.Transport;

/// <summary>
/// One datagram that makes any SNMP agent answer something, for sweeps that send to many addresses
/// without a request each: a v1/v2c GET with the community, or for SNMPv3 an engine discovery request
/// (RFC 3414 4), which every v3 engine answers with a Report whatever our user.
/// </summary>
public static class LivenessProbe
{
    public static byte[] Encode(SnmpCredentials credentials, int requestId, IReadOnlyList<ObjectIdentifier> oids, int maxMessageSize = 65507)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        return credentials switch
        {
            CommunityCredentials community => new CommunityMessage(community.Version, community.CommunityBytes, Pdu.GetRequest(requestId, oids)).Encode(),
            UsmCredentials => UsmMessageProcessor.EncodeDiscovery(requestId, maxMessageSize),
            _ => throw new ArgumentException($"Unsupported credentials {credentials.GetType().Name}.", nameof(credentials)),
        };
    }
}
