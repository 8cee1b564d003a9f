using System.Net;
using Microsoft.Extensions.Logging;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Collection.Discovery;

/// <summary>
/// Sweeps ranges for live hosts and printers: ICMP echo over one socket and one multi-varbind SNMP GET per address
/// (sysDescr, sysObjectID, Printer-MIB markers, identity), the site's credentials in order with the last good one
/// first. Its passes, each a type of its own: plan (<see cref="SweepPlan"/>), send (<see cref="SendPass"/>, with
/// <see cref="ArpSweeps"/> on directly connected Ethernet subnets), retry (<see cref="RetryPass"/>), settle
/// (<see cref="SettlePass"/>) and identify (<see cref="IdentificationQueue"/>, <see cref="DeviceIdentifier"/>), which
/// starts as soon as an address answers, while the sweep goes on. On-link addresses the kernel resolves are admitted
/// through a <see cref="NeighbourPacer"/> so its neighbour table never overflows; routed ones go as fast as the
/// in-flight cap allows.
/// </summary>
public sealed partial class DiscoveryScanner : IDiscoveryScanner
{
    private readonly INeighbourTable _neighbours;
    private readonly ILocalNetwork _network;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>A scanner of this network namespace's interfaces (<see cref="SystemLocalNetwork"/>).</summary>
    public DiscoveryScanner(INeighbourTable neighbours, TimeProvider time, ILogger logger)
        : this(neighbours, new SystemLocalNetwork(), time, logger)
    {
    }

    public DiscoveryScanner(INeighbourTable neighbours, ILocalNetwork network, TimeProvider time, ILogger logger)
    {
        _neighbours = neighbours;
        _network = network;
        _time = time;
        _logger = logger;
    }

    /// <summary>The last sweep's figures.</summary>
    public DiscoveryReport? LastReport { get; private set; }

    /// <summary>Sweeps every address of <paramref name="ranges"/>; returns the live ones in address order.</summary>
    public async Task<IReadOnlyList<DiscoveredDevice>> ScanAsync(TargetRangeSet ranges, DiscoveryOptions options, DiscoveryProgress? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(options);
        var credentials = new CredentialPlan(options.Credentials);
        progress ??= new DiscoveryProgress();
        progress.Total = ranges.Count;
        long started = _time.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.MaxDuration);
        CancellationToken token = deadline.Token;

        int inFlight = Math.Max(1, options.MaxInFlight);
        await using var client = new SnmpClient(new SnmpClientOptions
        {
            MaxInFlight = inFlight,
            Timeout = options.Timeout,
            Retries = options.Retries,
            SendBufferSize = options.SendBufferSize,
            TimeProvider = _time,
        });

        // Plan: where the addresses are, read once for the whole sweep.
        IReadOnlyList<LocalSubnet> subnets = _network.Subnets();
        SweepPlan plan = SweepPlan.Of(ranges, subnets, _network.OwnAddresses(), options.Arp is not null);

        var probes = new ProbeLog();
        var identification = new IdentificationQueue();
        await using var wire = new LivenessSockets(options, credentials, address =>
        {
            if (probes.Contains(address))
            {
                identification.Enqueue(address); // identified while the sweep goes on
            }
        }, _time, _logger);
        var neighbours = new NeighbourSnapshot(_neighbours, _time);
        NeighbourPacer? pacer = plan.OnLinkDevice is { } pacedDevice
            ? new NeighbourPacer(_neighbours, wire.QueueLimit, _neighbours.ResolveTime(pacedDevice), _time, _logger)
            : null;
        var send = new SendPass(wire, probes, pacer, progress, _time);
        var arp = new ArpSweeps(send, probes, _time, _logger);
        LogStarting(ranges.Count, string.Join(", ", ranges.Included), ranges.Excluded.Count, wire.Icmp, credentials.Count);
        identification.Start(new DeviceIdentifier(new SnmpClientIdentityGetter(client), wire, neighbours, pacer, subnets, credentials, options),
            Math.Min(inFlight, 256), token);
        var found = new List<DiscoveredDevice>();
        try
        {
            foreach (IPAddress address in plan.Direct)
            {
                identification.Enqueue(address); // IPv6 hosts are few and named one by one: identified directly
            }

            if (options.Arp is not null)
            {
                arp.Start(plan, options.Arp, progress, token);
            }

            await send.ProbeAllAsync(plan.ThroughKernel, token).ConfigureAwait(false);
            await arp.FinishAsync(token).ConfigureAwait(false);
            LogPhase("first pass sent", probes.Count, _time.GetElapsedTime(started).TotalMilliseconds);

            ProbeRecord[] sent = probes.InSendOrder();
            await new RetryPass(wire, neighbours, _time).RunAsync(sent, options.Timeout, options.Retries, token).ConfigureAwait(false);
            LogPhase("retries sent", sent.Length, _time.GetElapsedTime(started).TotalMilliseconds);
            await new SettlePass(wire, _time).RunAsync(sent, options.Timeout, token).ConfigureAwait(false);

            // Hosts that answered ping only may speak SNMP with another of the site's credentials (a wrong v1/v2c
            // community gets no answer at all), unless their SNMP port is closed.
            if (credentials.Count > 1)
            {
                foreach (ProbeRecord probe in sent.Where(p => wire.EchoReplied(p.Address) && !wire.SnmpRefused(p.Address)))
                {
                    identification.Enqueue(probe.Address);
                }
            }

            LogPhase("answers in, identifying", identification.Count, _time.GetElapsedTime(started).TotalMilliseconds);
            await identification.CompleteAsync(token).ConfigureAwait(false);
            found.AddRange(identification.Found);
            found.AddRange(sent
                .Where(p => !identification.IsQueued(p.Address) && wire.EchoReplied(p.Address))
                .Select(p => DeviceIdentifier.PingOnly(p.Address, options.Port, wire.Icmp, wire.SnmpRefused(p.Address))));
            found.AddRange(arp.ArpOnly(a => identification.IsQueued(a) || wire.EchoReplied(a), wire.SnmpRefused, options.Port));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogTimeLimit(options.MaxDuration.TotalSeconds, probes.Count, ranges.Count);
            throw new TimeoutException($"The discovery sweep did not finish within {options.MaxDuration.TotalSeconds:F0} s ({progress.Probed} of {ranges.Count} addresses probed).");
        }
        finally
        {
            // On the way out by an exception: stop what still runs before the sockets go.
            identification.Close();
            if (!identification.Running.IsCompleted || !arp.AllStopped)
            {
                await deadline.CancelAsync().ConfigureAwait(false);
            }

            await Task.WhenAll([identification.Running, .. arp.Tasks]).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await arp.DisposeAsync().ConfigureAwait(false);
        }

