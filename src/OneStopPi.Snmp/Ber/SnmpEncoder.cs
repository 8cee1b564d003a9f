using System.Formats.Asn1;

namespace OneStopPi.Snmp.Ber;

/// <summary>Writes SNMP values and PDUs with <see cref="AsnWriter"/> (BER, definite lengths).</summary>
internal static class SnmpEncoder
{
    private static readonly Asn1Tag IpAddressTag = new(TagClass.Application, 0);
    private static readonly Asn1Tag Counter32Tag = new(TagClass.Application, 1);
    private static readonly Asn1Tag Gauge32Tag = new(TagClass.Application, 2);
    private static readonly Asn1Tag TimeTicksTag = new(TagClass.Application, 3);
    private static readonly Asn1Tag OpaqueTag = new(TagClass.Application, 4);
    private static readonly Asn1Tag Counter64Tag = new(TagClass.Application, 6);
    private static readonly Asn1Tag NoSuchObjectTag = new(TagClass.ContextSpecific, 0);
    private static readonly Asn1Tag NoSuchInstanceTag = new(TagClass.ContextSpecific, 1);
    private static readonly Asn1Tag EndOfMibViewTag = new(TagClass.ContextSpecific, 2);

    public static AsnWriter CreateWriter(int initialCapacity = 512) => new(AsnEncodingRules.BER, initialCapacity);

    /// <summary>X.690 8.19 contents of an OID; the caller's buffer holds 5 octets per arc.</summary>
    public static int WriteOidContents(ObjectIdentifier oid, Span<byte> destination)
    {
        ReadOnlySpan<uint> arcs = oid.Arcs;
        if (arcs.Length == 0)
        {
            throw new ArgumentException("An empty OID cannot be encoded.", nameof(oid));
        }

        // X.690 8.19.4: the first arc is 0, 1 or 2, and the second at most 39 unless the first is 2;
        // anything else would be sent as another OID (3.1 as 2.41).
        if (arcs[0] > 2 || (arcs[0] < 2 && arcs.Length > 1 && arcs[1] > 39))
        {
            throw new ArgumentException($"{oid} cannot be encoded: the first arc must be 0, 1 or 2, and the second at most 39 below 2.", nameof(oid));
        }

        int written = WriteSubidentifier(arcs.Length == 1 ? arcs[0] * 40UL : arcs[0] * 40UL + arcs[1], destination);
        for (int i = 2; i < arcs.Length; i++)
        {
            written += WriteSubidentifier(arcs[i], destination[written..]);
        }

        return written;
    }

    private static int WriteSubidentifier(ulong value, Span<byte> destination)
    {
        int length = 1;
        for (ulong v = value >> 7; v != 0; v >>= 7)
        {
            length++;
        }

        for (int i = length - 1; i >= 0; i--)
        {
            destination[i] = (byte)((value & 0x7F) | (i == length - 1 ? 0u : 0x80u));
            value >>= 7;
        }

        return length;
    }

    public static void WriteOid(AsnWriter writer, ObjectIdentifier oid)
    {
        // identifier + up to 3 length octets + 5 octets per arc
        int max = 4 + 5 * Math.Max(oid.Length, 2);
        Span<byte> tlv = max <= 700 ? stackalloc byte[max] : new byte[max];
        int contentLength = WriteOidContents(oid, tlv[4..]);
        int headerLength = contentLength < 0x80 ? 2 : contentLength < 0x100 ? 3 : 4;
        int start = 4 - headerLength;
        tlv[start] = BerTag.ObjectIdentifier;
        if (headerLength == 2)
        {
            tlv[start + 1] = (byte)contentLength;
        }
        else if (headerLength == 3)
        {
            tlv[start + 1] = 0x81;
            tlv[start + 2] = (byte)contentLength;
        }
        else
        {
            tlv[start + 1] = 0x82;
            tlv[start + 2] = (byte)(contentLength >> 8);
            tlv[start + 3] = (byte)contentLength;
        }

        writer.WriteEncodedValue(tlv[start..(4 + contentLength)]);
    }

    public static void WriteValue(AsnWriter writer, SnmpValue value)
    {
        switch (value.Type)
        {
            case SnmpValueType.Integer32:
                value.TryGetInt64(out long signed);
                writer.WriteInteger(signed);
                break;
            case SnmpValueType.OctetString:
                writer.WriteOctetString(value.Bytes);
                break;
            case SnmpValueType.Null:
                writer.WriteNull();
                break;
            case SnmpValueType.ObjectIdentifier:
                WriteOid(writer, value.AsObjectIdentifier());
                break;
            case SnmpValueType.IpAddress:
                writer.WriteOctetString(value.Bytes, IpAddressTag);
                break;
            case SnmpValueType.Counter32:
                writer.WriteInteger(value.AsUInt64(), Counter32Tag);
                break;
            case SnmpValueType.Gauge32:
                writer.WriteInteger(value.AsUInt64(), Gauge32Tag);
                break;
            case SnmpValueType.TimeTicks:
                writer.WriteInteger(value.AsUInt64(), TimeTicksTag);
                break;
            case SnmpValueType.Opaque:
                writer.WriteOctetString(value.Bytes, OpaqueTag);
                break;
            case SnmpValueType.Counter64:
                writer.WriteInteger(value.AsUInt64(), Counter64Tag);
                break;
            case SnmpValueType.NoSuchObject:
                writer.WriteNull(NoSuchObjectTag);
                break;
            case SnmpValueType.NoSuchInstance:
                writer.WriteNull(NoSuchInstanceTag);
                break;
            case SnmpValueType.EndOfMibView:
                writer.WriteNull(EndOfMibViewTag);
                break;
            default:
                throw new ArgumentException($"Cannot encode value type {value.Type}.", nameof(value));
        }
    }
}
