using System.Formats.Asn1;
using OneStopPi.Snmp.Ber;
using OneStopPi.Snmp.Pdus;

namespace OneStopPi.Snmp.Messages;

/// <summary>ScopedPDU (RFC 3412 6.8): the context the PDU applies to, and the PDU.</summary>
public sealed record ScopedPdu(ReadOnlyMemory<byte> ContextEngineId, ReadOnlyMemory<byte> ContextName, Pdu Pdu)
{
    internal void Write(AsnWriter writer)
    {
        using (writer.PushSequence())
        {
            writer.WriteOctetString(ContextEngineId.Span);
            writer.WriteOctetString(ContextName.Span);
            PduCodec.Write(writer, Pdu);
        }
    }

    internal byte[] Encode()
    {
        AsnWriter writer = SnmpEncoder.CreateWriter(64 + Pdu.Varbinds.Count * 32);
        Write(writer);
        return writer.Encode();
    }

    /// <summary>
    /// Decodes a plaintext ScopedPDU. Octets after the SEQUENCE are ignored: block ciphers pad
    /// the plaintext (RFC 3414 8.1.1.2) and the padding is not ours to judge.
    /// </summary>
    internal static ScopedPdu Read(ref BerReader reader)
    {
        BerReader scoped = reader.ReadSequence("ScopedPDU");
        byte[] contextEngineId = scoped.ReadOctetString("contextEngineID").ToArray();
        byte[] contextName = scoped.ReadOctetString("contextName").ToArray();
        Pdu pdu = PduCodec.Read(ref scoped);
        scoped.ThrowIfTrailingData("ScopedPDU");
        return new ScopedPdu(contextEngineId, contextName, pdu);
    }

    internal static ScopedPdu Decode(ReadOnlySpan<byte> plaintext)
    {
        var reader = new BerReader(plaintext);
        return Read(ref reader);
    }
}