        pacer?.Finish();
        DiscoveredDevice[] devices = WithMacs(found, arp, wire);
        foreach (DiscoveredDevice device in devices)
        {
            progress.Done(device);
        }

        SnmpClientStatistics snmp = client.Statistics;
        LastReport = new DiscoveryReport(ranges.Count, devices.Length, devices.Count(d => d.Printer), devices.Count(d => !d.Printer), wire.Icmp,
            _time.GetElapsedTime(started), wire.SnmpDatagramsSent + snmp.DatagramsSent, wire.EchoesSent, wire.SendRetries + snmp.SendErrors,
            pacer?.Budget ?? 0, pacer?.StartEntries ?? 0, pacer?.PeakEntries ?? 0, pacer?.TableFulls ?? 0,
            arp.RequestsSent, arp.Replies, wire.SendsRefused);
        LogFinished(ranges.Count, devices.Length, LastReport.Printers, LastReport.Elapsed.TotalMilliseconds, LastReport.SnmpDatagrams, wire.EchoesSent,
            LastReport.ArpRequests, LastReport.ArpReplies, plan.OnLinkDevice ?? "-", LastReport.NeighbourBudget, LastReport.NeighbourEntriesPeak, LastReport.TableFulls);
        if (LastReport.SendsRefused > 0)
        {
            LogSendsRefused(LastReport.SendsRefused);
        }

        return devices;
    }

    /// <summary>Every device with its MAC (the host's own ARP answer, else the neighbour table) and its ping answer, in address order.</summary>
    private DiscoveredDevice[] WithMacs(List<DiscoveredDevice> found, ArpSweeps arp, ILivenessWire wire)
    {
        Dictionary<IPAddress, string> macs = _neighbours.ReadEntries()
            .Where(e => e.Mac is not null)
            .GroupBy(e => e.Address)
            .ToDictionary(g => g.Key, g => g.First().Mac!);
        arp.AddMacs(macs);
        return [.. found
            .Select(d => IPAddress.TryParse(d.Ip, out IPAddress? ip)
                ? d with { Mac = d.Mac ?? macs.GetValueOrDefault(ip), Icmp = wire.EchoReplied(ip) }
                : d)
            .OrderBy(d => d.Ip, AddressOrder.Instance)];
    }

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private void LogStarting(long count, string ranges, int exclusions, IcmpMode icmp, int credentials)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(4120, nameof(LogStarting)),
                "Discovery: sweeping {Count} addresses ({Ranges}; {Exclusions} exclusion(s)), ICMP {Icmp}, {Credentials} credential(s)",
                count, ranges, exclusions, icmp, credentials);
        }
    }

    private void LogFinished(long count, int live, int printers, double elapsedMs, long snmpDatagrams, long echoes, long arpRequests, int arpReplies,
        string device, int budget, long peak, long fulls)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(4121, nameof(LogFinished)),
                "Discovery: {Count} addresses in {ElapsedMs:F0} ms: {Live} live, {Printers} printer(s); {SnmpDatagrams} SNMP datagrams, {Echoes} echoes, {ArpRequests} ARP requests ({ArpReplies} answered); neighbour pacing on {Device}: budget {Budget}, peak {Peak} entries, table_fulls +{Fulls}",
                count, elapsedMs, live, printers, snmpDatagrams, echoes, arpRequests, arpReplies, device, budget, peak, fulls);
        }
    }

    private void LogPhase(string phase, int count, double elapsedMs)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.Log(LogLevel.Debug, new EventId(4123, nameof(LogPhase)),
                "Discovery: {Phase} ({Count}) at {ElapsedMs:F0} ms", phase, count, elapsedMs);
        }
    }

    private void LogTimeLimit(double seconds, long probed, long count)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(4122, nameof(LogTimeLimit)),
                "Discovery stopped at its time limit of {Seconds:F0} s after {Probed} of {Count} addresses", seconds, probed, count);
        }
    }

    private void LogSendsRefused(long count)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(4125, nameof(LogSendsRefused)),
                "Discovery: this host refused to send {Count} probe datagram(s) (a firewall OUTPUT rule, a prohibit route, or no route): those addresses look silent",
                count);
        }
    }
}
