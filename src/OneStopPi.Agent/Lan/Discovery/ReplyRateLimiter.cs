using System.Net;

namespace OneStopPi.Agent.Lan.Discovery;

/// <summary>Token-bucket rates for discovery replies.</summary>
/// <param name="PerSourceBurst">Replies one address can get at once.</param>
/// <param name="PerSourcePerSecond">Then this many per second.</param>
/// <param name="OverallBurst">Replies to everyone at once.</param>
/// <param name="OverallPerSecond">Then this many per second.</param>
/// <param name="MaxSources">Addresses tracked; when full and none is idle, new sources are refused.</param>
public sealed record ReplyRates(double PerSourceBurst = 5, double PerSourcePerSecond = 1, double OverallBurst = 50, double OverallPerSecond = 20, int MaxSources = 4096);

/// <summary>
/// Per-source and overall token buckets on the monotonic clock. Used only by the responder's one
/// receive loop, hence no lock.
/// </summary>
public sealed class ReplyRateLimiter
{
    private static readonly TimeSpan IdleAfter = TimeSpan.FromMinutes(1);
    private readonly ReplyRates _rates;
    private readonly TimeProvider _time;
    private readonly Dictionary<IPAddress, Bucket> _sources = [];
    private Bucket _overall;

    public ReplyRateLimiter(ReplyRates rates, TimeProvider time)
    {
        _rates = rates;
        _time = time;
        _overall = new Bucket(rates.OverallBurst, time.GetTimestamp());
    }

    /// <summary>Takes one token from the source's bucket and the overall one; false when either is empty.</summary>
    public bool TryAcquire(IPAddress source)
    {
        long now = _time.GetTimestamp();
        if (!_sources.TryGetValue(source, out Bucket bucket))
        {
            if (_sources.Count >= _rates.MaxSources && !EvictIdle(now))
            {
                return false;
            }

            bucket = new Bucket(_rates.PerSourceBurst, now);
        }

        bucket = bucket.Refill(_time, now, _rates.PerSourceBurst, _rates.PerSourcePerSecond);
        _overall = _overall.Refill(_time, now, _rates.OverallBurst, _rates.OverallPerSecond);
        bool granted = bucket.Tokens >= 1 && _overall.Tokens >= 1;
        if (granted)
        {
            bucket = bucket with { Tokens = bucket.Tokens - 1 };
            _overall = _overall with { Tokens = _overall.Tokens - 1 };
        }

        _sources[source] = bucket;
        return granted;
    }

    private bool EvictIdle(long now)
    {
        int before = _sources.Count;
        foreach ((IPAddress address, Bucket bucket) in _sources)
        {
            if (_time.GetElapsedTime(bucket.Updated, now) > IdleAfter)
            {
                _sources.Remove(address);
            }
        }

        return _sources.Count < before;
    }

    private readonly record struct Bucket(double Tokens, long Updated)
    {
        public Bucket Refill(TimeProvider time, long now, double burst, double perSecond) =>
            new(Math.Min(burst, Tokens + (time.GetElapsedTime(Updated, now).TotalSeconds * perSecond)), now);
    }
}
