using OneStopPi.Snmp.Ber;

namespace OneStopPi.Snmp.Messages;

/// <summary>The part every SNMP message starts with: SEQUENCE { msgVersion INTEGER, ... }.</summary>
internal static class MessageHeader
{
    /// <summary>Opens the outer SEQUENCE and reads the version; the reader is left after it.</summary>
    public static BerReader OpenMessage(ReadOnlySpan<byte> datagram, out SnmpVersion version)
    {
        var outer = new BerReader(datagram);
        BerReader message = outer.ReadSequence("Message");
        outer.ThrowIfTrailingData("Message");
        long number = message.ReadInteger("msgVersion");
        version = number switch
        {
            0 => SnmpVersion.V1,
            1 => SnmpVersion.V2c,
            3 => SnmpVersion.V3,
            _ => throw new SnmpDecodeException($"Unsupported SNMP version {number}."),
        };
        return message;
    }

    /// <summary>Reads only the version, for dispatching a datagram; false when it is not SNMP.</summary>
    public static bool TryPeekVersion(ReadOnlySpan<byte> datagram, out SnmpVersion version)
    {
        try
        {
            OpenMessage(datagram, out version);
            return true;
        }
        catch (SnmpDecodeException)
        {
            version = default;
            return false;
        }
    }
}
