using System.Formats.Asn1;

namespace OneStopPi.Snmp.Ber;

/// <summary>
/// Stateless decoding of SNMP's BER over spans. Framing (tag and length, X.690 8.1) goes through
/// <see cref="AsnDecoder"/>; contents are decoded here because SNMP needs leniency the strict
/// decoder refuses (redundant leading octets in integers, unsigned values sent without their
/// leading zero) and a compact OID form. Every failure is an <see cref="SnmpDecodeException"/>.
/// </summary>
internal static class SnmpDecoder
{
    /// <summary>Reads one TLV. Returns false when the bytes are not a complete, definite-length value.</summary>
    public static bool TryReadTlv(ReadOnlySpan<byte> source, out byte identifier, out int contentOffset, out int contentLength, out int bytesConsumed)
    {
        identifier = 0;
        contentOffset = contentLength = bytesConsumed = 0;
        Asn1Tag tag;

        // RFC 3417 8 allows neither the indefinite length form (0x80) nor multi-octet identifiers.
        // Refuse both before AsnDecoder sees them: for an indefinite length it searches the rest of
        // the buffer for end-of-contents and throws AsnContentException on what it finds there.
        if (source.Length < 2 || (source[0] & 0x1F) == 0x1F || source[1] == 0x80)
        {
            return false;
        }

        try
        {
            if (!AsnDecoder.TryReadEncodedValue(source, AsnEncodingRules.BER, out Asn1Tag parsed, out contentOffset, out contentLength, out bytesConsumed))
            {
                return false;
            }

            tag = parsed;
        }
        catch (AsnContentException)
        {
            return false;
        }

        // RFC 3417 8: only the definite length form; single-octet identifiers only (SNMP has no tag above 30).
        if (tag.TagValue > 30 || bytesConsumed != contentOffset + contentLength)
        {
            return false;
        }

        identifier = (byte)((int)tag.TagClass | (tag.IsConstructed ? 0x20 : 0) | tag.TagValue);
        return true;
    }

    /// <summary>A two's-complement INTEGER of up to 64 bits; redundant leading octets are tolerated.</summary>
    public static long ReadSignedContents(ReadOnlySpan<byte> contents)
    {
        if (contents.IsEmpty)
        {
            throw new SnmpDecodeException("INTEGER with no content octets (X.690 8.3.1).");
        }

        bool negative = (contents[0] & 0x80) != 0;
        byte pad = negative ? (byte)0xFF : (byte)0x00;
        while (contents.Length > 1 && contents[0] == pad && ((contents[1] & 0x80) != 0) == negative)
        {
            contents = contents[1..];
        }

        if (contents.Length > 8)
        {
            throw new SnmpDecodeException($"INTEGER of {contents.Length} octets does not fit 64 bits.");
        }

        long value = negative ? -1 : 0;
        foreach (byte b in contents)
        {
            value = (value << 8) | b;
        }

        return value;
    }

    /// <summary>
    /// An unsigned value (Counter32, Gauge32, TimeTicks, Counter64). RFC 2578 says these are
    /// non-negative INTEGERs, but devices often drop the leading zero octet, so the octets are read as
    /// unsigned magnitude.
    /// </summary>
    public static ulong ReadUnsignedContents(ReadOnlySpan<byte> contents, int maxBits)
    {
        if (contents.IsEmpty)
        {
            throw new SnmpDecodeException("Unsigned value with no content octets.");
        }

        while (contents.Length > 1 && contents[0] == 0)
        {
            contents = contents[1..];
        }

        if (contents.Length * 8 > maxBits)
        {
            throw new SnmpDecodeException($"Unsigned value of {contents.Length} octets exceeds {maxBits} bits.");
        }

        ulong value = 0;
        foreach (byte b in contents)
        {
            value = (value << 8) | b;
        }

        return value;
    }

