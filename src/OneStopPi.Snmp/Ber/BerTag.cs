namespace OneStopPi.Snmp.Ber;

/// <summary>Identifier octets SNMP uses (X.690 8.1.2; RFC 3416 3; RFC 3412 6).</summary>
internal static class BerTag
{
    public const byte Integer = 0x02;
    public const byte OctetString = 0x04;
    public const byte Null = 0x05;
    public const byte ObjectIdentifier = 0x06;
    public const byte Sequence = 0x30;
}
