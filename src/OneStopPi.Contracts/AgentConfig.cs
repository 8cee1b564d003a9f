namespace OneStopPi.Contracts;

/// <summary>GET /config: what an agent scans, with which credentials, when. Unassigned: no ranges, no credentials.</summary>
public sealed record AgentConfig(
    Guid AgentId,
    int? SiteId,
    bool Assigned,
    long Version,
    IReadOnlyList<string> Ranges,
    IReadOnlyList<string> Exclusions,
    SnmpConfig Snmp,
    ScheduleConfig Schedule,
    string LogMode);

/// <summary>v1/v2c communities in the order to try them, and SNMPv3 users.</summary>
public sealed record SnmpConfig(IReadOnlyList<string> Communities, IReadOnlyList<SnmpV3User> V3Users);

/// <summary>
/// An SNMPv3 user. AuthProtocol: MD5, SHA, SHA224..SHA512; PrivProtocol: DES, 3DES, AES, AES192, AES256
/// (Blumenthal key extension), AES192C, AES256C (Reeder/"Cisco").
/// </summary>
public sealed record SnmpV3User(string User, string? AuthProtocol, string? AuthPassword, string? PrivProtocol, string? PrivPassword, string? Context);

/// <summary>
/// When an agent reads: the meter reads at <see cref="MeterTimes"/> ("HH:mm" each, several a day) in TimeZone (IANA id);
/// CommandPollSeconds 0 = never poll. <see cref="MeterTime"/> is the first of the list, what agents before
/// several reads a day know: they read once a day at it. A configuration without <see cref="MeterTimes"/> (a portal
/// before them) reads once a day at <see cref="MeterTime"/>.
/// </summary>
public sealed record ScheduleConfig(string MeterTime, string TimeZone, int StatusIntervalMinutes, int CommandPollSeconds,
    IReadOnlyList<string>? MeterTimes = null)
{
    /// <summary>The meter-read times to run: <see cref="MeterTimes"/> when given, else the one <see cref="MeterTime"/>.</summary>
    public IReadOnlyList<string> AllMeterTimes() => MeterTimes is { Count: > 0 } times ? times : [MeterTime];

    /// <summary>The schedule for a list of times (at least one): the first is also the single time older agents read.</summary>
    public static ScheduleConfig ForTimes(IReadOnlyList<string> meterTimes, string timeZone, int statusIntervalMinutes, int commandPollSeconds) =>
        new(meterTimes[0], timeZone, statusIntervalMinutes, commandPollSeconds, meterTimes);
}

/// <summary>The log modes an operator can set, in the configuration or with the set-log-mode command.</summary>
public static class LogModes
{
    public const string Normal = "normal";
    public const string Verbose = "verbose";
    public const string Debug = "debug";

    public static IReadOnlyList<string> All { get; } = [Normal, Verbose, Debug];

    public static bool IsKnown(string? mode) => mode is Normal or Verbose or Debug;
}
