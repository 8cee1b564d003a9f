using System.Collections.Concurrent;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using OneStopPi.Collection.Decoding;
using OneStopPi.Collection.Mib;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Collection.Discovery;

/// <summary>How to sweep.</summary>
public sealed record DiscoveryOptions
{
    /// <summary>The site's credentials, in order. Empty: SNMPv2c "public".</summary>
    public IReadOnlyList<SnmpCredentials> Credentials { get; init; } = [];

    public int Port { get; init; } = 161;

    /// <summary>Per-attempt SNMP timeout; the second ICMP echo goes out after it too.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    public int Retries { get; init; } = 1;

    /// <summary>Addresses being probed at once (each holds one SNMP request in flight).</summary>
    public int MaxInFlight { get; init; } = 16384;

    public IcmpMode Icmp { get; init; } = IcmpMode.Raw;

    /// <summary>The whole sweep is cancelled after this long.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The credential that worked last time for an address (from the device registry), tried first.</summary>
    public Func<IPAddress, int?>? PreferredCredential { get; init; }

    /// <summary>Socket send buffer asked for (the kernel caps it at net.core.wmem_max).</summary>
    public int SendBufferSize { get; init; } = 4 << 20;
}

/// <summary>Live counters for a progress line.</summary>
public sealed class DiscoveryProgress
{
    private long _probed;
    private int _live;
    private int _printers;

    public long Total { get; internal set; }

    public long Probed => Interlocked.Read(ref _probed);

    public int Live => Volatile.Read(ref _live);

    public int Printers => Volatile.Read(ref _printers);

    internal void Done(DiscoveredDevice? device)
    {
        Interlocked.Increment(ref _probed);
        if (device is not null)
        {
            Interlocked.Increment(ref _live);
            if (device.Printer)
            {
                Interlocked.Increment(ref _printers);
            }
        }
    }
}

/// <summary>
/// Sweeps ranges for live hosts and printers: ICMP echo over one socket and one multi-varbind SNMP GET
/// per address (sysDescr, sysObjectID, Printer-MIB markers, identity), the site's credentials in order
/// with the last good one first. Addresses on a directly connected subnet are admitted through a
/// <see cref="NeighbourPacer"/> so the kernel's neighbour table never overflows; routed addresses go as
/// fast as the in-flight cap allows.
/// </summary>
public sealed partial class DiscoveryScanner
{
    /// <summary>sysDescr, sysObjectID, hrDeviceDescr.1, prtGeneralSerialNumber.1, entPhysicalSerialNum.1 and Printer-MIB markers.</summary>
    internal static readonly ObjectIdentifier[] ProbeOids =
    [
        StandardOids.SysDescr,
        StandardOids.SysObjectId,
        "1.3.6.1.2.1.25.3.2.1.3.1",    // hrDeviceDescr.1: model
        "1.3.6.1.2.1.43.5.1.1.17.1",   // prtGeneralSerialNumber.1: serial, Printer-MIB
        "1.3.6.1.2.1.47.1.1.1.1.11.1", // entPhysicalSerialNum.1: serial
        "1.3.6.1.2.1.43.10.2.1.4.1.1", // prtMarkerLifeCount.1.1: Printer-MIB
        "1.3.6.1.2.1.43.7.1.1.4.1.1",  // prtLocalizationCharacterSet.1.1: Printer-MIB
        "1.3.6.1.2.1.43.11.1.1.9.1.1", // prtMarkerSuppliesLevel.1.1: Printer-MIB
        "1.3.6.1.2.1.25.3.5.1.1.1",    // hrPrinterStatus.1: HOST-RESOURCES printer
    ];

    private static readonly ObjectIdentifier PrinterMib = "1.3.6.1.2.1.43";
    private static readonly ObjectIdentifier HrPrinterStatus = "1.3.6.1.2.1.25.3.5.1.1";
    private static readonly TimeSpan NeighbourSnapshotAge = TimeSpan.FromMilliseconds(200);

