using System.Net;
using System.Text;

namespace OneStopPi.Snmp;

/// <summary>
/// The value half of a varbind: a small discriminated union over the SNMP types. Numbers live inline;
/// octet strings, IP addresses and opaque values keep their raw bytes; OIDs keep their arcs.
/// </summary>
public readonly struct SnmpValue : IEquatable<SnmpValue>
{
    private readonly ulong _number;
    private readonly object? _reference; // byte[] or ObjectIdentifier (boxed)

    private SnmpValue(SnmpValueType type, ulong number, object? reference)
    {
        Type = type;
        _number = number;
        _reference = reference;
    }

    public SnmpValueType Type { get; }

    public static SnmpValue Null { get; } = new(SnmpValueType.Null, 0, null);
    public static SnmpValue NoSuchObject { get; } = new(SnmpValueType.NoSuchObject, 0, null);
    public static SnmpValue NoSuchInstance { get; } = new(SnmpValueType.NoSuchInstance, 0, null);
    public static SnmpValue EndOfMibView { get; } = new(SnmpValueType.EndOfMibView, 0, null);

    public static SnmpValue Integer32(int value) => new(SnmpValueType.Integer32, unchecked((ulong)(long)value), null);
    /// <summary>
    /// An INTEGER as decoded: devices sometimes send values outside Integer32 (e.g. 2^32-1 for an
    /// unsigned column), which are kept, not truncated; <see cref="TryGetInt64"/> reads them.
    /// </summary>
    internal static SnmpValue Integer32FromWire(long value) => new(SnmpValueType.Integer32, unchecked((ulong)value), null);

    public static SnmpValue Counter32(uint value) => new(SnmpValueType.Counter32, value, null);
    public static SnmpValue Gauge32(uint value) => new(SnmpValueType.Gauge32, value, null);
    public static SnmpValue TimeTicks(uint value) => new(SnmpValueType.TimeTicks, value, null);
    public static SnmpValue Counter64(ulong value) => new(SnmpValueType.Counter64, value, null);
    public static SnmpValue OctetString(ReadOnlySpan<byte> value) => new(SnmpValueType.OctetString, 0, value.ToArray());
    public static SnmpValue OctetString(string text) => new(SnmpValueType.OctetString, 0, Encoding.UTF8.GetBytes(text));
    public static SnmpValue Opaque(ReadOnlySpan<byte> value) => new(SnmpValueType.Opaque, 0, value.ToArray());
    public static SnmpValue ObjectId(ObjectIdentifier value) => new(SnmpValueType.ObjectIdentifier, 0, value);

    /// <summary>RFC 2578 7.1.5: an IPv4 address, exactly four octets.</summary>
    public static SnmpValue IpAddress(ReadOnlySpan<byte> fourOctets) =>
        fourOctets.Length == 4
            ? new(SnmpValueType.IpAddress, 0, fourOctets.ToArray())
            : throw new ArgumentException("An SNMP IpAddress has exactly four octets.", nameof(fourOctets));

    public static SnmpValue IpAddress(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        if (!address.TryWriteBytes(bytes, out int written) || written != 4)
        {
            throw new ArgumentException("An SNMP IpAddress is IPv4.", nameof(address));
        }

        return IpAddress(bytes);
    }

    /// <summary>Wraps bytes the decoder already owns; no copy.</summary>
    internal static SnmpValue FromOwnedBytes(SnmpValueType type, byte[] bytes) => new(type, 0, bytes);

    /// <summary>True for noSuchObject, noSuchInstance and endOfMibView (RFC 3416 4.2.1).</summary>
    public bool IsException => Type is SnmpValueType.NoSuchObject or SnmpValueType.NoSuchInstance or SnmpValueType.EndOfMibView;

    public bool IsNumeric => Type is SnmpValueType.Integer32 or SnmpValueType.Counter32 or SnmpValueType.Gauge32
        or SnmpValueType.TimeTicks or SnmpValueType.Counter64;

    /// <summary>The bytes of an OCTET STRING, IpAddress or Opaque; empty for other types.</summary>
    public ReadOnlySpan<byte> Bytes => _reference as byte[];

    public ReadOnlyMemory<byte> BytesMemory => _reference as byte[];

    public int AsInt32() => Type == SnmpValueType.Integer32 && unchecked((long)_number) is >= int.MinValue and <= int.MaxValue
        ? unchecked((int)(long)_number)
        : throw new InvalidOperationException($"The value is {Type} {unchecked((long)_number)}, not an Integer32.");

    /// <summary>Any numeric type as a signed 64-bit number (Counter64 above long.MaxValue is refused).</summary>
    public bool TryGetInt64(out long value)
    {
        switch (Type)
        {
            case SnmpValueType.Integer32:
                value = unchecked((long)_number);
                return true;
            case SnmpValueType.Counter32 or SnmpValueType.Gauge32 or SnmpValueType.TimeTicks:
                value = (long)_number;
                return true;
            case SnmpValueType.Counter64 when _number <= long.MaxValue:
                value = (long)_number;
                return true;
            default:
                value = 0;
                return false;
        }
    }

    /// <summary>An unsigned type's value (Counter32, Gauge32, TimeTicks, Counter64).</summary>
    public ulong AsUInt64() => Type is SnmpValueType.Counter32 or SnmpValueType.Gauge32 or SnmpValueType.TimeTicks or SnmpValueType.Counter64
        ? _number
        : throw new InvalidOperationException($"The value is {Type}, not an unsigned number.");

    public ObjectIdentifier AsObjectIdentifier() => _reference is ObjectIdentifier oid
        ? oid
        : throw new InvalidOperationException($"The value is {Type}, not an OBJECT IDENTIFIER.");

    public IPAddress AsIPAddress() => Type == SnmpValueType.IpAddress
        ? new IPAddress(Bytes)
        : throw new InvalidOperationException($"The value is {Type}, not an IpAddress.");

    /// <summary>The octets as text: UTF-8 when valid, else Latin-1, so no byte is lost silently.</summary>
    public string AsText()
    {
        ReadOnlySpan<byte> bytes = Bytes;
        return System.Text.Unicode.Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : Encoding.Latin1.GetString(bytes);
    }

    public bool Equals(SnmpValue other) => Type == other.Type && _number == other._number && _reference switch
    {
        byte[] bytes => other._reference is byte[] otherBytes && bytes.AsSpan().SequenceEqual(otherBytes),
        ObjectIdentifier oid => other._reference is ObjectIdentifier otherOid && oid == otherOid,
        _ => other._reference is null,
    };

    public override bool Equals(object? obj) => obj is SnmpValue other && Equals(other);

    public override int GetHashCode() => _reference switch
    {
        byte[] bytes => HashCode.Combine(Type, bytes.Length, bytes.Length > 0 ? bytes[0] : 0),
        ObjectIdentifier oid => HashCode.Combine(Type, oid),
        _ => HashCode.Combine(Type, _number),
    };

    public static bool operator ==(SnmpValue left, SnmpValue right) => left.Equals(right);
    public static bool operator !=(SnmpValue left, SnmpValue right) => !left.Equals(right);

    /// <summary>Debugging form; see <see cref="Text.NetSnmpFormat"/> for net-snmp's text.</summary>
    public override string ToString() => Text.NetSnmpFormat.FormatValue(this);

    internal ulong RawNumber => _number;
}
