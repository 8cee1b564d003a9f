namespace OneStopPi.Snmp.Security;

/// <summary>The counters a Report PDU carries and what each means (RFC 3414 5, RFC 3412 5, RFC 3413 4.1).</summary>
internal static class SnmpReportOids
{
    private static readonly ObjectIdentifier UsmStats = ObjectIdentifier.Parse("1.3.6.1.6.3.15.1.1");
    private static readonly ObjectIdentifier MpdStats = ObjectIdentifier.Parse("1.3.6.1.6.3.11.2.1");
    private static readonly ObjectIdentifier TargetStats = ObjectIdentifier.Parse("1.3.6.1.6.3.12.1");

    public static SnmpReportKind Classify(ObjectIdentifier oid)
    {
        if (oid.IsDescendantOf(UsmStats) && oid.Length >= UsmStats.Length + 1)
        {
            return oid[UsmStats.Length] switch
            {
                1 => SnmpReportKind.UnsupportedSecurityLevel,
                2 => SnmpReportKind.NotInTimeWindow,
                3 => SnmpReportKind.UnknownUserName,
                4 => SnmpReportKind.UnknownEngineId,
                5 => SnmpReportKind.WrongDigest,
                6 => SnmpReportKind.DecryptionError,
                _ => SnmpReportKind.Unknown,
            };
        }

        if (oid.IsDescendantOf(MpdStats) && oid.Length >= MpdStats.Length + 1)
        {
            return oid[MpdStats.Length] switch
            {
                1 => SnmpReportKind.UnknownSecurityModel,
                2 => SnmpReportKind.InvalidMessage,
                3 => SnmpReportKind.UnknownPduHandler,
                _ => SnmpReportKind.Unknown,
            };
        }

        if (oid.IsDescendantOf(TargetStats) && oid.Length >= TargetStats.Length + 1)
        {
            return oid[TargetStats.Length] switch
            {
                4 => SnmpReportKind.UnavailableContext,
                5 => SnmpReportKind.UnknownContext,
                _ => SnmpReportKind.Unknown,
            };
        }

        return SnmpReportKind.Unknown;
    }
}
