using OneStopPi.Snmp.Pdus;

namespace OneStopPi.Snmp.Transport;

/// <summary>What the agent answered to one request (RFC 3416 3, Response-PDU).</summary>
public sealed record SnmpResponse(SnmpErrorStatus ErrorStatus, int ErrorIndex, IReadOnlyList<Varbind> Varbinds);
