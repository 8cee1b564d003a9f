
using OneStopPi.Contracts;

namespace OneStopPi.Portal.Api;

// The operator API's records, serialized through PortalJsonContext (camelCase). The agent API's are the
// contract's (OneStopPi.Contracts), shared with the agent.

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
    string? LogMode,
    IReadOnlyList<string>? MeterTimes = null);

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
    string? Upgrade = null,
    int? StageRestarts = null,
    bool? OutboxFull = null,
    string? ClockSource = null,
    bool? Silent = null);

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
    IReadOnlyList<SupplyView> Supplies,
    IReadOnlyList<DeviceSightingView>? SeenBy = null);

/// <summary>One box's last answered reading of a device (two boxes on one site both read it); newest first in a list.</summary>
public sealed record DeviceSightingView(Guid AgentId, string Box, DateTime LastSeenAt, string Ip, bool Silent);

public sealed record CounterHistoryPoint(DateTime At, IReadOnlyList<CounterView> Counters);

// ---- releases and remote upgrade ---------------------------------------------------------------

/// <summary>One architecture's package of a release; Sha256 in hex.</summary>
public sealed record ReleaseView(string Version, string Architecture, long Size, string Sha256, DateTime UploadedAt);

/// <summary>AllowDowngrade also allows reinstalling the version an agent already runs.</summary>
public sealed record UpgradeRequest(string Version, bool AllowDowngrade = false);
