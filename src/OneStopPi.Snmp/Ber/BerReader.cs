namespace OneStopPi.Snmp.Ber;

/// <summary>
/// A forward-only reader over one constructed value's contents. Advances only after a read
/// succeeds; every failure is an <see cref="SnmpDecodeException"/>. Tracks absolute offsets so the
/// v3 processor can find msgAuthenticationParameters inside the whole datagram (RFC 3414 6.3.2).
/// </summary>
internal ref struct BerReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _baseOffset;
    private int _position;

    public BerReader(ReadOnlySpan<byte> data, int baseOffset = 0)
    {
        _data = data;
        _baseOffset = baseOffset;
        _position = 0;
    }

    public readonly bool HasData => _position < _data.Length;

    /// <summary>Absolute offset of the next value in the outermost buffer.</summary>
    public readonly int Offset => _baseOffset + _position;

    public readonly byte PeekIdentifier() =>
        HasData ? _data[_position] : throw new SnmpDecodeException("Unexpected end of data.");

    /// <summary>Reads any TLV and returns its identifier, contents and the absolute offset of the contents.</summary>
    public ReadOnlySpan<byte> ReadTlv(out byte identifier, out int contentsOffset)
    {
        ReadOnlySpan<byte> rest = _data[_position..];
        if (!SnmpDecoder.TryReadTlv(rest, out identifier, out int offset, out int length, out int consumed))
        {
            throw new SnmpDecodeException($"Truncated or malformed BER value at offset {Offset}.");
        }

        contentsOffset = Offset + offset;
        ReadOnlySpan<byte> contents = rest.Slice(offset, length);
        _position += consumed;
        return contents;
    }

    public ReadOnlySpan<byte> ReadExpected(byte expectedIdentifier, string what, out int contentsOffset)
    {
        ReadOnlySpan<byte> contents = ReadTlv(out byte identifier, out contentsOffset);
        if (identifier != expectedIdentifier)
        {
            throw new SnmpDecodeException($"Expected {what} (0x{expectedIdentifier:X2}), found 0x{identifier:X2} at offset {contentsOffset}.");
        }

        return contents;
    }

    /// <summary>Enters a constructed value with the expected identifier.</summary>
    public BerReader ReadConstructed(byte expectedIdentifier, string what)
    {
        ReadOnlySpan<byte> contents = ReadExpected(expectedIdentifier, what, out int contentsOffset);
        return new BerReader(contents, contentsOffset);
    }

    public BerReader ReadSequence(string what) => ReadConstructed(BerTag.Sequence, what);

    public long ReadInteger(string what) => SnmpDecoder.ReadSignedContents(ReadExpected(BerTag.Integer, what, out _));

    /// <summary>An INTEGER that must fit Int32 (request-id, error-status, msgID...).</summary>
    public int ReadInt32(string what)
    {
        long value = ReadInteger(what);
        return value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw new SnmpDecodeException($"{what} {value} does not fit Integer32.");
    }

    public ReadOnlySpan<byte> ReadOctetString(string what) => ReadExpected(BerTag.OctetString, what, out _);

    public ReadOnlySpan<byte> ReadOctetString(string what, out int contentsOffset) => ReadExpected(BerTag.OctetString, what, out contentsOffset);

    public ObjectIdentifier ReadOid(string what) => SnmpDecoder.ReadOidContents(ReadExpected(BerTag.ObjectIdentifier, what, out _));

    public readonly void ThrowIfTrailingData(string what)
    {
        if (HasData)
        {
            throw new SnmpDecodeException($"Unexpected data after {what} at offset {Offset}.");
        }
    }
}
