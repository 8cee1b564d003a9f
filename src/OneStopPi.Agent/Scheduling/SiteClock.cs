namespace OneStopPi.Agent.Scheduling;

/// <summary>Where the agent's time of day comes from.</summary>
public enum ClockSource
{
    /// <summary>Nothing trusted yet: the Pi's boot date (no real-time clock); no daily meter scan runs on it.</summary>
    None,

    /// <summary>NTP set the system clock (<see cref="ClockSynchronisation"/>).</summary>
    Ntp,

    /// <summary>
    /// NTP is silent (a site that blocks UDP 123, the seed's "only outbound HTTP/HTTPS"), so the agent keeps
    /// an offset to the portal's clock from its heartbeat answers. The system clock is left alone: the agent
    /// may not set it from its sandbox, and the other services on the box keep their own view.
    /// </summary>
    Portal,
}

/// <summary>
/// The time the agent trusts for the site's schedule and the readings' timestamps: the system clock once
/// NTP synchronised it, else the system clock corrected by the offset to the portal's clock, else the
/// untrusted system clock. Timers and timestamps are the inner provider's monotonic ones, never corrected.
/// Registered as the agent's <see cref="TimeProvider"/>; <see cref="ClockSynchronisation"/> looks at the raw clock.
/// </summary>
public sealed class SiteClock : TimeProvider
{
    private static readonly TimeSpan NtpRecheck = TimeSpan.FromSeconds(1);
    private readonly TimeProvider _system;
    private readonly ClockSynchronisation _ntp;
    private readonly Lock _gate = new();
    private long _ntpCheckedAt;
    private bool _ntpSynchronised;
    private bool _ntpChecked;
    private TimeSpan? _portalOffset;

    public SiteClock(TimeProvider system, ClockSynchronisation ntp)
    {
        _system = system;
        _ntp = ntp;
    }

    /// <summary>What the time is taken from now.</summary>
    public ClockSource Source
    {
        get
        {
            if (NtpSynchronised())
            {
                return ClockSource.Ntp;
            }

            lock (_gate)
            {
                return _portalOffset is null ? ClockSource.None : ClockSource.Portal;
            }
        }
    }

    /// <summary>Whether the time of day can be trusted for the daily meter scan and the readings.</summary>
    public bool IsTrusted => Source != ClockSource.None;

    /// <summary>The portal's clock minus the system clock, as last measured; null before the first answer.</summary>
    public TimeSpan? PortalOffset
    {
        get
        {
            lock (_gate)
            {
                return _portalOffset;
            }
        }
    }

    public override TimeZoneInfo LocalTimeZone => _system.LocalTimeZone;

    public override long TimestampFrequency => _system.TimestampFrequency;

    public override DateTimeOffset GetUtcNow()
    {
        DateTimeOffset now = _system.GetUtcNow();
        if (NtpSynchronised())
        {
            return now;
        }

        lock (_gate)
        {
            return _portalOffset is { } offset ? now + offset : now;
        }
    }

    public override long GetTimestamp() => _system.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        _system.CreateTimer(callback, state, dueTime, period);

    /// <summary>
    /// Notes the portal's time from an answer: <paramref name="portalTime"/> as the portal stamped it, the request
    /// sent at <paramref name="sentTimestamp"/> (monotonic); the answer is taken to be stamped halfway (NTP's assumption).
    /// </summary>
    public void RecordPortalTime(DateTimeOffset portalTime, long sentTimestamp)
    {
        TimeSpan roundTrip = _system.GetElapsedTime(sentTimestamp);
        TimeSpan offset = portalTime + roundTrip / 2 - _system.GetUtcNow();
        lock (_gate)
        {
            _portalOffset = offset;
        }
    }

    /// <summary>The NTP state, looked at most once a second (a file and a system call).</summary>
    private bool NtpSynchronised()
    {
        long now = _system.GetTimestamp();
        lock (_gate)
        {
            if (_ntpChecked && _system.GetElapsedTime(_ntpCheckedAt, now) < NtpRecheck)
            {
                return _ntpSynchronised;
            }
        }

        bool synchronised = _ntp.IsSynchronised();
        lock (_gate)
        {
            _ntpSynchronised = synchronised;
            _ntpChecked = true;
            _ntpCheckedAt = now;
            return synchronised;
        }
    }
}
