namespace OneStopPi.Snmp;

/// <summary>
/// The BER identifier octet of each value a varbind can carry (RFC 2578 7.1, RFC 3416 3 for the
/// context-class exceptions). The numbers are the wire tags; snmprec files use them in decimal.
/// </summary>
public enum SnmpValueType : byte
{
    Integer32 = 0x02,
    OctetString = 0x04,
    Null = 0x05,
    ObjectIdentifier = 0x06,
    IpAddress = 0x40,
    Counter32 = 0x41,
    Gauge32 = 0x42,
    TimeTicks = 0x43,
    Opaque = 0x44,
    Counter64 = 0x46,

    /// <summary>RFC 3416 3: [0] IMPLICIT NULL.</summary>
    NoSuchObject = 0x80,

    /// <summary>RFC 3416 3: [1] IMPLICIT NULL.</summary>
    NoSuchInstance = 0x81,

    /// <summary>RFC 3416 3: [2] IMPLICIT NULL.</summary>
    EndOfMibView = 0x82,
}