    private readonly INeighbourTable _neighbours;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public DiscoveryScanner(INeighbourTable neighbours, TimeProvider time, ILogger logger)
    {
        _neighbours = neighbours;
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
        IReadOnlyList<SnmpCredentials> credentials = options.Credentials.Count > 0 ? options.Credentials : [new CommunityCredentials(SnmpVersion.V2c, "public")];
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
        await using IcmpSweeper icmp = IcmpSweeper.Open(options.SendBufferSize, _time, _logger, options.Icmp);
        IReadOnlyList<LocalSubnet> subnets = LocalSubnet.All();

        // Queued behind one unresolved neighbour: one SNMP datagram and one echo. The UDP socket's effective
        // buffer is what the client got (≈ 820 bytes of it per small datagram, measured), the raw socket's twice that.
        int socketLimit = Math.Max(NeighbourPacer.MinimumBudget, Math.Min(
            EffectiveSendBuffer(options.SendBufferSize) / 1024,
            icmp.Mode == IcmpMode.Unavailable ? int.MaxValue : icmp.SendBufferBytes * 2 / 1280));
        NeighbourPacer? pacer = null;
        string? pacedDevice = null;

        var found = new ConcurrentBag<DiscoveredDevice>();
        var neighbourSnapshot = new NeighbourSnapshot(_neighbours, _time);
        using var slots = new SemaphoreSlim(inFlight, inFlight);
        var probes = new List<Task>();
        LogStarting(ranges.Count, string.Join(", ", ranges.Included), ranges.Excluded.Count, icmp.Mode, credentials.Count);
        try
        {
            HashSet<IPAddress> own = LocalSubnet.OwnAddresses();
            foreach (IPAddress address in ranges.Addresses())
            {
                if (own.Contains(address))
                {
                    continue; // this agent itself is not a device
                }

                await slots.WaitAsync(token).ConfigureAwait(false);
                LocalSubnet? onLink = LocalSubnet.Find(subnets, address);
                if (onLink is { NeedsNeighbour: true })
                {
                    if (pacer is null)
                    {
                        pacedDevice = onLink.Device;
                        pacer = new NeighbourPacer(_neighbours, socketLimit, _neighbours.ResolveTime(onLink.Device), _time, _logger);
                    }

                    await pacer.AdmitAsync(address, token).ConfigureAwait(false);
                }

                probes.Add(ProbeAndReleaseAsync(address, onLink is not null));
            }

            await Task.WhenAll(probes).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogTimeLimit(options.MaxDuration.TotalSeconds, progress.Probed, ranges.Count);
            throw new TimeoutException($"The discovery sweep did not finish within {options.MaxDuration.TotalSeconds:F0} s ({progress.Probed} of {ranges.Count} addresses probed).");
        }

        pacer?.Finish();
        IReadOnlyDictionary<IPAddress, string> macs = _neighbours.ReadEntries()
            .Where(e => e.Mac is not null)
            .GroupBy(e => e.Address)
            .ToDictionary(g => g.Key, g => g.First().Mac!);
        DiscoveredDevice[] devices = [.. found
            .Select(d => d.Mac is null && IPAddress.TryParse(d.Ip, out IPAddress? ip) && macs.TryGetValue(ip, out string? mac) ? d with { Mac = mac } : d)
            .OrderBy(d => d.Ip, AddressTextComparer.Instance)];
        SnmpClientStatistics snmp = client.Statistics;
        LastReport = new DiscoveryReport(ranges.Count, devices.Length, devices.Count(d => d.Printer), devices.Count(d => !d.Printer), icmp.Mode,
            _time.GetElapsedTime(started), snmp.DatagramsSent, icmp.EchoesSent, snmp.SendErrors + icmp.SendRetries,
            pacer?.Budget ?? 0, pacer?.StartEntries ?? 0, pacer?.PeakEntries ?? 0, pacer?.TableFulls ?? 0);
        LogFinished(ranges.Count, devices.Length, LastReport.Printers, LastReport.Elapsed.TotalMilliseconds, snmp.DatagramsSent, icmp.EchoesSent,
            pacedDevice ?? "-", LastReport.NeighbourBudget, LastReport.NeighbourEntriesPeak, LastReport.TableFulls);
        return devices;

        async Task ProbeAndReleaseAsync(IPAddress address, bool onLink)
        {
            DiscoveredDevice? device;
            try
            {
                device = await ProbeAsync(client, icmp, neighbourSnapshot, address, credentials, options, onLink, pacer, token).ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }

            if (device is not null)
            {
                found.Add(device);
            }

            progress.Done(device);
        }
    }

