namespace OneStopPi.Portal.Data;

// The portal's tables. Every time is UTC. Ids of the agent-facing rows are what the protocol uses.

/// <summary>A customer site: its enrolment key (hash only) and the configuration its agents receive.</summary>
internal sealed class Site
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required byte[] EnrolmentKeyHash { get; set; }
    public DateTime CreatedAt { get; set; }
    public string TimeZone { get; set; } = "UTC";
    /// <summary>The first meter-read time, "HH:mm" in <see cref="TimeZone"/>: the one time agents before several reads a day read at.</summary>
    public string MeterTime { get; set; } = "06:00";
    /// <summary>Every meter-read time of the day, "HH:mm" comma separated, in order; null: <see cref="MeterTime"/> alone.</summary>
    public string? MeterTimes { get; set; }
    public int StatusIntervalMinutes { get; set; } = 15;
    /// <summary>0 = the agent never polls for commands.</summary>
    public int CommandPollSeconds { get; set; } = 300;
    public string LogMode { get; set; } = "normal";
    /// <summary>Ranges, one per line: a.b.c.d, a.b.c.d/nn or a.b.c.d-e.f.g.h.</summary>
    public string Ranges { get; set; } = "";
    public string Exclusions { get; set; } = "";
    /// <summary>SNMP credentials as JSON, protected with ASP.NET Core Data Protection; never plain text.</summary>
    public string? CredentialsProtected { get; set; }
    /// <summary>Raised on every change of what an agent of this site receives.</summary>
    public long ConfigVersion { get; set; } = 1;
}

internal sealed class Agent
{
    public Guid Id { get; set; }
    public required byte[] TokenHash { get; set; }
    public required string HardwareId { get; set; }
    public string? Mac { get; set; }
    public string? Hostname { get; set; }
    public string? Version { get; set; }
    public int EnrolledSiteId { get; set; }
    /// <summary>Null until an operator assigns the agent: then it gets an empty configuration.</summary>
    public int? SiteId { get; set; }
    public DateTime EnrolledAt { get; set; }
    public DateTime? LastSeenAt { get; set; }
    public DateTime? LastHeartbeatAt { get; set; }
    public long? UptimeSeconds { get; set; }
    public DateTime? LastMeterScanAt { get; set; }
    public DateTime? LastStatusScanAt { get; set; }
    public int? OutboxDepth { get; set; }
    public long? DroppedReadings { get; set; }
    /// <summary>From the heartbeat: how often the agent's stages failed and were restarted since it started.</summary>
    public int? StageRestarts { get; set; }
    /// <summary>From the heartbeat: the agent's disk budget is full of batches it keeps, so new status readings are not queued.</summary>
    public bool? OutboxFull { get; set; }
    /// <summary>From the heartbeat: the clock the agent trusts (ntp, portal, none).</summary>
    public string? ClockSource { get; set; }
    /// <summary>The box's local setup key from its heartbeat, protected with ASP.NET Core Data Protection; never plain text.</summary>
    public string? SetupKeyProtected { get; set; }
}

