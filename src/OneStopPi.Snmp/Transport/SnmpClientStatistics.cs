namespace OneStopPi.Snmp.Transport;

/// <summary>Counters of one client since it started.</summary>
public readonly record struct SnmpClientStatistics(
    long DatagramsSent,
    long Retransmissions,
    long ResponsesMatched,
    long Timeouts,
    long DroppedUnknownRequestId,
    long DroppedWrongSource,
    long DroppedMalformed,
    long DroppedSecurity,
    long SendErrors);
