using OneStopPi.Snmp;

namespace OneStopPi.Simulator;

/// <summary>
/// Encoded sizes (X.690 BER, definite lengths as <c>AsnWriter</c> writes them) of varbinds, so a GETBULK
/// answer can be cut to the size limit while it is built (RFC 3416 4.2.3) without encoding it twice.
/// </summary>
internal static class BerSize
{
    public static int LengthOfLength(int contentLength) =>
        contentLength < 0x80 ? 1 : contentLength < 0x100 ? 2 : contentLength < 0x10000 ? 3 : contentLength < 0x1000000 ? 4 : 5;

    /// <summary>Identifier, length and contents.</summary>
    public static int Tlv(int contentLength) => 1 + LengthOfLength(contentLength) + contentLength;

    public static int Varbind(ObjectIdentifier oid, SnmpValue value) => Tlv(Tlv(OidContents(oid)) + Tlv(ValueContents(value)));

    /// <summary>X.690 8.19: base-128 sub-identifiers, the first two arcs combined.</summary>
    public static int OidContents(ObjectIdentifier oid)
    {
        ReadOnlySpan<uint> arcs = oid.Arcs;
        if (arcs.IsEmpty)
        {
            return 0;
        }

        int length = Base128(arcs.Length == 1 ? arcs[0] * 40UL : (arcs[0] * 40UL) + arcs[1]);
        for (int i = 2; i < arcs.Length; i++)
        {
            length += Base128(arcs[i]);
        }

        return length;
    }

    public static int ValueContents(SnmpValue value)
    {
        switch (value.Type)
        {
            case SnmpValueType.Integer32:
                value.TryGetInt64(out long signed);
                return SignedContents(signed);
            case SnmpValueType.Counter32 or SnmpValueType.Gauge32 or SnmpValueType.TimeTicks or SnmpValueType.Counter64:
                return UnsignedContents(value.AsUInt64());
            case SnmpValueType.OctetString or SnmpValueType.IpAddress or SnmpValueType.Opaque:
                return value.Bytes.Length;
            case SnmpValueType.ObjectIdentifier:
                return OidContents(value.AsObjectIdentifier());
            default:
                return 0; // NULL and the three exceptions
        }
    }

    /// <summary>X.690 8.3.2: the fewest two's-complement octets.</summary>
    public static int SignedContents(long value)
    {
        int length = 1;
        while (length < 8 && (value >= (1L << ((8 * length) - 1)) || value < -(1L << ((8 * length) - 1))))
        {
            length++;
        }

        return length;
    }

    /// <summary>A non-negative INTEGER: the magnitude's octets plus a leading zero when the top bit is set.</summary>
    public static int UnsignedContents(ulong value)
    {
        int length = 1;
        while (length < 8 && value >> (8 * length) != 0)
        {
            length++;
        }

        return (value >> ((8 * length) - 1) & 1) != 0 ? length + 1 : length;
    }

    private static int Base128(ulong value)
    {
        int length = 1;
        while ((value >>= 7) != 0)
        {
            length++;
        }

        return length;
    }
}