    /// <summary>X.690 8.19: subidentifiers in base 128; the first encodes 40·X+Y.</summary>
    public static ObjectIdentifier ReadOidContents(ReadOnlySpan<byte> contents)
    {
        if (contents.IsEmpty)
        {
            throw new SnmpDecodeException("OBJECT IDENTIFIER with no content octets.");
        }

        Span<uint> arcs = stackalloc uint[ObjectIdentifier.MaxArcs];
        int count = 0;
        ulong current = 0;
        int octetsInArc = 0;
        foreach (byte b in contents)
        {
            current = (current << 7) | (uint)(b & 0x7F);
            if (++octetsInArc > 5 || current > uint.MaxValue)
            {
                throw new SnmpDecodeException("OBJECT IDENTIFIER sub-identifier exceeds 32 bits.");
            }

            if ((b & 0x80) != 0)
            {
                continue;
            }

            if (count == 0)
            {
                // X.690 8.19.4: X is 0, 1 or 2; with X = 2, Y may exceed 39.
                uint first = current < 40 ? 0u : current < 80 ? 1u : 2u;
                arcs[count++] = first;
                arcs[count++] = (uint)(current - first * 40);
            }
            else
            {
                if (count == ObjectIdentifier.MaxArcs)
                {
                    throw new SnmpDecodeException($"OBJECT IDENTIFIER has more than {ObjectIdentifier.MaxArcs} arcs.");
                }

                arcs[count++] = (uint)current;
            }

            current = 0;
            octetsInArc = 0;
        }

        if (octetsInArc != 0)
        {
            throw new SnmpDecodeException("OBJECT IDENTIFIER ends inside a sub-identifier.");
        }

        return ObjectIdentifier.FromOwnedArray(arcs[..count].ToArray());
    }

    /// <summary>Decodes one varbind value from its identifier and contents (RFC 3416 3, ObjectSyntax).</summary>
    public static SnmpValue ReadValue(byte identifier, ReadOnlySpan<byte> contents)
    {
        switch ((SnmpValueType)identifier)
        {
            case SnmpValueType.Integer32:
                return SnmpValue.Integer32FromWire(ReadSignedContents(contents));
            case SnmpValueType.OctetString:
            case SnmpValueType.Opaque:
                return SnmpValue.FromOwnedBytes((SnmpValueType)identifier, contents.ToArray());
            case SnmpValueType.IpAddress:
                if (contents.Length != 4)
                {
                    throw new SnmpDecodeException($"IpAddress of {contents.Length} octets (RFC 2578 7.1.5 says 4).");
                }

                return SnmpValue.FromOwnedBytes(SnmpValueType.IpAddress, contents.ToArray());
            case SnmpValueType.Null:
            case SnmpValueType.NoSuchObject:
            case SnmpValueType.NoSuchInstance:
            case SnmpValueType.EndOfMibView:
                if (!contents.IsEmpty)
                {
                    throw new SnmpDecodeException($"{(SnmpValueType)identifier} with content octets.");
                }

                return (SnmpValueType)identifier switch
                {
                    SnmpValueType.Null => SnmpValue.Null,
                    SnmpValueType.NoSuchObject => SnmpValue.NoSuchObject,
                    SnmpValueType.NoSuchInstance => SnmpValue.NoSuchInstance,
                    _ => SnmpValue.EndOfMibView,
                };
            case SnmpValueType.ObjectIdentifier:
                return SnmpValue.ObjectId(ReadOidContents(contents));
            case SnmpValueType.Counter32:
                return SnmpValue.Counter32((uint)ReadUnsignedContents(contents, 32));
            case SnmpValueType.Gauge32:
                return SnmpValue.Gauge32((uint)ReadUnsignedContents(contents, 32));
            case SnmpValueType.TimeTicks:
                return SnmpValue.TimeTicks((uint)ReadUnsignedContents(contents, 32));
            case SnmpValueType.Counter64:
                return SnmpValue.Counter64(ReadUnsignedContents(contents, 64));
            default:
                throw new SnmpDecodeException($"Unknown value type 0x{identifier:X2}.");
        }
    }
}
