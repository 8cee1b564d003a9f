namespace OneStopPi.Agent.Portal;

// The agent's side of the agent↔portal protocol (docs/portal-api.md), /api/agent/v1.
// Serialised only through AgentJsonContext (camelCase, source-generated).

public sealed record EnrolRequest(string EnrolmentKey, string HardwareId, string? Mac, string? Hostname, string? Version);

public sealed record EnrolResponse(Guid AgentId, string Token, bool Assigned);

public sealed record PortalAgentConfig(
    Guid AgentId,
    int? SiteId,
    bool Assigned,
    long Version,
    IReadOnlyList<string> Ranges,
    IReadOnlyList<string> Exclusions,
    PortalSnmpCredentials Snmp,
    PortalSchedule Schedule,
    string LogMode);

/// <summary>v1/v2c communities in the order to try them, and SNMPv3 users.</summary>
public sealed record PortalSnmpCredentials(IReadOnlyList<string> Communities, IReadOnlyList<PortalV3User> V3Users);

public sealed record PortalV3User(string User, string? AuthProtocol, string? AuthPassword, string? PrivProtocol, string? PrivPassword, string? Context);

/// <summary>MeterTime "HH:mm" in TimeZone (IANA id); CommandPollSeconds 0 = never poll.</summary>
public sealed record PortalSchedule(string MeterTime, string TimeZone, int StatusIntervalMinutes, int CommandPollSeconds);

public sealed record BatchAccepted(string BatchId, bool Duplicate, int Documents, int Readings);

/// <summary>
/// SetupKey: the box's local setup key (LAN face enabled only), so the portal can show it to operators; sent only over the authenticated TLS channel, never logged.
/// StageRestarts: how often a stage of the agent failed and was restarted since the process started. OutboxFull: the disk budget is
/// taken by meter batches and command results, new status readings are not queued. ClockSource: ntp, portal or none (SiteClock).
/// </summary>
public sealed record HeartbeatRequest(string? Version, long UptimeSeconds, DateTime? LastMeterScan, DateTime? LastStatusScan, int OutboxDepth, long DroppedReadings,
    string? SetupKey = null, int StageRestarts = 0, bool OutboxFull = false, string? ClockSource = null);

/// <summary>ServerTime: the portal's clock when it answered; the agent's time source where NTP is blocked (SiteClock).</summary>
public sealed record HeartbeatResponse(string ConfigEtag, int PendingCommands, DateTime? ServerTime = null);

public sealed record PortalCommand(long Id, int Type, string? Parameter, DateTime CreatedAt);

public sealed record CommandOutcome(bool Succeeded, string? Message);

/// <summary>RFC 9457 problem details, as the portal sends them on 4xx/5xx.</summary>
public sealed record ProblemDetailsBody(string? Title, int? Status, string? Detail);