    private async Task<DiscoveredDevice?> ProbeAsync(SnmpClient client, IcmpSweeper icmp, NeighbourSnapshot neighbours, IPAddress address,
        IReadOnlyList<SnmpCredentials> credentials, DiscoveryOptions options, bool onLink, NeighbourPacer? pacer, CancellationToken cancellationToken)
    {
        await icmp.SendEchoAsync(address, cancellationToken).ConfigureAwait(false);
        using var snmpDone = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task secondEcho = SecondEchoAsync(icmp, address, options.Timeout, snmpDone.Token);

        int? preferred = options.PreferredCredential?.Invoke(address);
        IEnumerable<int> order = Enumerable.Range(0, credentials.Count).OrderBy(i => i == preferred ? 0 : 1);
        IReadOnlyList<Varbind>? answer = null;
        int? credentialIndex = null;
        string? refusal = null;
        string? problem = null;
        bool snmp = false;
        var endPoint = new IPEndPoint(address, options.Port);
        foreach (int index in order)
        {
            var target = new SnmpTarget(endPoint, credentials[index]) { Timeout = options.Timeout, Retries = options.Retries };
            try
            {
                answer = await client.GetAsync(target, ProbeOids, cancellationToken).ConfigureAwait(false);
                credentialIndex = index;
                snmp = true;
                break;
            }
            catch (SnmpReportException e)
            {
                // RFC 3414 3.2: an SNMPv3 engine that refuses our user or engine ID is still a live SNMP host.
                snmp = true;
                refusal = $"SNMPv3 agent refused credential {index + 1}: {SnmpReportException.Describe(e.Kind)}";
            }
            catch (SnmpErrorStatusException e)
            {
                snmp = true;
                credentialIndex = index;
                problem = $"SNMP agent answered {e.Status}";
                break;
            }
            catch (SnmpTimeoutException)
            {
                // Silence: try the next credential only when something else says a host is there (a wrong
                // v1/v2c community gets no answer at all), so a silent address costs one timeout, not one per credential.
                if (!snmp && !icmp.HasReplied(address) && !(onLink && neighbours.IsResolved(address)))
                {
                    break;
                }
            }
            catch (SnmpException e)
            {
                problem = e.Message;
                break;
            }
        }

        await snmpDone.CancelAsync().ConfigureAwait(false);
        await secondEcho.ConfigureAwait(false);
        bool pinged = icmp.HasReplied(address);
        if (!snmp && !pinged)
        {
            return null;
        }

        if (onLink)
        {
            pacer?.MarkLive(address);
        }

        string ip = address.ToString();
        if (answer is null)
        {
            return new DiscoveredDevice
            {
                Ip = ip,
                Icmp = pinged,
                Snmp = snmp,
                Printer = false,
                Reason = refusal ?? problem ?? (icmp.Mode == IcmpMode.Unavailable ? "no SNMP answer" : "answers ping only, no SNMP answer with the site's credentials"),
                CredentialIndex = credentialIndex,
                Port = options.Port,
                V3Refusal = refusal,
            };
        }

        ProbeAnswers answers = Read(answer);
        Classification verdict = PrinterClassifier.Classify(answers);
        return new DiscoveredDevice
        {
            Ip = ip,
            Icmp = pinged,
            Snmp = true,
            Printer = verdict.Printer,
            Reason = verdict.Reason,
            Vendor = verdict.Vendor,
            Model = answers.Model is null ? null : IdentityText.Model(answers.Model, verdict.Vendor is null ? [] : [verdict.Vendor]),
            Serial = answers.Serial,
            CredentialIndex = credentialIndex,
            Port = options.Port,
            SysObjectId = answers.SysObjectId?.ToString(),
            SysDescr = answers.SysDescr,
        };
    }

