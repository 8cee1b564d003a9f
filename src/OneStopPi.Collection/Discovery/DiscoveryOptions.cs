using System.Net;
using OneStopPi.Snmp;

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
