using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Commands;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.Readings;
using OneStopPi.Agent.State;
using OneStopPi.Collection;
using OneStopPi.Collection.Discovery;
using OneStopPi.Collection.Readings;
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

    private readonly DeviceCollector _collector;
    private readonly PortalLink _link;
    private readonly FileOutbox _outbox;
    private readonly StageLiveness _liveness;
    private readonly TimeProvider _time;
    private readonly ILogger<ScanPipeline> _logger;
    private readonly string _registryPath;
    private readonly DiscoveryScanner _scanner;
    private readonly RefindLimiter _refind;

    private readonly int _snmpPort;

    public ScanPipeline(SnmpClient client, PortalLink link, FileOutbox outbox, AgentStages stages, AgentPaths paths, AgentSettings settings,
        AgentTimings timings, TimeProvider time, ILogger<ScanPipeline> logger)
    {
        _snmpPort = settings.SnmpPort;
        _collector = new DeviceCollector(client);
        _link = link;
        _outbox = outbox;
        _liveness = stages.Stage(AgentStages.ScanWorker, timings.ScanStallLimit);
        _time = time;
        _logger = logger;
        _registryPath = paths.State("devices.json");
        _scanner = new DiscoveryScanner(new ProcNeighbourTable(), time, logger);
        _refind = new RefindLimiter(timings.RefindInterval, time);
    }

    public async Task<ScanOutcome> RunAsync(ScanJob job, SitePlan plan, CancellationToken cancellationToken)
    {
        PortalSession session = _link.Session ?? throw new InvalidOperationException("Not enrolled with the portal.");
        DateTimeOffset start = _time.GetUtcNow();
        DeviceRegistry registry = await LoadRegistryAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<RegisteredDevice> targets = job.Kind == ScanKind.Meter
            ? await DiscoverAsync(plan, registry, cancellationToken).ConfigureAwait(false)
            : registry.Devices;

        List<DeviceResult> results = await ReadAllAsync(targets, plan.Credentials, cancellationToken).ConfigureAwait(false);
        if (job.Kind == ScanKind.Meter)
        {
            FoldIn(registry, results);
            await RegistryFile.SaveAsync(_registryPath, registry, cancellationToken).ConfigureAwait(false);
        }
        else if (await RefindAsync(plan, registry, results, cancellationToken).ConfigureAwait(false))
        {
            await RegistryFile.SaveAsync(_registryPath, registry, cancellationToken).ConfigureAwait(false);
        }

        DeviceReading[] readings = [.. results.Select(r => r.Reading).OrderBy(r => IPAddress.Parse(r.Ip).GetAddressBytes(), ByteOrder.Instance)];
        string batchId = Guid.CreateVersion7(start).ToString("N");
        byte[] document = ReadingDocumentWriter.Write(session.AgentId.ToString(), (plan.SiteId ?? 0).ToString(CultureInfo.InvariantCulture),
            job.Kind, job.Missed, start, _time.GetUtcNow(), readings);
        byte[] zip = InMemoryZip.Of([($"{job.Kind.ToString().ToLowerInvariant()}-{batchId}.xml", document)]);
        OutboxItem? queued = await _outbox.AppendAsync(job.Kind == ScanKind.Meter ? OutboxItemKind.Meter : OutboxItemKind.Status, batchId, zip, cancellationToken)
            .ConfigureAwait(false);
        // A status batch is not queued while the outbox's budget is full of meter batches (FileOutbox.StatusPaused).
        return new ScanOutcome(readings.Length, readings.Count(r => r.Answered), queued?.Key, readings);
    }

    /// <summary>Reads every device at its registered address, <see cref="Concurrency"/> at a time; in no particular order.</summary>
    private async Task<List<DeviceResult>> ReadAllAsync(IReadOnlyList<RegisteredDevice> devices, IReadOnlyList<SnmpCredentials> credentials,
        CancellationToken cancellationToken)
    {
        var results = new ConcurrentBag<DeviceResult>();
        await Parallel.ForEachAsync(devices, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
            async (device, ct) =>
            {
                var endPoint = new IPEndPoint(IPAddress.Parse(device.Ip), device.Port);
                (DeviceReading reading, int credential) = await ReadAsync(endPoint, device.CredentialIndex ?? 0, credentials, ct).ConfigureAwait(false);
                _liveness.Beat();
                results.Add(new DeviceResult(device, reading, credential));
            }).ConfigureAwait(false);
        return [.. results];
    }

    /// <summary>The full reading knows the serial and MAC better than the probe did: folds that into the registry.</summary>
    private void FoldIn(DeviceRegistry registry, IEnumerable<DeviceResult> results) =>
        registry.Merge([.. results.Where(r => r.Reading.Answered).Select(r => new DiscoveredDevice
        {
            Ip = r.Reading.Ip,
            Port = r.Reading.Port,
            Mac = r.Device.Mac ?? r.Reading.Mac,
            Printer = true,
            Snmp = true,
            Reason = "read",
            Vendor = r.Device.Vendor ?? r.Reading.Vendor,
            Model = r.Device.Model ?? r.Reading.Model,
            Serial = r.Device.Serial ?? r.Reading.Serial,
            CredentialIndex = r.Credential,
        })], _time.GetUtcNow());

    /// <summary>
    /// The status scan's second chance for known devices that did not answer at their last address (a DHCP lease
    /// that changed since the morning): one sweep of the site's ranges when <see cref="RefindLimiter"/> allows it;
    /// each missing device found again is re-homed and read where it is now, that reading replacing the unanswered
    /// one, so the device is in the batch once, at its new address. The rest stay unanswered. Returns whether the
    /// registry changed.
    /// </summary>
    private async Task<bool> RefindAsync(SitePlan plan, DeviceRegistry registry, List<DeviceResult> results, CancellationToken cancellationToken)
    {
        // A device known by its address only cannot be recognised at another one.
        string[] missing = [.. results
            .Where(r => !r.Reading.Answered && !r.Device.Key.StartsWith("ip:", StringComparison.Ordinal))
            .Select(r => r.Device.Key)];
        if (missing.Length == 0)
        {
            return false;
        }

        if (!_refind.TryClaim(out TimeSpan wait))
        {
            LogRefindDeferred(missing.Length, wait.TotalMinutes);
            return false;
        }

        LogRefinding(missing.Length);
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

        RegistryMerge merge = registry.Refind([.. found.Where(d => d.Printer)], missing, _time.GetUtcNow());
        foreach (DeviceMove move in merge.Moved)
        {
            LogMoved(move.Key, move.From, move.To);
        }

        LogRefound(merge.Seen.Count, missing.Length, merge.Moved.Count);
        if (merge.Seen.Count == 0)
        {
            return false;
        }

        List<DeviceResult> again = await ReadAllAsync(merge.Seen, plan.Credentials, cancellationToken).ConfigureAwait(false);
        var refound = merge.Seen.Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
        results.RemoveAll(r => !r.Reading.Answered && refound.Contains(merge.Rekeyed.GetValueOrDefault(r.Device.Key, r.Device.Key)));
        results.AddRange(again);
        FoldIn(registry, again);
        return true;
    }

    /// <summary>Reads one address with the site's credentials: the one that worked last time first, then the others in order.</summary>
    private async Task<(DeviceReading, int)> ReadAsync(IPEndPoint endPoint, int preferred, IReadOnlyList<SnmpCredentials> credentials, CancellationToken cancellationToken)
    {
        IReadOnlyList<SnmpCredentials> candidates = credentials.Count > 0 ? credentials : [new CommunityCredentials(SnmpVersion.V2c, "public")];
        IEnumerable<int> order = Enumerable.Range(0, candidates.Count).OrderBy(i => i == preferred ? 0 : 1);
        DeviceReading? last = null;
        int requests = 0;
        foreach (int index in order)
        {
            var target = new SnmpTarget(endPoint, candidates[index]) { Timeout = ProbeTimeout, Retries = 1 };
            last = await _collector.ReadAsync(target, cancellationToken).ConfigureAwait(false);
            requests += last.Requests;
            if (last.Answered)
            {
                return (last with { Requests = requests }, index);
            }
        }

        return (last! with { Requests = requests }, preferred);
    }

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
    private readonly record struct DeviceResult(RegisteredDevice Device, DeviceReading Reading, int Credential);

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }

    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "{Reason}; the status scan has no known devices until the next meter scan")]
    private partial void LogKnownUnreadable(string reason);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "The site's ranges cannot be scanned: {Reason}")]
    private partial void LogBadRanges(string reason);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Information, Message = "Device {Key} moved from {From} to {To}; re-homed")]
    private partial void LogMoved(string key, string from, string to);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Information,
        Message = "Discovery: {Live} live addresses, {Printers} printer(s) to read, {Others} non-printer(s) counted, {Collapsed} extra address(es) of known printers folded, {New} new")]
    private partial void LogDiscovered(int live, int printers, int others, int collapsed, int @new);

    [LoggerMessage(EventId = 5205, Level = LogLevel.Information,
        Message = "Status scan: {Missing} known device(s) did not answer at their last address; sweeping the site's ranges to re-find them")]
    private partial void LogRefinding(int missing);

    [LoggerMessage(EventId = 5206, Level = LogLevel.Debug,
        Message = "Status scan: {Missing} known device(s) did not answer at their last address; the next re-find sweep may run in {Minutes:F0} min")]
    private partial void LogRefindDeferred(int missing, double minutes);

    [LoggerMessage(EventId = 5207, Level = LogLevel.Information, Message = "Re-find sweep: {Found} of {Missing} missing device(s) found again, {Moved} at a new address")]
    private partial void LogRefound(int found, int missing, int moved);

    [LoggerMessage(EventId = 5208, Level = LogLevel.Warning, Message = "The re-find sweep failed; the missing devices stay unanswered in this status scan")]
    private partial void LogRefindFailed(Exception exception);
}