    private static async Task SecondEchoAsync(IcmpSweeper icmp, IPAddress address, TimeSpan after, CancellationToken cancellationToken)
    {
        if (icmp.Mode == IcmpMode.Unavailable)
        {
            return;
        }

        try
        {
            await Task.Delay(after, cancellationToken).ConfigureAwait(false);
            if (!icmp.HasReplied(address))
            {
                await icmp.SendEchoAsync(address, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // SNMP finished first: no second echo needed.
        }
    }

    /// <summary>The probe's varbinds as identity facts.</summary>
    internal static ProbeAnswers Read(IReadOnlyList<Varbind> varbinds)
    {
        string? descr = null, model = null, serial = null, entSerial = null;
        ObjectIdentifier? sysObjectId = null;
        bool printerMib = false;
        foreach (Varbind varbind in varbinds)
        {
            if (varbind.Value.IsException || varbind.Value.Type == SnmpValueType.Null)
            {
                continue;
            }

            if (varbind.Oid.StartsWith(PrinterMib) || varbind.Oid.StartsWith(HrPrinterStatus))
            {
                printerMib = true;
            }

            string? text = varbind.Value.Type == SnmpValueType.OctetString ? TextDecoder.Clean(varbind.Value.Bytes) : null;
            if (varbind.Oid == StandardOids.SysDescr)
            {
                descr = text;
            }
            else if (varbind.Oid == StandardOids.SysObjectId && varbind.Value.Type == SnmpValueType.ObjectIdentifier)
            {
                sysObjectId = varbind.Value.AsObjectIdentifier();
            }
            else if (varbind.Oid == ProbeOids[2])
            {
                model = text;
            }
            else if (varbind.Oid == ProbeOids[3])
            {
                serial = IdentityText.Serial(text);
            }
            else if (varbind.Oid == ProbeOids[4])
            {
                entSerial = IdentityText.Serial(text);
            }
        }

        serial ??= entSerial ?? (descr is null ? null : IdentityText.Serial(SerialInDescr().Match(descr) is { Success: true } m ? m.Groups[1].Value : null));
        return new ProbeAnswers(descr, sysObjectId, printerMib, model, serial);
    }

    /// <summary>JetDirect and others put the serial in sysDescr: "...,SN:VNCRC48198,...".</summary>
    [GeneratedRegex(@"\bSN:\s*([A-Za-z0-9]+)", RegexOptions.CultureInvariant)]
    private static partial Regex SerialInDescr();

    private static int EffectiveSendBuffer(int asked)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.SendBufferSize = asked;
        return probe.SendBufferSize;
    }

    [LoggerMessage(EventId = 4120, Level = LogLevel.Information,
        Message = "Discovery: sweeping {Count} addresses ({Ranges}; {Exclusions} exclusion(s)), ICMP {Icmp}, {Credentials} credential(s)")]
    private partial void LogStarting(long count, string ranges, int exclusions, IcmpMode icmp, int credentials);

    [LoggerMessage(EventId = 4121, Level = LogLevel.Information,
        Message = "Discovery: {Count} addresses in {ElapsedMs:F0} ms: {Live} live, {Printers} printer(s); {SnmpDatagrams} SNMP datagrams, {Echoes} echoes; neighbour pacing on {Device}: budget {Budget}, peak {Peak} entries, table_fulls +{Fulls}")]
    private partial void LogFinished(long count, int live, int printers, double elapsedMs, long snmpDatagrams, long echoes, string device, int budget, long peak, long fulls);

    [LoggerMessage(EventId = 4122, Level = LogLevel.Warning, Message = "Discovery stopped at its time limit of {Seconds:F0} s after {Probed} of {Count} addresses")]
    private partial void LogTimeLimit(double seconds, long probed, long count);

    /// <summary>One directly connected IPv4 subnet of this host.</summary>
    internal sealed record LocalSubnet(string Device, uint Network, uint Mask, bool NeedsNeighbour)
    {
        public static IReadOnlyList<LocalSubnet> All()
        {
            var subnets = new List<LocalSubnet>();
            foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (nic.OperationalStatus is OperationalStatus.Down)
                {
                    continue;
                }

                bool arp = nic.NetworkInterfaceType is not (NetworkInterfaceType.Loopback or NetworkInterfaceType.Ppp or NetworkInterfaceType.Tunnel);
                foreach (UnicastIPAddressInformation unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    if (unicast.Address.AddressFamily != AddressFamily.InterNetwork || unicast.PrefixLength is < 1 or > 32)
                    {
                        continue;
                    }

                    uint mask = uint.MaxValue << (32 - unicast.PrefixLength);
                    subnets.Add(new LocalSubnet(nic.Name, TargetRange.ToUInt32(unicast.Address) & mask, mask, arp));
                }
            }

            return subnets;
        }

        public static HashSet<IPAddress> OwnAddresses() =>
        [
            .. NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(u => u.Address),
        ];

        public static LocalSubnet? Find(IReadOnlyList<LocalSubnet> subnets, IPAddress address)
        {
            if (address.AddressFamily != AddressFamily.InterNetwork)
            {
                return null;
            }

            uint value = TargetRange.ToUInt32(address);
            LocalSubnet? best = null;
            foreach (LocalSubnet subnet in subnets)
            {
                if ((value & subnet.Mask) == subnet.Network && (best is null || subnet.Mask > best.Mask))
                {
                    best = subnet;
                }
            }

            return best;
        }
    }

    /// <summary>The namespace's neighbour table, re-read at most every 200 ms.</summary>
    private sealed class NeighbourSnapshot(INeighbourTable table, TimeProvider time)
    {
        private readonly Lock _gate = new();
        private HashSet<IPAddress> _resolved = [];
        private long _readAt = long.MinValue;

        public bool IsResolved(IPAddress address)
        {
            lock (_gate)
            {
                if (_readAt == long.MinValue || time.GetElapsedTime(_readAt) > NeighbourSnapshotAge)
                {
                    _resolved = [.. table.ReadEntries().Where(e => e.Complete).Select(e => e.Address)];
                    _readAt = time.GetTimestamp();
                }

                return _resolved.Contains(address);
            }
        }
    }

    private sealed class AddressTextComparer : IComparer<string>
    {
        public static readonly AddressTextComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            if (IPAddress.TryParse(x, out IPAddress? a) && IPAddress.TryParse(y, out IPAddress? b))
            {
                int family = a.AddressFamily.CompareTo(b.AddressFamily);
                return family != 0 ? family : a.GetAddressBytes().AsSpan().SequenceCompareTo(b.GetAddressBytes());
            }

            return string.CompareOrdinal(x, y);
        }
    }
}
