using System.Net;

namespace OneStopPi.Collection.Discovery;

/// <summary>
/// Which neighbours of this namespace resolved, from the kernel's table re-read at most every 200 ms: asked once per
/// address by the retry and identify passes, so thousands of questions cost a few reads of /proc/net/arp.
/// </summary>
internal sealed class NeighbourSnapshot(INeighbourTable table, TimeProvider time)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(200);

    private readonly Lock _gate = new();
    private HashSet<IPAddress> _resolved = [];
    private long _readAt = long.MinValue;

    public bool IsResolved(IPAddress address)
    {
        lock (_gate)
        {
            if (_readAt == long.MinValue || time.GetElapsedTime(_readAt) > MaxAge)
            {
                _resolved = [.. table.ReadEntries().Where(e => e.Complete).Select(e => e.Address)];
                _readAt = time.GetTimestamp();
            }

            return _resolved.Contains(address);
        }
    }
}
