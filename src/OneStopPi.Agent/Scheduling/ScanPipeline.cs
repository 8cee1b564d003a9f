using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.State;
using OneStopPi.Collection;
using OneStopPi.Collection.Discovery;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Agent.Scheduling;

/// <summary>
/// One scan, stage by stage: targets (the site's ranges for a meter scan, the known printers for
/// a status scan) → collection (first credential that answers, the last good one first) → the
/// reading document → zip → the durable outbox. Returns once the batch is on disk. A status scan
/// looks for known printers that did not answer at their last address with one sweep of the
/// site's ranges (paced by <see cref="RefindLimiter"/>) and reads the ones it finds where they are now.
/// </summary>
public sealed partial class ScanPipeline : IScanPipeline
{
    private const int Concurrency = 64;
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromMilliseconds(1500);

    private readonly IDeviceCollector _collector;
    private readonly PortalLink _link;
    private readonly FileOutbox _outbox;
    private readonly StageLiveness _liveness;
    private readonly TimeProvider _time;
    private readonly ILogger<ScanPipeline> _logger;
    private readonly string _registryPath;
    private readonly IDiscoveryScanner _scanner;
    private readonly RefindLimiter _refind;

    private readonly int _snmpPort;

    public ScanPipeline(IDeviceCollector collector, IDiscoveryScanner scanner, PortalLink link, FileOutbox outbox, AgentStages stages, AgentPaths paths,
        AgentSettings settings, AgentTimings timings, TimeProvider time, ILogger<ScanPipeline> logger)
    {
        _snmpPort = settings.SnmpPort;
        _collector = collector;
        _link = link;
        _outbox = outbox;
        _liveness = stages.Stage(AgentStages.ScanWorker, timings.ScanStallLimit);
        _time = time;
        _logger = logger;
        _registryPath = paths.State("devices.json");
        _scanner = scanner;
        _refind = new RefindLimiter(timings.RefindInterval, time);
    }

    /// <summary>Readings per outbox batch: what a scan holds in memory at most, however many printers the site has.</summary>
    public int DevicesPerBatch { get; init; } = DefaultDevicesPerBatch;

    public const int DefaultDevicesPerBatch = 250;

