using System.Net;
using Microsoft.Extensions.Logging;

namespace OneStopPi.Collection.Discovery;

/// <summary>
/// Admits new on-link addresses so the machine's neighbour table never fills: each address we send
/// to holds an entry (INCOMPLETE for the resolve time, then FAILED and reclaimable; a live host's
/// stays unreclaimable until 5 s after its last use), so at most <see cref="Budget"/> may be held at
/// once. The budget is gc_thresh3 minus a margin minus what others hold now, and also no more than the
/// sockets can queue behind unresolved ARP. <c>table_fulls</c> is watched during the sweep: if it
/// moves anyway (another sweep on the machine), the budget is halved.
/// </summary>
public sealed partial class NeighbourPacer
{
    /// <summary>Slots left free for the host's own traffic.</summary>
    public const int Margin = 64;

    /// <summary>The budget never drops below this, so a nearly full table slows the sweep down without stopping it.</summary>
    public const int MinimumBudget = 16;

    /// <summary>Forced GC reclaims a valid entry only 5 s after its last update.</summary>
    private static readonly TimeSpan LiveHold = TimeSpan.FromSeconds(5.5);
    private static readonly TimeSpan StatsInterval = TimeSpan.FromMilliseconds(25);

    private readonly INeighbourTable _table;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _hold;
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, long> _held = [];
    private readonly PriorityQueue<IPAddress, long> _expiries = new();
    private readonly long _startFulls;
    private long _lastStats;
    private long _lastFulls;

    public NeighbourPacer(INeighbourTable table, int socketQueueLimit, TimeSpan resolveTime, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
        _time = time;
        _logger = logger;
        _hold = resolveTime + TimeSpan.FromMilliseconds(250);
        NeighbourStats? stats = table.ReadStats();
        StatsAvailable = stats is not null;
        _startFulls = _lastFulls = stats?.TableFulls ?? 0;
        StartEntries = PeakEntries = stats?.Entries ?? 0;

        // Our own namespace's unresolved entries left by an earlier sweep are FAILED, so reclaimable.
        int reclaimable = table.ReadEntries().Count(e => !e.Complete);
        long others = Math.Max(0, StartEntries - reclaimable);
        Budget = (int)Math.Clamp(Math.Min(table.Capacity - Margin - others, socketQueueLimit), MinimumBudget, int.MaxValue);
        LogBudget(Budget, table.Capacity, StartEntries, reclaimable, socketQueueLimit, _hold.TotalMilliseconds);
        if (!StatsAvailable)
        {
            LogNoStats();
        }
    }

    /// <summary>How many addresses may hold a neighbour entry at once.</summary>
    public int Budget { get; private set; }

    public bool StatsAvailable { get; }

    public long StartEntries { get; }

    /// <summary>The highest machine-wide entry count seen while pacing.</summary>
    public long PeakEntries { get; private set; }

    /// <summary>table_fulls increments seen since the pacer started (the goal is zero).</summary>
    public long TableFulls => _lastFulls - _startFulls;

    /// <summary>Addresses holding an entry now, by our count.</summary>
    public int Held
    {
        get
        {
            lock (_gate)
            {
                Expire(_time.GetTimestamp());
                return _held.Count;
            }
        }
    }

    /// <summary>Waits until one more address may get a neighbour entry, then counts it as held.</summary>
    public async ValueTask AdmitAsync(IPAddress address, CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                long now = _time.GetTimestamp();
                Expire(now);
                Watch(now);
                if (_held.Count < Budget)
                {
                    Hold(address, now + ToTicks(_hold));
                    return;
                }

                wait = _expiries.TryPeek(out _, out long next)
                    ? TimeSpan.FromSeconds(Math.Max(0, next - now) / (double)_time.TimestampFrequency)
                    : StatsInterval;
            }

            await Task.Delay(wait < StatsInterval ? StatsInterval : wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The address answered: its entry is valid now and stays unreclaimable for a while.</summary>
    public void MarkLive(IPAddress address)
    {
        lock (_gate)
        {
            Hold(address, _time.GetTimestamp() + ToTicks(LiveHold));
        }
    }

    /// <summary>Reads the counters one last time (for the report).</summary>
    public void Finish()
    {
        lock (_gate)
        {
            Watch(long.MaxValue);
        }
    }

    private void Hold(IPAddress address, long expiry)
    {
        _held[address] = expiry;
        _expiries.Enqueue(address, expiry);
    }

    private void Expire(long now)
    {
        while (_expiries.TryPeek(out IPAddress? address, out long expiry) && expiry <= now)
        {
            _expiries.Dequeue();
            if (_held.TryGetValue(address, out long current) && current == expiry)
            {
                _held.Remove(address);
            }
        }
    }

    private void Watch(long now)
    {
        if (!StatsAvailable || (now != long.MaxValue && now - _lastStats < ToTicks(StatsInterval)))
        {
            return;
        }

        _lastStats = now == long.MaxValue ? _time.GetTimestamp() : now;
        if (_table.ReadStats() is not { } stats)
        {
            return;
        }

        PeakEntries = Math.Max(PeakEntries, stats.Entries);
        if (stats.TableFulls > _lastFulls)
        {
            int halved = Math.Max(MinimumBudget, Budget / 2);
            LogOverflow(stats.TableFulls - _lastFulls, Budget, halved);
            Budget = halved;
            _lastFulls = stats.TableFulls;
        }
    }

    private long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private void LogBudget(int budget, int capacity, long entries, int reclaimable, int socketLimit, double holdMs)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.Log(LogLevel.Debug, new EventId(4101, nameof(LogBudget)),
                "Neighbour pacing: {Budget} addresses at once (gc_thresh3 {Capacity}, {Entries} entries machine-wide at start, {Reclaimable} of ours reclaimable, sockets queue {SocketLimit}), each held {HoldMs} ms",
                budget, capacity, entries, reclaimable, socketLimit, holdMs);
        }
    }

    private void LogOverflow(long count, int budget, int newBudget)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(4102, nameof(LogOverflow)),
                "The neighbour table overflowed {Count} time(s) during the sweep (another process is filling it); pacing drops from {Budget} to {NewBudget} addresses at once",
                count, budget, newBudget);
        }
    }

    private void LogNoStats()
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(4103, nameof(LogNoStats)),
                "Neighbour-table counters are unreadable here (/proc/net/stat/arp_cache, /proc/1/net/stat/arp_cache); pacing by time alone");
        }
    }
}
