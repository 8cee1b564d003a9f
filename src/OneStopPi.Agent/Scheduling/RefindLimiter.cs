namespace OneStopPi.Agent.Scheduling;

/// <summary>
/// Paces the status scan's re-find sweeps (the site's ranges swept for known devices that did not answer at their
/// last address): at most one per <see cref="Interval"/>, so a printer that is simply switched off does not cost a
/// sweep every status scan. The first one may run at once: a printer that moved since the morning is found by
/// the first status scan that misses it. Measured on the monotonic clock, so a wall-clock step neither blocks nor
/// repeats a sweep.
/// </summary>
public sealed class RefindLimiter
{
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private long? _lastSweep;

    public RefindLimiter(TimeSpan interval, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(time);
        Interval = interval;
        _time = time;
    }

    public TimeSpan Interval { get; }

    /// <summary>
    /// Claims a sweep: true (the interval starts again now) when there was none yet or the last one was at least
    /// <see cref="Interval"/> ago; false with how long is left otherwise.
    /// </summary>
    public bool TryClaim(out TimeSpan wait)
    {
        lock (_gate)
        {
            TimeSpan since = _lastSweep is long last ? _time.GetElapsedTime(last) : TimeSpan.MaxValue;
            if (since < Interval)
            {
                wait = Interval - since;
                return false;
            }

            _lastSweep = _time.GetTimestamp();
            wait = TimeSpan.Zero;
            return true;
        }
    }
}
