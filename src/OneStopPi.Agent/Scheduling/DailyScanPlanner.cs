namespace OneStopPi.Agent.Scheduling;

/// <summary>A daily discovery + meter scan that is due, for one site day.</summary>
/// <param name="Day">The site-local day the reading counts for.</param>
/// <param name="Occurrence">When it was scheduled (UTC).</param>
/// <param name="Missed">The box was off or busy at the scheduled time; the reading says so.</param>
public sealed record DueMeterScan(DateOnly Day, DateTimeOffset Occurrence, bool Missed);

/// <summary>
/// Decides whether the daily meter scan is due. Pure: the caller passes the wall clock, whether
/// it is synchronised, and the last day already read, so every rule is testable:
/// <list type="bullet">
/// <item>no daily scan from an unsynchronised clock (a Pi has no RTC and boots on a stale date);</item>
/// <item>the due day is the latest scheduled occurrence at or before now, in the site's time zone;
/// it runs once: a clock that jumps back never runs a day twice, one that jumps forward runs the
/// latest day once;</item>
/// <item>an occurrence found more than <see cref="MissedAfter"/> late is a missed scan.</item>
/// </list>
/// </summary>
public sealed class DailyScanPlanner
{
    /// <summary>Lateness after which a scan counts as missed rather than on time.</summary>
    public static readonly TimeSpan MissedAfter = TimeSpan.FromMinutes(10);

    private readonly TimeOnly _timeOfDay;
    private readonly TimeZoneInfo _zone;

    public DailyScanPlanner(TimeOnly timeOfDay, TimeZoneInfo zone)
    {
        _timeOfDay = timeOfDay;
        _zone = zone;
    }

    public DueMeterScan? Due(DateTimeOffset now, bool clockSynchronised, DateOnly? lastMeterDay)
    {
        if (!clockSynchronised)
        {
            return null;
        }

        DateOnly today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, _zone).DateTime);
        DateTimeOffset occurrence = OccurrenceOn(today);
        DateOnly day = today;
        if (occurrence > now)
        {
            day = today.AddDays(-1);
            occurrence = OccurrenceOn(day);
        }

        if (lastMeterDay is { } last && last >= day)
        {
            return null;
        }

        return new DueMeterScan(day, occurrence, now - occurrence > MissedAfter);
    }

    /// <summary>The next scheduled occurrence strictly after <paramref name="now"/>.</summary>
    public DateTimeOffset NextOccurrence(DateTimeOffset now)
    {
        DateOnly today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, _zone).DateTime);
        DateTimeOffset occurrence = OccurrenceOn(today);
        return occurrence > now ? occurrence : OccurrenceOn(today.AddDays(1));
    }

    /// <summary>
    /// The UTC instant of the scan time on a local day. A time skipped by a DST change moves
    /// forward by the gap; an ambiguous one takes the first (standard-offset-earlier) instant.
    /// </summary>
    private DateTimeOffset OccurrenceOn(DateOnly day)
    {
        DateTime local = day.ToDateTime(_timeOfDay, DateTimeKind.Unspecified);
        while (_zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }

        TimeSpan offset = _zone.IsAmbiguousTime(local) ? _zone.GetAmbiguousTimeOffsets(local).Max() : _zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }
}
