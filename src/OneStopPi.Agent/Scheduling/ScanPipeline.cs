using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Cli;
using OneStopPi.Agent.Commands;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.Readings;
using OneStopPi.Agent.State;
using OneStopPi.Collection;
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
    private readonly JsonStateFile<KnownDeviceList> _known;

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
        _known = new JsonStateFile<KnownDeviceList>(paths.State("devices.json"), AgentJsonContext.Default.KnownDeviceList);
    }

    public async Task<ScanOutcome> RunAsync(ScanJob job, SitePlan plan, CancellationToken cancellationToken)
    {
        PortalSession session = _link.Session ?? throw new InvalidOperationException("Not enrolled with the portal.");
        DateTimeOffset start = _time.GetUtcNow();
        IReadOnlyList<(IPEndPoint EndPoint, int PreferredCredential)> targets = job.Kind == ScanKind.Meter
            ? [.. ExpandRanges(plan).Select(e => (new IPEndPoint(e.Address, _snmpPort), 0))]
            : [.. LoadKnown().Select(d => (new IPEndPoint(IPAddress.Parse(d.Ip), d.Port), d.CredentialIndex))];

        var results = new ConcurrentBag<(DeviceReading Reading, int Credential)>();
        await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
            async (target, ct) =>
            {
                (DeviceReading reading, int credential) = await ReadAsync(target.EndPoint, target.PreferredCredential, plan.Credentials, ct).ConfigureAwait(false);
                _liveness.Beat();
                if (job.Kind == ScanKind.Status || (reading.Answered && IsPrinter(reading)))
                {
                    results.Add((reading, credential));
                }
            }).ConfigureAwait(false);

        DeviceReading[] readings = [.. results.Select(r => r.Reading).OrderBy(r => IPAddress.Parse(r.Ip).GetAddressBytes(), ByteOrder.Instance)];
        if (job.Kind == ScanKind.Meter)
        {
            DateTimeOffset now = _time.GetUtcNow();
            await _known.SaveAsync(new KnownDeviceList([.. results.OrderBy(r => r.Reading.Ip, StringComparer.Ordinal)
                .Select(r => new KnownDevice(r.Reading.Ip, r.Reading.Port, r.Credential, r.Reading.Vendor, r.Reading.Serial, r.Reading.Mac, now))]), cancellationToken).ConfigureAwait(false);
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

    /// <summary>A printer when Printer-MIB or a vendor profile told us something printer-like.</summary>
    private static bool IsPrinter(DeviceReading reading) =>
        reading.Status.HrPrinterStatus is not null || reading.Supplies.Count > 0 || reading.Counters.Count > 0 || reading.Profile is not null;

    private IEnumerable<KnownDevice> LoadKnown()
    {
        try
        {
            return _known.Load()?.Devices ?? [];
        }
        catch (StateFileCorruptException e)
        {
            LogKnownUnreadable(e.Message);
            return [];
        }
    }

    private static List<IPEndPoint> ExpandRanges(SitePlan plan)
    {
        var included = new List<IPEndPoint>();
        var excluded = new List<IPEndPoint>();
        foreach (string range in plan.Ranges)
        {
            if (!ScanCommand.TryExpandRange(range, included) && IPAddress.TryParse(range, out IPAddress? single))
            {
                included.Add(new IPEndPoint(single, HostEndPoint.SnmpPort));
            }
        }

        foreach (string range in plan.Exclusions)
        {
            if (!ScanCommand.TryExpandRange(range, excluded) && IPAddress.TryParse(range, out IPAddress? single))
            {
                excluded.Add(new IPEndPoint(single, HostEndPoint.SnmpPort));
            }
        }

        var skip = excluded.Select(e => e.Address).ToHashSet();
        return [.. included.Where(e => !skip.Contains(e.Address)).DistinctBy(e => e.ToString())];
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }

    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "{Reason}; the status scan has no known devices until the next meter scan")]
    private partial void LogKnownUnreadable(string reason);
}