internal sealed class OperatorToken
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required byte[] TokenHash { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>One uploaded ZIP; <see cref="BatchKey"/> is unique, which makes a retried upload idempotent.</summary>
internal sealed class UploadBatch
{
    public long Id { get; set; }
    public required string BatchKey { get; set; }
    public Guid AgentId { get; set; }
    public int SiteId { get; set; }
    public DateTime ReceivedAt { get; set; }
    public required byte[] ContentSha256 { get; set; }
    public long SizeBytes { get; set; }
    public int DocumentCount { get; set; }
    public int ReadingCount { get; set; }
}

internal enum ScanKind
{
    Meter = 1,
    Status = 2,
}

/// <summary>One reading document of a batch.</summary>
internal sealed class Scan
{
    public long Id { get; set; }
    public long BatchId { get; set; }
    public UploadBatch? Batch { get; set; }
    public Guid AgentId { get; set; }
    public int SiteId { get; set; }
    public ScanKind Kind { get; set; }
    public bool MissedMeter { get; set; }
    /// <summary>A scheduled meter read: the slot's scheduled time (UTC), the same for every box of the site; else null.</summary>
    public DateTime? Slot { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime EndedAt { get; set; }
    public required string EntryName { get; set; }
}

/// <summary>A printer, identified within its site by vendor + serial, then by MAC.</summary>
internal sealed class Device
{
    public long Id { get; set; }
    public int SiteId { get; set; }
    public string Vendor { get; set; } = "";
    public string? Serial { get; set; }
    public string? Mac { get; set; }
    public string? Model { get; set; }
    public required string Ip { get; set; }
    public int Port { get; set; } = 161;
    public string? Firmware { get; set; }
    public string? SysName { get; set; }
    public string? SysDescr { get; set; }
    public string? SysObjectId { get; set; }
    public DateTime FirstSeenAt { get; set; }
    public DateTime LastSeenAt { get; set; }
    /// <summary>The box whose reading last saw the device answer (two boxes on one site both read it).</summary>
    public Guid? LastSeenByAgentId { get; set; }
    public long? LatestReadingId { get; set; }
    public DateTime? LatestReadingAt { get; set; }
    public long? LatestMeterReadingId { get; set; }
    public DateTime? LatestMeterAt { get; set; }
    public long? LatestSupplyReadingId { get; set; }
    public DateTime? LatestSupplyAt { get; set; }
}

/// <summary>One device in one scan: status, counters and supplies, or the error of a device that did not answer.</summary>
internal sealed class Reading
{
    public long Id { get; set; }
    public long ScanId { get; set; }
    public Scan? Scan { get; set; }
    public long BatchId { get; set; }
    public int SiteId { get; set; }
    public long? DeviceId { get; set; }
    public Device? Device { get; set; }
    public ScanKind Kind { get; set; }
    /// <summary>The scan's end time.</summary>
    public DateTime At { get; set; }
    /// <summary>
    /// The scheduled meter slot an answered reading belongs to (null otherwise): unique per device, so two boxes reading
    /// one site at 07:30 leave one reading of each device for that slot, not two.
    /// </summary>
    public DateTime? Slot { get; set; }
    public required string Ip { get; set; }
    public string? Error { get; set; }
    public int? HrDeviceStatus { get; set; }
    public int? HrPrinterStatus { get; set; }
    /// <summary>hrPrinterDetectedErrorState names, space separated.</summary>
    public string? Errors { get; set; }
    public List<CounterValue> Counters { get; set; } = [];
    public List<SupplyLevel> Supplies { get; set; } = [];
    public List<ReadingAlert> Alerts { get; set; } = [];
}

/// <summary>When one box last read one device (answered): which box saw what, and when each last did.</summary>
internal sealed class DeviceSighting
{
    public long DeviceId { get; set; }
    public Device? Device { get; set; }
    public Guid AgentId { get; set; }
    public DateTime LastSeenAt { get; set; }
    public required string Ip { get; set; }
}

internal sealed class CounterValue
{
    public long Id { get; set; }
    public long ReadingId { get; set; }
    public required string Name { get; set; }
    public long Value { get; set; }
    public required string Oid { get; set; }
}

internal sealed class SupplyLevel
{
    public long Id { get; set; }
    public long ReadingId { get; set; }
    public int Position { get; set; }
    public string? Description { get; set; }
    public string? Type { get; set; }
    public string? Colour { get; set; }
    public int? Level { get; set; }
    public int? Max { get; set; }
    public string? Unit { get; set; }
    public int? Percent { get; set; }
    public string? State { get; set; }
}

internal sealed class ReadingAlert
{
    public long Id { get; set; }
    public long ReadingId { get; set; }
    public string? Severity { get; set; }
    public string? Group { get; set; }
    public int? Code { get; set; }
    public string? Description { get; set; }
}

internal enum CommandState
{
    Queued = 0,
    Delivered = 1,
    Acknowledged = 2,
    Completed = 3,
    Failed = 4,
}

internal sealed class AgentCommand
{
    public long Id { get; set; }
    public Guid AgentId { get; set; }
    public int Type { get; set; }
    public string? Parameter { get; set; }
    public CommandState State { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
    public DateTime? AcknowledgedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public string? Message { get; set; }
    public long? ResultSize { get; set; }
}

/// <summary>The ZIP an agent uploaded against a command (logs, MIB walk).</summary>
internal sealed class CommandResult
{
    public long CommandId { get; set; }
    public required byte[] Content { get; set; }
    public required byte[] Sha256 { get; set; }
    public DateTime ReceivedAt { get; set; }
}

/// <summary>
/// One architecture's .deb of a release, signed with a release key the portal trusts. The file lives in the
/// data directory (releases/SHA256.deb); the row says what it is.
/// </summary>
internal sealed class Release
{
    public int Id { get; set; }
    public required string Version { get; set; }
    public required string Architecture { get; set; }
    public long SizeBytes { get; set; }
    public required byte[] Sha256 { get; set; }
    /// <summary>The detached DER ECDSA signature, as uploaded.</summary>
    public required byte[] Signature { get; set; }
    public DateTime UploadedAt { get; set; }
}
