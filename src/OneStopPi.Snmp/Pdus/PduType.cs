namespace OneStopPi.Snmp.Pdus;

/// <summary>
/// The PDU kinds this library can build or read (RFC 3416 3, context-specific constructed tags).
/// Read-only by construction: SetRequest [3], the v1 Trap [4] and every other write or notification
/// PDU are absent on purpose, so no caller can ask a device to change anything.
/// </summary>
public enum PduType : byte
{
    GetRequest = 0xA0,
    GetNextRequest = 0xA1,
    Response = 0xA2,
    GetBulkRequest = 0xA5,
    Report = 0xA8,
}
