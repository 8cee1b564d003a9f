namespace OneStopPi.Contracts;

/// <summary>
/// POST /heartbeat. SetupKey: the box's local setup key (LAN face enabled only), sent only over the authenticated
/// TLS channel, never logged. StageRestarts: how often a stage of the agent failed and was restarted since the process
/// started. OutboxFull: the disk budget is taken by meter batches and command results, so new status readings are not
/// queued, or the disk itself is full, so the last batch could not be stored. ClockSource: <see cref="ClockSources"/>.
/// </summary>
public sealed record HeartbeatRequest(
    string? Version,
    long UptimeSeconds,
    DateTime? LastMeterScan,
    DateTime? LastStatusScan,
    int OutboxDepth,
    long DroppedReadings,
    string? SetupKey = null,
    int StageRestarts = 0,
    bool OutboxFull = false,
    string? ClockSource = null);

/// <summary>ServerTime: the portal's clock (UTC) as it answers; an agent whose site blocks NTP keeps its time by it.</summary>
public sealed record HeartbeatResponse(string ConfigEtag, int PendingCommands, DateTime? ServerTime);

/// <summary>Which clock an agent trusts: NTP-synchronised, the portal's answers, or neither yet.</summary>
public static class ClockSources
{
    public const string Ntp = "ntp";
    public const string Portal = "portal";
    public const string None = "none";
}
