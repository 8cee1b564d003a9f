namespace OneStopPi.Snmp;

/// <summary>
/// A datagram or value that is not valid SNMP BER: truncated, malformed, oversized or of an
/// unexpected type. The only exception the decoder lets out for bad input.
/// </summary>
public sealed class SnmpDecodeException : Exception
{
    public SnmpDecodeException(string message) : base(message) { }

    public SnmpDecodeException(string message, Exception innerException) : base(message, innerException) { }

    public SnmpDecodeException() : base("Malformed SNMP data.") { }
}
