using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Lan.Discovery;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Lan;

// What GET /status returns and the page shows (docs/lan-discovery.md). ClockSynchronised: the time of day is
// trusted; ClockSource says from where: "ntp", "portal" (NTP silent, the portal's clock) or "none". Nothing secret: no token,
// no enrolment or setup key, no SNMP credential (none of those types are reachable from here).

public sealed record StatusReport(
    string? AgentId,
    string HardwareId,
    string Version,
    string Hostname,
    string MdnsName,
    DateTimeOffset StartedAt,
    long UptimeSeconds,
    EnrolmentReport Enrolment,
    PortalReport Portal,
    ScansReport Scans,
    OutboxReport Outbox,
    bool ClockSynchronised,
    string ClockSource,
    IReadOnlyList<InterfaceReport> Network,
    DiscoveryCountersReport Discovery,
    StagesReport Stages);

public sealed record EnrolmentReport(bool Enrolled, bool Assigned, int? SiteId, string? PortalHost);

/// <summary>Reachable: the portal answered within the last <see cref="LanStatusService.ReachableWindow"/>; null when never.</summary>
public sealed record PortalReport(bool? Reachable, DateTimeOffset? LastContact);

/// <summary>Devices: printers found (discovery) or read (meter, status); null when not seen since start.</summary>
public sealed record ScanReport(DateTimeOffset? Finished, int? Devices, int? Answered, bool? Failed);

public sealed record ScansReport(ScanReport Discovery, ScanReport Meter, ScanReport Status, int KnownDevices);

/// <summary>StatusPaused: the budget is taken by meter batches and command results; new status readings are not queued.</summary>
public sealed record OutboxReport(int Depth, long Bytes, long Dropped, long BudgetBytes, bool StatusPaused);

/// <summary>The agent's stages (scheduler, scan worker, uploader, portal sync, LAN face): restarts after a failure, and the first one stalled.</summary>
public sealed record StagesReport(int Restarts, string? Stalled, IReadOnlyList<StageReport> Each);

public sealed record StageReport(string Name, bool Alive, long SilentSeconds, int Restarts, string? LastFailure);

public sealed record InterfaceReport(string Name, string? Mac, string Address);

public sealed record DiscoveryCountersReport(long Probes, long Answered, long Malformed, long RateLimited);

public sealed record DevicesReport(int Count, IReadOnlyList<LocalDevice> Devices);

public sealed record HealthReport(string Status);

/// <summary>Builds <see cref="StatusReport"/> from the agent's live state.</summary>
public sealed class LanStatusService
{
    /// <summary>Twice the heartbeat interval: one missed heartbeat is not yet "unreachable".</summary>
    public static readonly TimeSpan ReachableWindow = new Hosting.AgentTimings().Heartbeat * 2 + TimeSpan.FromMinutes(1);

    private readonly AgentSettings _settings;
    private readonly PortalLink _link;
    private readonly RunStateStore _runState;
    private readonly FileOutbox _outbox;
    private readonly SiteClock _clock;
    private readonly ScanHistory _history;
    private readonly ILocalDeviceSource _devices;
    private readonly DiscoveryCounters _counters;
    private readonly HardwareIdentity _hardware;
    private readonly LanIdentity _identity;
    private readonly LanName _name;
    private readonly string _version;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly DateTimeOffset _startedAt;
    private readonly AgentStages _stages;

    public LanStatusService(AgentSettings settings, PortalLink link, RunStateStore runState, FileOutbox outbox, SiteClock clock,
        ScanHistory history, ILocalDeviceSource devices, DiscoveryCounters counters, HardwareIdentity hardware, LanIdentity identity,
        LanName name, AgentVersion version, TimeProvider time, AgentStages stages)
    {
        _stages = stages;
        _settings = settings;
        _link = link;
        _runState = runState;
        _outbox = outbox;
        _clock = clock;
        _history = history;
        _devices = devices;
        _counters = counters;
        _hardware = hardware;
        _identity = identity;
        _name = name;
        _version = version.Value;
        _time = time;
        _started = time.GetTimestamp();
        _startedAt = time.GetUtcNow();
    }

    public LanIdentity Identity => _identity;

    /// <summary>The name in use on the link (after mDNS conflict resolution).</summary>
    public LanName Name => _name;

    public string Version => _version;

    public bool Enrolled => _link.Session is not null;

    public Guid? AgentId => _link.Session?.AgentId;

    public IReadOnlyList<LocalDevice> Devices() => _devices.Snapshot();

    public StatusReport Build()
    {
        DateTimeOffset now = _time.GetUtcNow();
        AgentRunState run = _runState.Current;
        ScanRecord? meter = _history.LastMeter;
        ScanRecord? status = _history.LastStatus;
        DateTimeOffset? contact = _link.LastContact;
        Uri? portal = _link.Session?.Uri("") ?? _settings.PortalUrl;
        return new StatusReport(
            _link.Session?.AgentId.ToString(),
            _hardware.HardwareId,
            _version,
            _hardware.Hostname,
            _name.HostName,
            _startedAt,
            (long)_time.GetElapsedTime(_started).TotalSeconds,
            new EnrolmentReport(_link.Session is not null, _link.Plan?.Assigned ?? false, _link.Plan?.SiteId, portal?.Host),
            new PortalReport(contact is null ? null : now - contact.Value <= ReachableWindow, contact),
            new ScansReport(
                new ScanReport(meter?.Finished ?? run.LastMeterScan, meter?.Devices, null, meter?.Failed),
                new ScanReport(meter?.Finished ?? run.LastMeterScan, meter?.Devices, meter?.Answered, meter?.Failed),
                new ScanReport(status?.Finished ?? run.LastStatusScan, status?.Devices, status?.Answered, status?.Failed),
                _devices.Snapshot().Count),
            new OutboxReport(_outbox.Count, _outbox.TotalBytes, _outbox.Dropped, _outbox.BudgetBytes, _outbox.StatusPaused),
            _clock.IsTrusted,
            _clock.Source.ToString().ToLowerInvariant(),
            [.. LanInterface.Enumerate().Select(i => new InterfaceReport(i.Name, i.Mac, $"{i.Address}/{i.PrefixLength}"))],
            _counters.Report(),
            Stages());
    }

    private StagesReport Stages()
    {
        StageReport[] each = [.. _stages.All.Select(s => new StageReport(s.Name, !s.IsStalled(out TimeSpan silent), (long)silent.TotalSeconds, s.Restarts, s.LastFailure))];
        return new StagesReport(each.Sum(s => s.Restarts), each.FirstOrDefault(s => !s.Alive)?.Name, each);
    }
}
