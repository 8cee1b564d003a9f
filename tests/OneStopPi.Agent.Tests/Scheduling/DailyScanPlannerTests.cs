using OneStopPi.Agent.Scheduling;

namespace OneStopPi.Agent.Tests.Scheduling;

public sealed class DailyScanPlannerTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private readonly DailyScanPlanner _planner = new(new TimeOnly(6, 0), Berlin);

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    [Test]
    public void Nothing_runs_from_an_unsynchronised_clock()
    {
        Assert.That(_planner.Due(Utc(11, 25, 12), clockSynchronised: false, lastMeterDay: null), Is.Null);
    }

    [Test]
    public void Due_at_the_site_local_time_and_on_time()
    {
        // 06:00 in Berlin in November is 05:00 UTC.
        Assert.That(_planner.Due(Utc(11, 25, 4, 59), true, new DateOnly(2026, 11, 24)), Is.Null);
        DueMeterScan? due = _planner.Due(Utc(11, 25, 5, 0), true, new DateOnly(2026, 11, 24));
        Assert.That(due, Is.EqualTo(new DueMeterScan(new DateOnly(2026, 11, 25), Utc(11, 25, 5), Missed: false)));
    }

    [Test]
    public void Runs_once_per_day()
    {
        Assert.That(_planner.Due(Utc(11, 25, 5, 1), true, new DateOnly(2026, 11, 25)), Is.Null);
    }

    [Test]
    public void A_box_that_was_off_at_the_scan_time_runs_it_once_late_and_says_missed()
    {
        DueMeterScan? due = _planner.Due(Utc(11, 25, 9), true, new DateOnly(2026, 11, 23));
        Assert.That(due, Is.EqualTo(new DueMeterScan(new DateOnly(2026, 11, 25), Utc(11, 25, 5), Missed: true)));
    }

    [Test]
    public void Back_before_todays_time_after_missing_yesterday_runs_yesterdays_once()
    {
        DueMeterScan? due = _planner.Due(Utc(11, 25, 3), true, new DateOnly(2026, 11, 23));
        Assert.That(due, Is.EqualTo(new DueMeterScan(new DateOnly(2026, 11, 24), Utc(11, 24, 5), Missed: true)));
    }

    [Test]
    public void A_clock_jumping_back_does_not_run_a_day_twice()
    {
        // Read on the 25th; the clock then steps back to the 24th, after that day's time.
        Assert.That(_planner.Due(Utc(11, 24, 10), true, new DateOnly(2026, 11, 25)), Is.Null);
    }

    [Test]
    public void Daylight_saving_days_keep_the_local_time()
    {
        // Summer: 06:00 CEST is 04:00 UTC.
        Assert.That(_planner.Due(Utc(7, 1, 4), true, new DateOnly(2026, 6, 30))!.Occurrence, Is.EqualTo(Utc(7, 1, 4)));
        Assert.That(_planner.NextOccurrence(Utc(7, 1, 4)), Is.EqualTo(Utc(7, 2, 4)));
    }

    [Test]
    public void A_scan_time_inside_the_spring_gap_moves_forward()
    {
        var planner = new DailyScanPlanner(new TimeOnly(2, 30), Berlin);
        // 2026-03-29: 02:00-03:00 local does not exist; 03:00 CEST = 01:00 UTC.
        Assert.That(planner.NextOccurrence(Utc(3, 29, 0)), Is.EqualTo(Utc(3, 29, 1)));
    }
}
