namespace OneStopPi.Portal.Api;

// Wire records of both APIs. Serialized only through PortalJsonContext (camelCase).

// ---- agent API -------------------------------------------------------------------------------

public sealed record EnrolRequest(string EnrolmentKey, string HardwareId, string? Mac, string? Hostname, string? Version);

public sealed record EnrolResponse(Guid AgentId, string Token, bool Assigned);

public sealed record AgentConfig(
    Guid AgentId,
    int? SiteId,
    bool Assigned,
    long Version,
    IReadOnlyList<string> Ranges,
    IReadOnlyList<string> Exclusions,
    SnmpCredentials Snmp,
    ScheduleConfig Schedule,
    string LogMode);

/// <summary>v1/v2c communities in the order to try them; v3 users.</summary>
public sealed record SnmpCredentials(IReadOnlyList<string> Communities, IReadOnlyList<SnmpV3User> V3Users);

/// <summary>An SNMPv3 user. AuthProtocol: MD5, SHA, SHA224..SHA512; PrivProtocol: DES, 3DES, AES, AES192, AES256 (Blumenthal key extension), AES192C, AES256C (Reeder/"Cisco").</summary>
public sealed record SnmpV3User(
    string User, string? AuthProtocol, string? AuthPassword, string? PrivProtocol, string? PrivPassword, string? Context);

/// <summary>MeterTime "HH:mm" in TimeZone (IANA id); CommandPollSeconds 0 = never poll.</summary>
public sealed record ScheduleConfig(string MeterTime, string TimeZone, int StatusIntervalMinutes, int CommandPollSeconds);

public sealed record BatchAccepted(string BatchId, bool Duplicate, int Documents, int Readings);

public sealed record HeartbeatRequest(
    string? Version, long UptimeSeconds, DateTime? LastMeterScan, DateTime? LastStatusScan, int OutboxDepth, long DroppedReadings,
    string? SetupKey = null);

/// <summary>ServerTime: the portal's clock as it answers; an agent whose site blocks NTP keeps its time by it.</summary>
public sealed record HeartbeatResponse(string ConfigEtag, int PendingCommands, DateTime ServerTime);

public sealed record CommandDto(long Id, int Type, string? Parameter, DateTime CreatedAt);

public sealed record CommandOutcome(bool Succeeded, string? Message);

// ---- operator API ----------------------------------------------------------------------------

public sealed record CreateSiteRequest(string Name, string? TimeZone);

public sealed record SiteCreated(int SiteId, string Name, string EnrolmentKey);

public sealed record SiteView(int Id, string Name, string TimeZone, int Agents, int Devices, DateTime CreatedAt);

/// <summary>Every field optional: null leaves it as it is.</summary>
public sealed record SiteConfigUpdate(
    IReadOnlyList<string>? Ranges,
    IReadOnlyList<string>? Exclusions,
    IReadOnlyList<string>? Communities,
    IReadOnlyList<SnmpV3User>? V3Users,
    string? MeterTime,
    string? TimeZone,
    int? StatusIntervalMinutes,
    int? CommandPollSeconds,
    string? LogMode);

/// <summary>A site's configuration as the operator sees it: credentials are counted and named, never shown.</summary>
public sealed record SiteConfigView(
    int SiteId,
    long Version,
    IReadOnlyList<string> Ranges,
    IReadOnlyList<string> Exclusions,
    int Communities,
    IReadOnlyList<string> V3Users,
    ScheduleConfig Schedule,
    string LogMode);

public sealed record AgentView(
    Guid Id,
    string HardwareId,
    string? Mac,
    string? Hostname,
    string? Version,
    int EnrolledSiteId,
    int? SiteId,
    DateTime EnrolledAt,
    DateTime? LastSeenAt,
    DateTime? LastHeartbeatAt,
    long? UptimeSeconds,
    DateTime? LastMeterScanAt,
    DateTime? LastStatusScanAt,
    int? OutboxDepth,
    long? DroppedReadings,
    string? SetupKey,
    string? Upgrade = null);

public sealed record AssignRequest(int SiteId);

public sealed record QueueCommandRequest(int Type, string? Parameter);

public sealed record CommandView(
    long Id,
    Guid AgentId,
    int Type,
    string TypeName,
    string? Parameter,
    string State,
    DateTime CreatedAt,
    DateTime? DeliveredAt,
    DateTime? AcknowledgedAt,
    DateTime? CompletedAt,
    string? Message,
    long? ResultSize);

public sealed record CounterView(string Name, long Value, string Oid);

public sealed record SupplyView(
    string? Description, string? Type, string? Colour, int? Level, int? Max, string? Unit, int? Percent, string? State,
    SupplyForecastView? Forecast = null);

public sealed record DeviceView(
    long Id,
    int SiteId,
    string Vendor,
    string? Model,
    string? Serial,
    string? Mac,
    string Ip,
    DateTime LastSeenAt,
    int? HrDeviceStatus,
    int? HrPrinterStatus,
    string? Errors,
    DateTime? MetersAt,
    IReadOnlyList<CounterView> Counters,
    DateTime? SuppliesAt,
    IReadOnlyList<SupplyView> Supplies);

public sealed record CounterHistoryPoint(DateTime At, IReadOnlyList<CounterView> Counters);

// ---- releases and remote upgrade ---------------------------------------------------------------

/// <summary>One architecture's package of a release; Sha256 in hex.</summary>
public sealed record ReleaseView(string Version, string Architecture, long Size, string Sha256, DateTime UploadedAt);

/// <summary>AllowDowngrade also allows reinstalling the version an agent already runs.</summary>
public sealed record UpgradeRequest(string Version, bool AllowDowngrade = false);

/// <summary>The upgrade command's parameter, as the agent reads it (docs/portal-api.md, "Remote upgrade").</summary>
public sealed record UpgradeParameter(string Version, bool AllowDowngrade, IReadOnlyList<UpgradePackage> Packages);

/// <summary>Sha256 in hex; Signature base64 of the DER signature.</summary>
public sealed record UpgradePackage(string Architecture, long Size, string Sha256, string Signature);
