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
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(1);

    public int Retries { get; init; } = 1;

    /// <summary>Addresses being probed at once (each holds one SNMP request in flight).</summary>
    public int MaxInFlight { get; init; } = 512;

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

    internal void Sent() => Interlocked.Increment(ref _probed);

    internal void Done(DiscoveredDevice? device)
    {
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
        await using var udp = new UdpSweepSocket(options.Port, options.SendBufferSize, _time);
        IReadOnlyList<LocalSubnet> subnets = LocalSubnet.All();

        // Queued behind one unresolved neighbour: one SNMP datagram and one echo. The UDP socket's effective
        // buffer holds about one small datagram per KiB (≈ 820 bytes each, measured), the raw socket twice its buffer.
        int socketLimit = Math.Max(NeighbourPacer.MinimumBudget, Math.Min(
            udp.SendBufferBytes / 1024,
            icmp.Mode == IcmpMode.Unavailable ? int.MaxValue : icmp.SendBufferBytes * 2 / 1280));
        NeighbourPacer? pacer = null;
        string? pacedDevice = null;
        var neighbourSnapshot = new NeighbourSnapshot(_neighbours, _time);
        int requestId = Random.Shared.Next(1, int.MaxValue);
        var datagrams = new byte[credentials.Count][];
        byte[] ProbeFor(IPAddress address)
        {
            int index = options.PreferredCredential?.Invoke(address) is int p && p >= 0 && p < credentials.Count ? p : 0;
            return datagrams[index] ??= LivenessProbe.Encode(credentials[index], requestId, ProbeOids);
        }

        LogStarting(ranges.Count, string.Join(", ", ranges.Included), ranges.Excluded.Count, icmp.Mode, credentials.Count);
        var sent = new List<(IPAddress Address, long At, bool OnLink)>();
        var identify = new List<IPAddress>();
        try
        {
            // Pass 1: an echo and a liveness datagram to every address, on-link ones paced by the neighbour table.
            HashSet<IPAddress> own = LocalSubnet.OwnAddresses();
            foreach (IPAddress address in ranges.Addresses())
            {
                if (own.Contains(address))
                {
                    continue; // this agent itself is not a device
                }

                if (address.AddressFamily != AddressFamily.InterNetwork)
                {
                    identify.Add(address); // IPv6 hosts are few and named one by one: probe them directly
                    continue;
                }

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

                await icmp.SendEchoAsync(address, token).ConfigureAwait(false);
                await udp.SendAsync(address, ProbeFor(address), token).ConfigureAwait(false);
                sent.Add((address, _time.GetTimestamp(), onLink is not null));
                progress.Sent();
            }

            LogPhase("first pass sent", sent.Count, _time.GetElapsedTime(started).TotalMilliseconds);

            // Pass 2, one timeout after each first send: again to the silent ones, except on-link addresses whose
            // neighbour never resolved (ARP already asked three times: nobody is there).
            long lastSend = _time.GetTimestamp();
            for (int attempt = 0; attempt < options.Retries; attempt++)
            {
                foreach ((IPAddress address, long at, bool onLink) in sent)
                {
                    if (udp.HasAnswered(address) || icmp.HasReplied(address))
                    {
                        continue;
                    }

                    TimeSpan wait = options.Timeout * (attempt + 1) - _time.GetElapsedTime(at);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, _time, token).ConfigureAwait(false);
                    }

                    if (udp.HasAnswered(address) || icmp.HasReplied(address) || (onLink && !neighbourSnapshot.IsResolved(address)))
                    {
                        continue;
                    }

                    await icmp.SendEchoAsync(address, token).ConfigureAwait(false);
                    await udp.SendAsync(address, ProbeFor(address), token).ConfigureAwait(false);
                    lastSend = _time.GetTimestamp();
                }
            }

            LogPhase("retries sent", sent.Count, _time.GetElapsedTime(started).TotalMilliseconds);
            TimeSpan settle = options.Timeout - _time.GetElapsedTime(Math.Max(lastSend, sent.Count > 0 ? sent[^1].At : lastSend));
            if (settle > TimeSpan.Zero)
            {
                await Task.Delay(settle, _time, token).ConfigureAwait(false);
            }

            // Pass 3: identify what answered (one multi-varbind GET, credentials in order, the last good one first).
            bool moreCredentials = credentials.Count > 1;
            identify.AddRange(sent.Select(s => s.Address).Where(a => udp.HasAnswered(a) || (moreCredentials && icmp.HasReplied(a))));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogTimeLimit(options.MaxDuration.TotalSeconds, sent.Count, ranges.Count);
            throw new TimeoutException($"The discovery sweep did not finish within {options.MaxDuration.TotalSeconds:F0} s ({sent.Count} of {ranges.Count} addresses probed).");
        }

        LogPhase("answers in, identifying", identify.Count, _time.GetElapsedTime(started).TotalMilliseconds);
        var found = new ConcurrentBag<DiscoveredDevice>();
        var identified = new HashSet<IPAddress>(identify);
        await Parallel.ForEachAsync(identify, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(inFlight, 256), CancellationToken = token },
            async (address, ct) =>
            {
                bool onLink = LocalSubnet.Find(subnets, address) is not null;
                DiscoveredDevice? device = await ProbeAsync(client, icmp, udp, neighbourSnapshot, address, credentials, options, onLink, pacer, ct).ConfigureAwait(false);
                if (device is not null)
                {
                    found.Add(device);
                }
            }).ConfigureAwait(false);
        foreach ((IPAddress address, _, _) in sent)
        {
            if (!identified.Contains(address) && icmp.HasReplied(address))
            {
                found.Add(PingOnly(address, options, icmp.Mode));
            }
        }

        foreach (DiscoveredDevice device in found)
        {
            progress.Done(device);
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
            _time.GetElapsedTime(started), udp.Sent + snmp.DatagramsSent, icmp.EchoesSent, udp.SendRetries + snmp.SendErrors + icmp.SendRetries,
            pacer?.Budget ?? 0, pacer?.StartEntries ?? 0, pacer?.PeakEntries ?? 0, pacer?.TableFulls ?? 0);
        LogFinished(ranges.Count, devices.Length, LastReport.Printers, LastReport.Elapsed.TotalMilliseconds, LastReport.SnmpDatagrams, icmp.EchoesSent,
            pacedDevice ?? "-", LastReport.NeighbourBudget, LastReport.NeighbourEntriesPeak, LastReport.TableFulls);
        return devices;
    }

    private static DiscoveredDevice PingOnly(IPAddress address, DiscoveryOptions options, IcmpMode mode) => new()
    {
        Ip = address.ToString(),
        Icmp = true,
        Snmp = false,
        Printer = false,
        Reason = mode == IcmpMode.Unavailable ? "no SNMP answer" : "answers ping only, no SNMP answer with the site's credentials",
        Port = options.Port,
    };

    private static async Task<DiscoveredDevice?> ProbeAsync(SnmpClient client, IcmpSweeper icmp, UdpSweepSocket udp, NeighbourSnapshot neighbours, IPAddress address,
        IReadOnlyList<SnmpCredentials> credentials, DiscoveryOptions options, bool onLink, NeighbourPacer? pacer, CancellationToken cancellationToken)
    {

        int? preferred = options.PreferredCredential?.Invoke(address);
        IEnumerable<int> order = Enumerable.Range(0, credentials.Count).OrderBy(i => i == preferred ? 0 : 1);
        IReadOnlyList<Varbind>? answer = null;
        int? credentialIndex = null;
        string? refusal = null;
        string? problem = null;
        bool snmp = udp.HasAnswered(address); // e.g. an SNMPv3 engine's discovery report
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
            catch (SnmpTimeoutException) when (credentials[index] is UsmCredentials && client.HasDiscoveredEngine(endPoint))
            {
                // The engine answered discovery, then ignored our user (agents may drop instead of reporting).
                snmp = true;
                refusal = $"SNMPv3 engine answered discovery but not credential {index + 1} (unknown user or wrong keys)";
            }
            catch (SnmpTimeoutException) when (snmp && credentials[index] is UsmCredentials)
            {
                refusal = $"SNMPv3 engine answered discovery but not credential {index + 1} (unknown user or wrong keys)";
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

    [LoggerMessage(EventId = 4123, Level = LogLevel.Debug, Message = "Discovery: {Phase} ({Count}) at {ElapsedMs:F0} ms")]
    private partial void LogPhase(string phase, int count, double elapsedMs);

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
