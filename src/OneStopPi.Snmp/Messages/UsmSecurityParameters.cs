namespace OneStopPi.Snmp.Messages;

/// <summary>UsmSecurityParameters (RFC 3414 2.4), carried BER-encoded inside msgSecurityParameters.</summary>
public sealed record UsmSecurityParameters(
    ReadOnlyMemory<byte> EngineId,
    uint EngineBoots,
    uint EngineTime,
    ReadOnlyMemory<byte> UserName,
    ReadOnlyMemory<byte> AuthenticationParameters,
    ReadOnlyMemory<byte> PrivacyParameters);
