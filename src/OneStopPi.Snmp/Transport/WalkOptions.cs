namespace OneStopPi.Snmp.Transport;

/// <summary>How <see cref="SnmpClient.WalkAsync"/> walks.</summary>
public sealed record WalkOptions
{
    public static WalkOptions Default { get; } = new();

    /// <summary>Use GETBULK where the version has it (v2c, v3).</summary>
    public bool UseGetBulk { get; init; } = true;

    /// <summary>max-repetitions per GETBULK; halved automatically on tooBig.</summary>
    public int MaxRepetitions { get; init; } = 25;

    /// <summary>Bound on the objects one walk returns, so an agent inventing OIDs cannot keep us forever.</summary>
    public long MaxVarbinds { get; init; } = 1_000_000;

    /// <summary>When the subtree is empty, GET the root itself (net-snmp snmpwalk's behaviour).</summary>
    public bool GetRootWhenEmpty { get; init; } = true;
}
