using System.Formats.Asn1;
using OneStopPi.Snmp.Ber;

namespace OneStopPi.Snmp.Pdus;

/// <summary>Encodes and decodes the PDU part shared by all versions (RFC 3416 3).</summary>
internal static class PduCodec
{
    /// <summary>
    /// Upper bound on varbinds decoded from one PDU. A 64 KiB datagram can hold ~8,000 minimal
    /// varbinds; far more than any agent sends, so larger counts mean a hostile packet.
    /// </summary>
    public const int MaxVarbinds = 8192;

    public static void Write(AsnWriter writer, Pdu pdu)
    {
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, pdu.Type - PduType.GetRequest, isConstructed: true)))
        {
            writer.WriteInteger(pdu.RequestId);
            writer.WriteInteger(pdu.ErrorStatusField);
            writer.WriteInteger(pdu.ErrorIndexField);
            using (writer.PushSequence())
            {
                foreach (Varbind varbind in pdu.Varbinds)
                {
                    using (writer.PushSequence())
                    {
                        SnmpEncoder.WriteOid(writer, varbind.Oid);
                        SnmpEncoder.WriteValue(writer, varbind.Value);
                    }
                }
            }
        }
    }

    public static Pdu Read(ref BerReader reader)
    {
        ReadOnlySpan<byte> contents = reader.ReadTlv(out byte identifier, out int contentsOffset);
        if (!Enum.IsDefined((PduType)identifier))
        {
            throw new SnmpDecodeException($"Unsupported PDU type 0x{identifier:X2}.");
        }

        var pduReader = new BerReader(contents, contentsOffset);
        int requestId = pduReader.ReadInt32("request-id");
        int field2 = pduReader.ReadInt32("error-status");
        int field3 = pduReader.ReadInt32("error-index");
        BerReader list = pduReader.ReadSequence("variable-bindings");
        pduReader.ThrowIfTrailingData("variable-bindings");

        var varbinds = new List<Varbind>();
        while (list.HasData)
        {
            if (varbinds.Count == MaxVarbinds)
            {
                throw new SnmpDecodeException($"More than {MaxVarbinds} varbinds in one PDU.");
            }

            BerReader item = list.ReadSequence("VarBind");
            ObjectIdentifier oid = item.ReadOid("VarBind name");
            ReadOnlySpan<byte> valueContents = item.ReadTlv(out byte valueType, out _);
            item.ThrowIfTrailingData("VarBind value");
            varbinds.Add(new Varbind(oid, SnmpDecoder.ReadValue(valueType, valueContents)));
        }

        return Pdu.FromWire((PduType)identifier, requestId, field2, field3, varbinds);
    }
}
