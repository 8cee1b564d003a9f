namespace OneStopPi.Agent.Scheduling;

/// <summary>A scheduled meter read that is due: one slot of one site day.</summary>
/// <param name="Day">The site-local day the reading counts for.</param>
/// <param name="Occurrence">When it was scheduled (UTC): the slot's identity, sent with the reading.</param>
/// <param name="Missed">The box was off or busy at the scheduled time; the reading says so.</param>
public sealed record DueMeterScan(DateOnly Day, DateTimeOffset Occurrence, bool Missed);

/// <summary>
/// Decides whether a meter read of the site's schedule (one or several times a day, e.g. 07:30, 12:30, 17:30) is due.
/// Pure: the caller passes the wall clock, whether it is synchronised, and the last slot already read, so every rule
/// is testable:
/// <list type="bullet">
/// <item>no meter read from an unsynchronised clock (a Pi has no RTC and boots on a stale date);</item>
/// <item>the due slot is the latest scheduled occurrence at or before now, in the site's time zone; it runs once:
/// a clock that jumps back never runs a slot (or an earlier one) again, one that jumps forward runs the latest
/// slot once and skips those in between (the counters are cumulative: they cannot be read after the fact);</item>
/// <item>an occurrence found more than <see cref="MissedAfter"/> late is a missed read;</item>
/// <item>on daylight-saving days a time in the spring gap moves forward out of it, a time of the autumn hour
/// that happens twice runs once (its first instant), and two times that fall on one instant run once.</item>
/// </list>
/// </summary>
public sealed class DailyScanPlanner
{
    /// <summary>Lateness after which a scan counts as missed rather than on time.</summary>
    public static readonly TimeSpan MissedAfter = TimeSpan.FromMinutes(10);

    private readonly TimeOnly[] _times;
    private readonly TimeZoneInfo _zone;

    public DailyScanPlanner(TimeOnly timeOfDay, TimeZoneInfo zone)
        : this([timeOfDay], zone)
    {
    }

    public DailyScanPlanner(IReadOnlyList<TimeOnly> timesOfDay, TimeZoneInfo zone)
    {
        ArgumentOutOfRangeException.ThrowIfZero(timesOfDay.Count);
        _times = [.. timesOfDay.Distinct().Order()];
        _zone = zone;
    }

    /// <summary>
    /// The slot due now, or null. <paramref name="lastSlot"/> is the occurrence of the last slot read;
    /// <paramref name="lastMeterDay"/> is what agents kept before several reads a day (the last day read once): without a
    /// <paramref name="lastSlot"/>, every slot of that day counts as read.
    /// </summary>
    public DueMeterScan? Due(DateTimeOffset now, bool clockSynchronised, DateTimeOffset? lastSlot, DateOnly? lastMeterDay = null)
    {
        if (!clockSynchronised)
        {
            return null;
        }

        DateOnly today = LocalDay(now);
        (DateOnly Day, DateTimeOffset At)? latest = null;
        foreach (DateOnly day in (ReadOnlySpan<DateOnly>)[today.AddDays(-1), today])
        {
            foreach (DateTimeOffset occurrence in OccurrencesOn(day))
            {
                if (occurrence <= now && (latest is null || occurrence > latest.Value.At))
                {
                    latest = (day, occurrence);
                }
            }
        }

        if (latest is not { } due)
        {
            return null;
        }

        // An agent of this version keeps both; only a state written before slots has the day alone.
        DateTimeOffset? done = lastSlot ?? (lastMeterDay is { } d ? OccurrencesOn(d).Max() : null);
        if (done is { } last && last >= due.At)
        {
            return null;
        }

        return new DueMeterScan(due.Day, due.At, now - due.At > MissedAfter);
    }

    /// <summary>The next scheduled occurrence strictly after <paramref name="now"/>.</summary>
    public DateTimeOffset NextOccurrence(DateTimeOffset now)
    {
        DateOnly today = LocalDay(now);
        return OccurrencesOn(today).Concat(OccurrencesOn(today.AddDays(1))).Concat(OccurrencesOn(today.AddDays(2)))
            .Where(o => o > now).Min();
    }

    /// <summary>The UTC instants of the schedule's times on a local day, in order, each once.</summary>
    public IEnumerable<DateTimeOffset> OccurrencesOn(DateOnly day) => _times.Select(t => OccurrenceOn(day, t)).Distinct().Order();

    private DateOnly LocalDay(DateTimeOffset now) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, _zone).DateTime);

    /// <summary>
    /// The UTC instant of a time on a local day. A time skipped by a DST change moves forward in half hours out of the gap (02:30 in Berlin's spring gap is 03:00); an
    /// ambiguous one takes its first instant (the summer offset, the larger one).
    /// </summary>
    private DateTimeOffset OccurrenceOn(DateOnly day, TimeOnly time)
    {
        DateTime local = day.ToDateTime(time, DateTimeKind.Unspecified);
        while (_zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }

        TimeSpan offset = _zone.IsAmbiguousTime(local) ? _zone.GetAmbiguousTimeOffsets(local).Max() : _zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }
}
