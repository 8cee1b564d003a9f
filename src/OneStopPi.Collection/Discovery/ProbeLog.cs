using System.Collections.Concurrent;
using System.Net;

namespace OneStopPi.Collection.Discovery;

/// <summary>One address a liveness probe went to.</summary>
internal sealed class ProbeRecord(IPAddress address, bool onLink, bool afterArp, long firstSent)
{
    private long _lastSent = firstSent;

    public IPAddress Address { get; } = address;

    public bool OnLink { get; } = onLink;

    /// <summary>It answered our ARP request first: its neighbour resolves, whatever the table says right now.</summary>
    public bool AfterArp { get; } = afterArp;

    public long FirstSent { get; } = firstSent;

    /// <summary>When its last echo or liveness datagram went out (the settle pass waits one timeout after it).</summary>
    public long LastSent
    {
        get => Volatile.Read(ref _lastSent);
        set => Volatile.Write(ref _lastSent, value);
    }
}

/// <summary>The addresses probed so far; written by the sweep's senders, read by the receive loops.</summary>
internal sealed class ProbeLog
{
    private readonly ConcurrentDictionary<IPAddress, ProbeRecord> _records = new();

    public int Count => _records.Count;

    public bool Contains(IPAddress address) => _records.ContainsKey(address);

    /// <summary>The address's record, made at its first probe (a second probe of it keeps the first record).</summary>
    public ProbeRecord Add(IPAddress address, bool onLink, bool afterArp, long now) =>
        _records.GetOrAdd(address, static (a, state) => new ProbeRecord(a, state.onLink, state.afterArp, state.now), (onLink, afterArp, now));

    public ProbeRecord[] InSendOrder() => [.. _records.Values.OrderBy(r => r.FirstSent)];
}
