using System.Collections.Concurrent;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using System.Threading.Channels;
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

    /// <summary>
    /// How directly connected Ethernet subnets are swept with our own ARP requests (needs CAP_NET_RAW);
    /// null: never, every address goes through the kernel, paced by the neighbour table.
    /// </summary>
    public ArpSweepOptions? Arp { get; init; } = new();
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

/// <summary>Sweeps ranges for live hosts and printers (<see cref="DiscoveryScanner"/>; a fake in tests).</summary>
public interface IDiscoveryScanner
{
    /// <summary>Sweeps every address of <paramref name="ranges"/>; returns the live ones in address order.</summary>
    Task<IReadOnlyList<DiscoveredDevice>> ScanAsync(TargetRangeSet ranges, DiscoveryOptions options, DiscoveryProgress? progress = null,
        CancellationToken cancellationToken = default);
}

/// <summary>
/// Sweeps ranges for live hosts and printers: ICMP echo over one socket and one multi-varbind SNMP GET
/// per address (sysDescr, sysObjectID, Printer-MIB markers, identity), the site's credentials in order
/// with the last good one first. Addresses on a directly connected subnet are admitted through a
/// <see cref="NeighbourPacer"/> so the kernel's neighbour table never overflows; routed addresses go as
/// fast as the in-flight cap allows.
/// </summary>
public sealed partial class DiscoveryScanner : IDiscoveryScanner
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
    private static readonly TimeSpan SettlePoll = TimeSpan.FromMilliseconds(20);

    /// <summary>At most this long the settle waits for answers already queued in our sockets to be read.</summary>
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(5);

    /// <summary>More addresses than this answering ARP from one MAC is proxy ARP, not hosts.</summary>
    private const int ProxyArpThreshold = 16;

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
        await using IcmpSweeper icmp = IcmpSweeper.Open(options.SendBufferSize, _time, _logger, options.Icmp);

        // Identification starts as soon as an address answers the liveness datagram, while the sweep goes on.
        var probes = new ProbeLog();
        var found = new ConcurrentBag<DiscoveredDevice>();
        var identified = new ConcurrentDictionary<IPAddress, byte>();
        var probedForIdentity = new ConcurrentDictionary<IPAddress, byte>();
        Channel<IPAddress> toIdentify = Channel.CreateUnbounded<IPAddress>();
        void Identify(IPAddress address)
        {
            if (identified.TryAdd(address, 0))
            {
                toIdentify.Writer.TryWrite(address);
            }
        }

        await using var udp = new UdpSweepSocket(options.Port, options.SendBufferSize, _time, address =>
        {
            if (probes.Contains(address))
            {
                Identify(address);
            }
        });
        icmp.WatchUdpRefusals(udp.LocalPort, options.Port);
        IReadOnlyList<LocalSubnet> subnets = LocalSubnet.All();
        HashSet<IPAddress> own = LocalSubnet.OwnAddresses();

        // Queued behind one unresolved neighbour: one SNMP datagram and one echo. The UDP socket's effective
        // buffer holds about one small datagram per KiB (≈ 820 bytes each, measured), the raw socket twice its buffer.
        int socketLimit = Math.Max(NeighbourPacer.MinimumBudget, Math.Min(
            udp.SendBufferBytes / 1024,
            icmp.Mode == IcmpMode.Unavailable ? int.MaxValue : icmp.SendBufferBytes * 2 / 1280));
        var neighbourSnapshot = new NeighbourSnapshot(_neighbours, _time);
        int requestId = Random.Shared.Next(1, int.MaxValue);
        var datagrams = new byte[credentials.Count][];
        byte[] ProbeFor(IPAddress address)
        {
            int index = credentials.First(options.PreferredCredential?.Invoke(address));
            return datagrams[index] ??= LivenessProbe.Encode(credentials[index], requestId, ProbeOids);
        }

        async ValueTask SendProbeAsync(IPAddress address, bool onLink, bool afterArp, CancellationToken ct)
        {
            ProbeRecord record = probes.Add(address, onLink, afterArp, _time.GetTimestamp()); // before sending: an answer may come at once
            await icmp.SendEchoAsync(address, ct).ConfigureAwait(false);
            await udp.SendAsync(address, ProbeFor(address), ct).ConfigureAwait(false);
            record.LastSent = _time.GetTimestamp();
            if (!afterArp)
            {
                progress.Sent(); // an address swept with ARP was counted at its first request
            }
        }

        // Where the addresses are: on a directly connected Ethernet subnet, swept with our own ARP requests where we
        // may (nothing for the kernel to resolve and time out); else through the kernel, paced by the neighbour table.
        SweepPlan plan = SweepPlan.Of(ranges, subnets, own, options.Arp is not null);
        NeighbourPacer? pacer = plan.OnLinkDevice is { } pacedDevice
            ? new NeighbourPacer(_neighbours, socketLimit, _neighbours.ResolveTime(pacedDevice), _time, _logger)
            : null;
        var arpSweeps = new List<(ArpSweeper Sweeper, IReadOnlyList<IPAddress> Targets, Task<bool> Sweep, Task Follow)>();
        LogStarting(ranges.Count, string.Join(", ", ranges.Included), ranges.Excluded.Count, icmp.Mode, credentials.Count);
        Task identification = Parallel.ForEachAsync(toIdentify.Reader.ReadAllAsync(token),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Min(inFlight, 256), CancellationToken = token },
            async (address, ct) => await IdentifyOneAsync(address, ct).ConfigureAwait(false));
        async Task IdentifyOneAsync(IPAddress address, CancellationToken ct)
        {
            probedForIdentity.TryAdd(address, 0);
            bool onLink = LocalSubnet.Find(subnets, address) is not null;
            if (await ProbeAsync(client, icmp, udp, neighbourSnapshot, address, credentials, options, onLink, pacer, ct).ConfigureAwait(false) is { } device)
            {
                found.Add(device);
            }
        }

        try
        {
            foreach (IPAddress address in plan.Direct)
            {
                Identify(address); // IPv6 hosts are few and named one by one: probe them directly
            }

            foreach ((LocalSubnet subnet, List<IPAddress> targets) in plan.ArpTargets)
            {
                if (ArpSweeper.TryOpen(subnet.ArpLink!, _time, _logger) is not { } sweeper)
                {
                    plan.ThroughKernel.AddRange(targets.Select(a => (a, true)));
                    continue;
                }

                Task<bool> sweep = sweeper.SweepAsync(targets, options.Arp!, _ => progress.Sent(), token);
                Task follow = Task.Run(async () =>
                {
                    await foreach (ArpAnswer answer in sweeper.Answers.ReadAllAsync(token).ConfigureAwait(false))
                    {
                        if (pacer is not null)
                        {
                            await pacer.AdmitAsync(answer.Address, token).ConfigureAwait(false); // a live host's entry counts too
                        }

                        await SendProbeAsync(answer.Address, onLink: true, afterArp: true, token).ConfigureAwait(false);
                    }
                }, token);
                arpSweeps.Add((sweeper, targets, sweep, follow));
            }

            // Pass 1: an echo and a liveness datagram to every other address, on-link ones paced by the neighbour table.
            foreach ((IPAddress address, bool onLink) in plan.ThroughKernel)
            {
                if (onLink)
                {
                    await pacer!.AdmitAsync(address, token).ConfigureAwait(false);
                }

                await SendProbeAsync(address, onLink, afterArp: false, token).ConfigureAwait(false);
            }

            foreach ((ArpSweeper sweeper, IReadOnlyList<IPAddress> targets, Task<bool> sweep, Task follow) in arpSweeps)
            {
                bool complete = await sweep.ConfigureAwait(false);
                await follow.ConfigureAwait(false);

                // An answer the sweeper read only after its answers were closed (this process was not scheduled in
                // time) is a live host all the same: probed now rather than listed as answering ARP only.
                foreach (IPAddress address in sweeper.AnsweredMacs.Keys.Where(a => !probes.Contains(a)).ToList())
                {
                    if (pacer is not null)
                    {
                        await pacer.AdmitAsync(address, token).ConfigureAwait(false);
                    }

                    await SendProbeAsync(address, onLink: true, afterArp: true, token).ConfigureAwait(false);
                }

                if (!complete)
                {
                    // The interface refused our frames part-way: what did not answer goes through the kernel.
                    foreach (IPAddress address in targets.Where(a => !sweeper.HasAnswered(a)))
                    {
                        await pacer!.AdmitAsync(address, token).ConfigureAwait(false);
                        await SendProbeAsync(address, onLink: true, afterArp: false, token).ConfigureAwait(false);
                    }
                }
            }

            LogPhase("first pass sent", probes.Count, _time.GetElapsedTime(started).TotalMilliseconds);
            ProbeRecord[] sent = probes.InSendOrder();
            bool SnmpSettled(IPAddress address) => udp.HasAnswered(address) || icmp.HasRefusedUdp(address);
            bool EchoSettled(IPAddress address) => icmp.Mode == IcmpMode.Unavailable || icmp.HasReplied(address);

            // Pass 2, one timeout after each first send: again what is still unanswered, except on-link addresses
            // whose neighbour never resolved (ARP already asked three times: nobody is there). An SNMP port that
            // answered port-unreachable has nothing to wait for.
            for (int attempt = 0; attempt < options.Retries; attempt++)
            {
                foreach (ProbeRecord probe in sent)
                {
                    IPAddress address = probe.Address;
                    if (SnmpSettled(address) && EchoSettled(address))
                    {
                        continue;
                    }

                    TimeSpan wait = options.Timeout * (attempt + 1) - _time.GetElapsedTime(probe.FirstSent);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, _time, token).ConfigureAwait(false);
                    }

                    if (probe.OnLink && !probe.AfterArp && !neighbourSnapshot.IsResolved(address))
                    {
                        continue;
                    }

                    bool again = false;
                    if (!EchoSettled(address))
                    {
                        await icmp.SendEchoAsync(address, token).ConfigureAwait(false);
                        again = true;
                    }

                    if (!SnmpSettled(address))
                    {
                        await udp.SendAsync(address, ProbeFor(address), token).ConfigureAwait(false);
                        again = true;
                    }

                    if (again)
                    {
                        probe.LastSent = _time.GetTimestamp();
                    }
                }
            }

            LogPhase("retries sent", sent.Length, _time.GetElapsedTime(started).TotalMilliseconds);

            // Settle: until every address answered (or refused) or had one timeout since its last datagram.
            while (sent.Where(p => !(SnmpSettled(p.Address) && EchoSettled(p.Address))).Select(p => (long?)p.LastSent).Max() is long latest)
            {
                TimeSpan left = options.Timeout - _time.GetElapsedTime(latest);
                if (left <= TimeSpan.Zero)
                {
                    // Time is up, but answers that already arrived may still wait in our sockets for this process to be
                    // scheduled (a busy machine): they count by their arrival, so they are read before anything is decided.
                    if ((udp.QueuedBytes > 0 || icmp.QueuedBytes > 0) && _time.GetElapsedTime(latest) - options.Timeout < DrainLimit)
                    {
                        await Task.Delay(SettlePoll, _time, token).ConfigureAwait(false);
                        continue;
                    }

                    break;
                }

                await Task.Delay(left < SettlePoll ? left : SettlePoll, _time, token).ConfigureAwait(false);
            }

            // Pass 3: hosts that answered ping only may speak SNMP with another of the site's credentials (a wrong
            // v1/v2c community gets no answer at all), unless their SNMP port is closed.
            if (credentials.Count > 1)
            {
                foreach (ProbeRecord probe in sent.Where(p => icmp.HasReplied(p.Address) && !icmp.HasRefusedUdp(p.Address)))
                {
                    Identify(probe.Address);
                }
            }

            LogPhase("answers in, identifying", identified.Count, _time.GetElapsedTime(started).TotalMilliseconds);
            toIdentify.Writer.TryComplete();
            await identification.ConfigureAwait(false);

            // An answer read after the identification queue closed (late in a busy process) still gets its probe.
            foreach (IPAddress address in identified.Keys.Where(a => !probedForIdentity.ContainsKey(a)).ToList())
            {
                await IdentifyOneAsync(address, token).ConfigureAwait(false);
            }

            foreach (ProbeRecord probe in sent)
            {
                if (!identified.ContainsKey(probe.Address) && icmp.HasReplied(probe.Address))
                {
                    found.Add(PingOnly(probe.Address, options, icmp.Mode, icmp.HasRefusedUdp(probe.Address)));
                }
            }

            // Hosts that answered ARP and nothing else are there all the same (a printer with SNMP off, a firewalled
            // PC), unless their MAC answers for many addresses: a router doing proxy ARP, not a host.
            foreach ((ArpSweeper sweeper, _, _, _) in arpSweeps)
            {
                HashSet<string> proxies = [.. sweeper.AnsweredMacs.GroupBy(a => a.Value).Where(g => g.Count() > ProxyArpThreshold).Select(g => g.Key)];
                foreach ((IPAddress address, string mac) in sweeper.AnsweredMacs)
                {
                    if (!identified.ContainsKey(address) && !icmp.HasReplied(address) && !proxies.Contains(mac))
                    {
                        found.Add(ArpOnly(address, options, icmp.HasRefusedUdp(address)));
                    }
                }

                if (proxies.Count > 0)
                {
                    LogProxyArp(sweeper.Device, string.Join(", ", proxies), ProxyArpThreshold);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogTimeLimit(options.MaxDuration.TotalSeconds, probes.Count, ranges.Count);
            throw new TimeoutException($"The discovery sweep did not finish within {options.MaxDuration.TotalSeconds:F0} s ({progress.Probed} of {ranges.Count} addresses probed).");
        }
        finally
        {
            // On the way out by an exception: stop what still runs before the sockets go.
            toIdentify.Writer.TryComplete();
            if (!identification.IsCompleted || arpSweeps.Any(a => !a.Follow.IsCompleted || !a.Sweep.IsCompleted))
            {
                await deadline.CancelAsync().ConfigureAwait(false);
            }

            await Task.WhenAll([identification, .. arpSweeps.SelectMany(a => new Task[] { a.Sweep, a.Follow })]).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            foreach ((ArpSweeper sweeper, _, _, _) in arpSweeps)
            {
                await sweeper.DisposeAsync().ConfigureAwait(false);
            }
        }

        pacer?.Finish();
        Dictionary<IPAddress, string> macs = _neighbours.ReadEntries()
            .Where(e => e.Mac is not null)
            .GroupBy(e => e.Address)
            .ToDictionary(g => g.Key, g => g.First().Mac!);
        foreach ((ArpSweeper sweeper, IReadOnlyList<IPAddress> targets, _, _) in arpSweeps)
        {
            foreach (IPAddress address in targets)
            {
                if (sweeper.MacOf(address) is { } mac)
                {
                    macs[address] = mac; // the host's own answer, fresher than the table
                }
            }
        }

        DiscoveredDevice[] devices = [.. found
            .Select(d => IPAddress.TryParse(d.Ip, out IPAddress? ip)
                ? d with { Mac = d.Mac ?? macs.GetValueOrDefault(ip), Icmp = icmp.HasReplied(ip) }
                : d)
            .OrderBy(d => d.Ip, AddressOrder.Instance)];
        foreach (DiscoveredDevice device in devices)
        {
            progress.Done(device);
        }

        SnmpClientStatistics snmp = client.Statistics;
        LastReport = new DiscoveryReport(ranges.Count, devices.Length, devices.Count(d => d.Printer), devices.Count(d => !d.Printer), icmp.Mode,
            _time.GetElapsedTime(started), udp.Sent + snmp.DatagramsSent, icmp.EchoesSent, udp.SendRetries + snmp.SendErrors + icmp.SendRetries,
            pacer?.Budget ?? 0, pacer?.StartEntries ?? 0, pacer?.PeakEntries ?? 0, pacer?.TableFulls ?? 0,
            arpSweeps.Sum(a => a.Sweeper.RequestsSent), arpSweeps.Sum(a => a.Sweeper.Replies));
        LogFinished(ranges.Count, devices.Length, LastReport.Printers, LastReport.Elapsed.TotalMilliseconds, LastReport.SnmpDatagrams, icmp.EchoesSent,
            LastReport.ArpRequests, LastReport.ArpReplies, plan.OnLinkDevice ?? "-", LastReport.NeighbourBudget, LastReport.NeighbourEntriesPeak, LastReport.TableFulls);
        return devices;
    }

    private static DiscoveredDevice PingOnly(IPAddress address, DiscoveryOptions options, IcmpMode mode, bool portClosed) => new()
    {
        Ip = address.ToString(),
        Icmp = true,
        Snmp = false,
        Printer = false,
        Reason = portClosed ? "answers ping only; its SNMP port is closed (ICMP port unreachable)"
            : mode == IcmpMode.Unavailable ? "no SNMP answer" : "answers ping only, no SNMP answer with the site's credentials",
        Port = options.Port,
    };

    private static DiscoveredDevice ArpOnly(IPAddress address, DiscoveryOptions options, bool portClosed) => new()
    {
        Ip = address.ToString(),
        Icmp = false,
        Snmp = false,
        Printer = false,
        Reason = portClosed ? "answers ARP only: no ping answer; its SNMP port is closed (ICMP port unreachable)"
            : "answers ARP only: no ping or SNMP answer (filtered, or SNMP switched off)",
        Port = options.Port,
    };

    private static async Task<DiscoveredDevice?> ProbeAsync(SnmpClient client, IcmpSweeper icmp, UdpSweepSocket udp, NeighbourSnapshot neighbours, IPAddress address,
        CredentialPlan credentials, DiscoveryOptions options, bool onLink, NeighbourPacer? pacer, CancellationToken cancellationToken)
    {
        IEnumerable<int> order = credentials.Order(options.PreferredCredential?.Invoke(address));
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

    // Run by Regex's interpreter, not [GeneratedRegex]: the interpreter is in the binary anyway for the vendor
    // profiles' patterns, and each generated matcher added its own code to the AOT image (the 19 together: 78 KiB;
    // docs/benchmarks.md "Third pass"). Same patterns, same matches; a few microseconds per description.
    /// <summary>JetDirect and others put the serial in sysDescr: "...,SN:VNCRC48198,...".</summary>
    private static Regex SerialInDescr() => SerialInDescrPattern;

    private static readonly Regex SerialInDescrPattern = new(@"\bSN:\s*([A-Za-z0-9]+)", RegexOptions.CultureInvariant);

    [LoggerMessage(EventId = 4120, Level = LogLevel.Information,
        Message = "Discovery: sweeping {Count} addresses ({Ranges}; {Exclusions} exclusion(s)), ICMP {Icmp}, {Credentials} credential(s)")]
    private partial void LogStarting(long count, string ranges, int exclusions, IcmpMode icmp, int credentials);

    [LoggerMessage(EventId = 4121, Level = LogLevel.Information,
        Message = "Discovery: {Count} addresses in {ElapsedMs:F0} ms: {Live} live, {Printers} printer(s); {SnmpDatagrams} SNMP datagrams, {Echoes} echoes, {ArpRequests} ARP requests ({ArpReplies} answered); neighbour pacing on {Device}: budget {Budget}, peak {Peak} entries, table_fulls +{Fulls}")]
    private partial void LogFinished(long count, int live, int printers, double elapsedMs, long snmpDatagrams, long echoes, long arpRequests, int arpReplies,
        string device, int budget, long peak, long fulls);

    [LoggerMessage(EventId = 4123, Level = LogLevel.Debug, Message = "Discovery: {Phase} ({Count}) at {ElapsedMs:F0} ms")]
    private partial void LogPhase(string phase, int count, double elapsedMs);

    [LoggerMessage(EventId = 4124, Level = LogLevel.Information,
        Message = "Discovery: on {Device}, {Macs} answered ARP for more than {Threshold} addresses each (proxy ARP?): addresses that answered nothing else there are not listed")]
    private partial void LogProxyArp(string device, string macs, int threshold);

    [LoggerMessage(EventId = 4122, Level = LogLevel.Warning, Message = "Discovery stopped at its time limit of {Seconds:F0} s after {Probed} of {Count} addresses")]
    private partial void LogTimeLimit(double seconds, long probed, long count);

    /// <summary>One directly connected IPv4 subnet of this host.</summary>
    internal sealed record LocalSubnet(string Device, uint Network, uint Mask, bool NeedsNeighbour, int InterfaceIndex, byte[] Mac, IPAddress Local)
    {
        /// <summary>What an ARP sweep of this subnet needs, or null when it has no neighbours to ask (loopback, PPP, tunnels) or no MAC.</summary>
        public ArpLink? ArpLink => NeedsNeighbour && Mac.Length == 6 && InterfaceIndex > 0 ? new ArpLink(Device, InterfaceIndex, Mac, Local) : null;

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
                IPInterfaceProperties properties = nic.GetIPProperties();
                int index = IPv4Index(properties);
                byte[] mac = nic.GetPhysicalAddress().GetAddressBytes();
                foreach (UnicastIPAddressInformation unicast in properties.UnicastAddresses)
                {
                    if (unicast.Address.AddressFamily != AddressFamily.InterNetwork || unicast.PrefixLength is < 1 or > 32)
                    {
                        continue;
                    }

                    uint mask = uint.MaxValue << (32 - unicast.PrefixLength);
                    subnets.Add(new LocalSubnet(nic.Name, TargetRange.ToUInt32(unicast.Address) & mask, mask, arp, index, mac, unicast.Address));
                }
            }

            return subnets;
        }

        private static int IPv4Index(IPInterfaceProperties properties)
        {
            try
            {
                return properties.GetIPv4Properties()?.Index ?? 0;
            }
            catch (NetworkInformationException)
            {
                return 0; // no IPv4 on this interface: nothing to sweep there anyway
            }
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

    /// <summary>
    /// Which way each address goes, decided in one pass over the ranges: IPv6 hosts straight to identification;
    /// on-link IPv4 addresses of an Ethernet subnet to an ARP sweep of that subnet (when enabled); everything
    /// else through the kernel, in range order.
    /// </summary>
    private sealed class SweepPlan
    {
        public List<IPAddress> Direct { get; } = [];

        public Dictionary<LocalSubnet, List<IPAddress>> ArpTargets { get; } = [];

        /// <summary>Addresses probed directly, and whether each is on-link (then it needs a neighbour entry).</summary>
        public List<(IPAddress Address, bool OnLink)> ThroughKernel { get; } = [];

        /// <summary>The interface of the first on-link address that needs a neighbour entry, if any (the pacer's).</summary>
        public string? OnLinkDevice { get; private set; }

        public static SweepPlan Of(TargetRangeSet ranges, IReadOnlyList<LocalSubnet> subnets, HashSet<IPAddress> own, bool arp)
        {
            var plan = new SweepPlan();
            foreach (IPAddress address in ranges.Addresses())
            {
                if (own.Contains(address))
                {
                    continue; // this agent itself is not a device
                }

                if (address.AddressFamily != AddressFamily.InterNetwork)
                {
                    plan.Direct.Add(address);
                    continue;
                }

                if (LocalSubnet.Find(subnets, address) is not { NeedsNeighbour: true } subnet)
                {
                    plan.ThroughKernel.Add((address, false));
                    continue;
                }

                plan.OnLinkDevice ??= subnet.Device;
                if (arp && subnet.ArpLink is not null)
                {
                    if (!plan.ArpTargets.TryGetValue(subnet, out List<IPAddress>? targets))
                    {
                        plan.ArpTargets[subnet] = targets = [];
                    }

                    targets.Add(address);
                }
                else
                {
                    plan.ThroughKernel.Add((address, true));
                }
            }

            return plan;
        }
    }

    /// <summary>One address a liveness probe went to.</summary>
    private sealed class ProbeRecord(IPAddress address, bool onLink, bool afterArp, long firstSent)
    {
        private long _lastSent = firstSent;

        public IPAddress Address { get; } = address;

        public bool OnLink { get; } = onLink;

        /// <summary>It answered our ARP request first: its neighbour resolves, whatever the table says right now.</summary>
        public bool AfterArp { get; } = afterArp;

        public long FirstSent { get; } = firstSent;

        public long LastSent
        {
            get => Volatile.Read(ref _lastSent);
            set => Volatile.Write(ref _lastSent, value);
        }
    }

    /// <summary>The addresses probed so far; written by the sweep's senders, read by the receive loops.</summary>
    private sealed class ProbeLog
    {
        private readonly ConcurrentDictionary<IPAddress, ProbeRecord> _records = new();

        public int Count => _records.Count;

        public bool Contains(IPAddress address) => _records.ContainsKey(address);

        public ProbeRecord Add(IPAddress address, bool onLink, bool afterArp, long now) =>
            _records.GetOrAdd(address, static (a, state) => new ProbeRecord(a, state.onLink, state.afterArp, state.now), (onLink, afterArp, now));

        public ProbeRecord[] InSendOrder() => [.. _records.Values.OrderBy(r => r.FirstSent)];
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
}
