using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
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
/// reading document → zip → the durable outbox. Returns once the batch is on disk.
/// </summary>
public sealed partial class ScanPipeline : IScanPipeline
{
    private const int Concurrency = 64;
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromMilliseconds(1500);

    private readonly DeviceCollector _collector;
    private readonly PortalLink _link;
    private readonly FileOutbox _outbox;
    private readonly PipelineLiveness _liveness;
    private readonly TimeProvider _time;
    private readonly ILogger<ScanPipeline> _logger;
    private readonly string _registryPath;
    private readonly DiscoveryScanner _scanner;

    private readonly int _snmpPort;

    public ScanPipeline(SnmpClient client, PortalLink link, FileOutbox outbox, PipelineLiveness liveness, AgentPaths paths, AgentSettings settings, TimeProvider time, ILogger<ScanPipeline> logger)
    {
        _snmpPort = settings.SnmpPort;
        _collector = new DeviceCollector(client);
        _link = link;
        _outbox = outbox;
        _liveness = liveness;
        _time = time;
        _logger = logger;
        _registryPath = paths.State("devices.json");
        _scanner = new DiscoveryScanner(new ProcNeighbourTable(), time, logger);
    }

    public async Task<ScanOutcome> RunAsync(ScanJob job, SitePlan plan, CancellationToken cancellationToken)
    {
        PortalSession session = _link.Session ?? throw new InvalidOperationException("Not enrolled with the portal.");
        DateTimeOffset start = _time.GetUtcNow();
        DeviceRegistry registry = await LoadRegistryAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<RegisteredDevice> targets = job.Kind == ScanKind.Meter
            ? await DiscoverAsync(plan, registry, cancellationToken).ConfigureAwait(false)
            : registry.Devices;

        var results = new ConcurrentBag<(RegisteredDevice Device, DeviceReading Reading, int Credential)>();
        await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
            async (device, ct) =>
            {
                var endPoint = new IPEndPoint(IPAddress.Parse(device.Ip), device.Port);
                (DeviceReading reading, int credential) = await ReadAsync(endPoint, device.CredentialIndex ?? 0, plan.Credentials, ct).ConfigureAwait(false);
                _liveness.Beat();
                results.Add((device, reading, credential));
            }).ConfigureAwait(false);

        DeviceReading[] readings = [.. results.Select(r => r.Reading).OrderBy(r => IPAddress.Parse(r.Ip).GetAddressBytes(), ByteOrder.Instance)];
        if (job.Kind == ScanKind.Meter)
        {
            // The full reading knows the serial and MAC better than the probe did: fold that in, then save.
            DateTimeOffset now = _time.GetUtcNow();
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
            })], now);
            await RegistryFile.SaveAsync(_registryPath, registry, cancellationToken).ConfigureAwait(false);
        }

        string batchId = Guid.CreateVersion7(start).ToString("N");
        byte[] document = ReadingDocumentWriter.Write(session.AgentId.ToString(), (plan.SiteId ?? 0).ToString(CultureInfo.InvariantCulture),
            job.Kind, job.Missed, start, _time.GetUtcNow(), readings);
        byte[] zip = CommandExecutor.ZipOf([($"{job.Kind.ToString().ToLowerInvariant()}-{batchId}.xml", document)]);
        await _outbox.AppendAsync(job.Kind == ScanKind.Meter ? OutboxItemKind.Meter : OutboxItemKind.Status, batchId, zip, cancellationToken).ConfigureAwait(false);
        return new ScanOutcome(readings.Length, readings.Count(r => r.Answered), batchId);
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
        TargetRangeSet ranges;
        try
        {
            ranges = TargetRangeSet.Parse(plan.Ranges, plan.Exclusions);
        }
        catch (TargetRangeException e)
        {
            LogBadRanges(e.Message);
            return [];
        }

        var options = new DiscoveryOptions
        {
            Credentials = plan.Credentials,
            Port = _snmpPort,
            PreferredCredential = registry.PreferredCredential,
        };
        IReadOnlyList<DiscoveredDevice> found = await _scanner.ScanAsync(ranges, options, null, cancellationToken).ConfigureAwait(false);
        _liveness.Beat();
        RegistryMerge merge = registry.Merge([.. found.Where(d => d.Printer)], _time.GetUtcNow());
        foreach (DeviceMove move in merge.Moved)
        {
            LogMoved(move.Key, move.From, move.To);
        }

        LogDiscovered(found.Count, merge.Seen.Count, found.Count(d => !d.Printer), merge.CollapsedAddresses, merge.NewDevices);
        return merge.Seen;
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
}
