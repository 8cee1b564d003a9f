using System.Formats.Asn1;
using OneStopPi.Snmp.Ber;
using OneStopPi.Snmp.Pdus;

namespace OneStopPi.Snmp.Messages;

/// <summary>An SNMPv1 (RFC 1157) or SNMPv2c (RFC 1901) message: version, community, PDU.</summary>
public sealed class CommunityMessage
{
    public CommunityMessage(SnmpVersion version, ReadOnlyMemory<byte> community, Pdu pdu)
    {
        if (version == SnmpVersion.V3)
        {
            throw new ArgumentException("SNMPv3 messages have no community.", nameof(version));
        }

        if (version == SnmpVersion.V1 && pdu.Type is PduType.GetBulkRequest or PduType.Report)
        {
            throw new ArgumentException($"SNMPv1 has no {pdu.Type} (RFC 3584 4.1.1).", nameof(pdu));
        }

        Version = version;
        Community = community;
        Pdu = pdu;
    }

    public SnmpVersion Version { get; }

    public ReadOnlyMemory<byte> Community { get; }

    public Pdu Pdu { get; }

    public byte[] Encode()
    {
        AsnWriter writer = SnmpEncoder.CreateWriter(64 + Pdu.Varbinds.Count * 32);
        using (writer.PushSequence())
        {
            writer.WriteInteger((int)Version);
            writer.WriteOctetString(Community.Span);
            PduCodec.Write(writer, Pdu);
        }

        return writer.Encode();
    }

    public static CommunityMessage Decode(ReadOnlySpan<byte> datagram)
    {
        BerReader message = MessageHeader.OpenMessage(datagram, out SnmpVersion version);
        if (version == SnmpVersion.V3)
        {
            throw new SnmpDecodeException("An SNMPv3 message is not a community message.");
        }

        byte[] community = message.ReadOctetString("community").ToArray();
        Pdu pdu = PduCodec.Read(ref message);
        message.ThrowIfTrailingData("PDU");
        if (version == SnmpVersion.V1 && pdu.Type is PduType.GetBulkRequest or PduType.Report)
        {
            throw new SnmpDecodeException($"{pdu.Type} in an SNMPv1 message.");
        }

        return new CommunityMessage(version, community, pdu);
    }
}