    public async Task<ScanOutcome> RunAsync(ScanJob job, SitePlan plan, CancellationToken cancellationToken)
    {
        PortalSession session = _link.Session ?? throw new InvalidOperationException("Not enrolled with the portal.");
        DateTimeOffset start = _time.GetUtcNow();
        DeviceRegistry registry = await LoadRegistryAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<RegisteredDevice> targets = job.Kind == ScanKind.Meter
            ? await DiscoverAsync(plan, registry, cancellationToken).ConfigureAwait(false)
            : registry.Devices;

        var reader = new PrinterReader(_collector, new CredentialPlan(plan.Credentials), Attempt);
        var scan = new ScanResults(new ScanBatches(_outbox, _time, session.AgentId.ToString(), (plan.SiteId ?? 0).ToString(CultureInfo.InvariantCulture),
            job.Kind, job.Missed, start, DevicesPerBatch) { Slot = job.MeterSlot }, _time);
        // A status scan holds back the devices that did not answer and could be recognised elsewhere, for the re-find.
        var missing = new List<DeviceResult>();
        await foreach (DeviceResult result in ReadAllAsync(reader, targets, cancellationToken).ConfigureAwait(false))
        {
            if (job.Kind == ScanKind.Status && !result.Reading.Answered && !result.Device.Key.StartsWith("ip:", StringComparison.Ordinal))
            {
                missing.Add(result);
                continue;
            }

            await scan.AddAsync(result, cancellationToken).ConfigureAwait(false);
        }

        if (job.Kind == ScanKind.Meter)
        {
            FoldIn(registry, scan.Answered);
            await SaveRegistryAsync(registry, cancellationToken).ConfigureAwait(false);
        }
        else if (await RefindAsync(plan, registry, reader, missing, scan, cancellationToken).ConfigureAwait(false))
        {
            await SaveRegistryAsync(registry, cancellationToken).ConfigureAwait(false);
        }

        foreach (DeviceResult result in missing)
        {
            await scan.AddAsync(result, cancellationToken).ConfigureAwait(false);
        }

        return await scan.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The registry is what the next scans start from, the readings are what the dealer bills from: a registry that
    /// cannot be written (a full disk) is logged and the readings still go on to the outbox. The next scan finds the
    /// devices again from the site's ranges.
    /// </summary>
    private async Task SaveRegistryAsync(DeviceRegistry registry, CancellationToken cancellationToken)
    {
        try
        {
            await RegistryFile.SaveAsync(_registryPath, registry, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogRegistryNotSaved(_registryPath, e.Message);
        }
    }

    /// <summary>Reads every device at its registered address, <see cref="Concurrency"/> at a time, in address order, as they complete.</summary>
    private async IAsyncEnumerable<DeviceResult> ReadAllAsync(PrinterReader reader, IEnumerable<RegisteredDevice> devices,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IEnumerable<RegisteredDevice> ordered = devices.OrderBy(d => IPAddress.Parse(d.Ip), AddressOrder.Instance).ThenBy(d => d.Port);
        await foreach ((RegisteredDevice device, PrinterRead read) in reader.ReadAllAsync(ordered,
            d => (new IPEndPoint(IPAddress.Parse(d.Ip), d.Port), d.CredentialIndex), Concurrency, cancellationToken).ConfigureAwait(false))
        {
            _liveness.Beat();
            yield return new DeviceResult(device, read.Reading, read.Credential);
        }
    }

    /// <summary>The full reading knows the serial and MAC better than the probe did: folds that into the registry.</summary>
    private void FoldIn(DeviceRegistry registry, IReadOnlyList<DiscoveredDevice> answered)
    {
        if (answered.Count > 0)
        {
            registry.Merge(answered, _time.GetUtcNow());
        }
    }

    /// <summary>
    /// The status scan's second chance for known devices that did not answer at their last address (a DHCP lease
    /// that changed since the morning): one sweep of the site's ranges when <see cref="RefindLimiter"/> allows it;
    /// each missing device found again is re-homed and read where it is now, that reading taking the place of the
    /// unanswered one (removed from <paramref name="missing"/>), so the device is in the scan once, at its new
    /// address. The rest stay unanswered. Returns whether the registry changed.
    /// </summary>
    private async Task<bool> RefindAsync(SitePlan plan, DeviceRegistry registry, PrinterReader reader, List<DeviceResult> missing, ScanResults scan,
        CancellationToken cancellationToken)
    {
        if (missing.Count == 0)
        {
            return false;
        }

        string[] keys = [.. missing.Select(r => r.Device.Key)];
        if (!_refind.TryClaim(out TimeSpan wait))
        {
            LogRefindDeferred(keys.Length, wait.TotalMinutes);
            return false;
        }

        LogRefinding(keys.Length);
        IReadOnlyList<DiscoveredDevice>? found;
        try
        {
            found = await SweepAsync(plan, registry, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or SocketException or IOException && !cancellationToken.IsCancellationRequested)
        {
            // The sweep's time limit, or sockets the host refused: the status readings are taken already, and a failed
            // sweep leaves the missing devices unanswered, as without one. Anything else fails the scan like a meter scan's.
            LogRefindFailed(e);
            return false;
        }

        if (found is null)
        {
            return false;
        }

        RegistryMerge merge = registry.Refind([.. found.Where(d => d.Printer)], keys, _time.GetUtcNow());
        foreach (DeviceMove move in merge.Moved)
        {
            LogMoved(move.Key, move.From, move.To);
        }

        LogRefound(merge.Seen.Count, keys.Length, merge.Moved.Count);
        if (merge.Seen.Count == 0)
        {
            return false;
        }

        var refound = merge.Seen.Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
        missing.RemoveAll(r => refound.Contains(merge.Rekeyed.GetValueOrDefault(r.Device.Key, r.Device.Key)));
        var answered = new List<DiscoveredDevice>();
        await foreach (DeviceResult result in ReadAllAsync(reader, merge.Seen, cancellationToken).ConfigureAwait(false))
        {
            await scan.AddAsync(result, cancellationToken).ConfigureAwait(false);
            if (ScanResults.Known(result) is { } device)
            {
                answered.Add(device);
            }
        }

        FoldIn(registry, answered);
        return true;
    }

    /// <summary>One attempt at one address with one credential: short, as most addresses read are known printers.</summary>
    private static SnmpTarget Attempt(IPEndPoint endPoint, SnmpCredentials credentials) =>
        new(endPoint, credentials) { Timeout = ProbeTimeout, Retries = 1 };

    /// <summary>Sweeps the site's ranges; one entry per printer (a printer on two addresses once, a moved one re-homed).</summary>
    private async Task<IReadOnlyList<RegisteredDevice>> DiscoverAsync(SitePlan plan, DeviceRegistry registry, CancellationToken cancellationToken)
    {
        if (await SweepAsync(plan, registry, cancellationToken).ConfigureAwait(false) is not { } found)
        {
            return [];
        }

        RegistryMerge merge = registry.Merge([.. found.Where(d => d.Printer)], _time.GetUtcNow());
        foreach (DeviceMove move in merge.Moved)
        {
            LogMoved(move.Key, move.From, move.To);
        }

        LogDiscovered(found.Count, merge.Seen.Count, found.Count(d => !d.Printer), merge.CollapsedAddresses, merge.NewDevices);
        return merge.Seen;
    }

    /// <summary>One sweep of the site's ranges, the credential that worked last first per address; null when the ranges cannot be parsed.</summary>
    private async Task<IReadOnlyList<DiscoveredDevice>?> SweepAsync(SitePlan plan, DeviceRegistry registry, CancellationToken cancellationToken)
    {
        TargetRangeSet ranges;
        try
        {
            ranges = TargetRangeSet.Parse(plan.Ranges, plan.Exclusions);
        }
        catch (TargetRangeException e)
        {
            LogBadRanges(e.Message);
            return null;
        }

        var options = new DiscoveryOptions
        {
            Credentials = plan.Credentials,
            Port = _snmpPort,
            PreferredCredential = registry.PreferredCredential,
        };
        IReadOnlyList<DiscoveredDevice> found = await _scanner.ScanAsync(ranges, options, null, cancellationToken).ConfigureAwait(false);
        _liveness.Beat();
        return found;
    }

    private async Task<DeviceRegistry> LoadRegistryAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await RegistryFile.LoadAsync(_registryPath, cancellationToken).ConfigureAwait(false);
        }
        catch (StateFileCorruptException e)
        {
            LogKnownUnreadable(e.Message);
            return new DeviceRegistry();
        }
    }

    /// <summary>One device's reading and the credential (index in the site's list) it was read with.</summary>

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private void LogKnownUnreadable(string reason)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(5201, nameof(LogKnownUnreadable)),
                "{Reason}; the status scan has no known devices until the next meter scan", reason);
        }
    }

    private void LogBadRanges(string reason)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(5202, nameof(LogBadRanges)),
                "The site's ranges cannot be scanned: {Reason}", reason);
        }
    }

    private void LogMoved(string key, string from, string to)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(5203, nameof(LogMoved)),
                "Device {Key} moved from {From} to {To}; re-homed", key, from, to);
        }
    }

    private void LogDiscovered(int live, int printers, int others, int collapsed, int @new)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(5204, nameof(LogDiscovered)),
                "Discovery: {Live} live addresses, {Printers} printer(s) to read, {Others} non-printer(s) counted, {Collapsed} extra address(es) of known printers folded, {New} new",
                live, printers, others, collapsed, @new);
        }
    }

    private void LogRefinding(int missing)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(5205, nameof(LogRefinding)),
                "Status scan: {Missing} known device(s) did not answer at their last address; sweeping the site's ranges to re-find them", missing);
        }
    }

    private void LogRefindDeferred(int missing, double minutes)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.Log(LogLevel.Debug, new EventId(5206, nameof(LogRefindDeferred)),
                "Status scan: {Missing} known device(s) did not answer at their last address; the next re-find sweep may run in {Minutes:F0} min",
                missing, minutes);
        }
    }

    private void LogRefound(int found, int missing, int moved)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(5207, nameof(LogRefound)),
                "Re-find sweep: {Found} of {Missing} missing device(s) found again, {Moved} at a new address", found, missing, moved);
        }
    }

    private void LogRegistryNotSaved(string path, string error)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(5209, nameof(LogRegistryNotSaved)),
                "The device registry {Path} could not be saved ({Error}); the readings still go to the outbox", path, error);
        }
    }

    private void LogRefindFailed(Exception exception)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(5208, nameof(LogRefindFailed)), exception,
                "The re-find sweep failed; the missing devices stay unanswered in this status scan");
        }
    }
}
