namespace OneStopPi.Snmp.Messages;

/// <summary>msgFlags (RFC 3412 6.4): authFlag, privFlag, reportableFlag.</summary>
[Flags]
public enum V3MessageFlags : byte
{
    None = 0,
    Authenticated = 1,
    Private = 2,
    Reportable = 4,
}
