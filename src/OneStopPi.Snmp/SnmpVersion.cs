namespace OneStopPi.Snmp;

/// <summary>msgVersion on the wire: 0 = SNMPv1, 1 = SNMPv2c (RFC 1901), 3 = SNMPv3 (RFC 3412).</summary>
public enum SnmpVersion
{
    V1 = 0,
    V2c = 1,
    V3 = 3,
}
