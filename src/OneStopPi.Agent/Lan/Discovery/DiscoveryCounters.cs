namespace OneStopPi.Agent.Lan.Discovery;

/// <summary>What the discovery responder did with the datagrams it received (shown in /status).</summary>
public sealed class DiscoveryCounters
{
    private long _probes;
    private long _answered;
    private long _malformed;
    private long _rateLimited;

    /// <summary>Well-formed probes received.</summary>
    public long Probes => Interlocked.Read(ref _probes);

    public long Answered => Interlocked.Read(ref _answered);

    /// <summary>Datagrams ignored because they were not a well-formed probe from an unprivileged port.</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Well-formed probes not answered because of the per-source or overall rate.</summary>
    public long RateLimited => Interlocked.Read(ref _rateLimited);

    public void CountProbe() => Interlocked.Increment(ref _probes);

    public void CountAnswered() => Interlocked.Increment(ref _answered);

    public void CountMalformed() => Interlocked.Increment(ref _malformed);

    public void CountRateLimited() => Interlocked.Increment(ref _rateLimited);

    public DiscoveryCountersReport Report() => new(Probes, Answered, Malformed, RateLimited);
}
