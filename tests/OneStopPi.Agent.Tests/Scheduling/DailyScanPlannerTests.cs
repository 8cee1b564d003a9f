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
        Assert.That(_planner.Due(Utc(11, 25, 12), clockSynchronised: false, lastSlot: null), Is.Null);
    }

    [Test]
    public void Due_at_the_site_local_time_and_on_time()
    {
        // 06:00 in Berlin in November is 05:00 UTC.
        Assert.That(_planner.Due(Utc(11, 25, 4, 59), true, lastSlot: null, lastMeterDay: new DateOnly(2026, 11, 24)), Is.Null);
        DueMeterScan? due = _planner.Due(Utc(11, 25, 5, 0), true, lastSlot: null, lastMeterDay: new DateOnly(2026, 11, 24));
        Assert.That(due, Is.EqualTo(new DueMeterScan(new DateOnly(2026, 11, 25), Utc(11, 25, 5), Missed: false)));
    }

    [Test]
    public void Runs_once_per_day()
    {
        Assert.That(_planner.Due(Utc(11, 25, 5, 1), true, lastSlot: null, lastMeterDay: new DateOnly(2026, 11, 25)), Is.Null);
    }

    [Test]
    public void A_box_that_was_off_at_the_scan_time_runs_it_once_late_and_says_missed()
    {
        DueMeterScan? due = _planner.Due(Utc(11, 25, 9), true, lastSlot: null, lastMeterDay: new DateOnly(2026, 11, 23));
        Assert.That(due, Is.EqualTo(new DueMeterScan(new DateOnly(2026, 11, 25), Utc(11, 25, 5), Missed: true)));
    }

    [Test]
    public void Back_before_todays_time_after_missing_yesterday_runs_yesterdays_once()
    {
        DueMeterScan? due = _planner.Due(Utc(11, 25, 3), true, lastSlot: null, lastMeterDay: new DateOnly(2026, 11, 23));
        Assert.That(due, Is.EqualTo(new DueMeterScan(new DateOnly(2026, 11, 24), Utc(11, 24, 5), Missed: true)));
    }

    [Test]
    public void A_clock_jumping_back_does_not_run_a_day_twice()
    {
        // Read on the 25th; the clock then steps back to the 24th, after that day's time.
        Assert.That(_planner.Due(Utc(11, 24, 10), true, lastSlot: null, lastMeterDay: new DateOnly(2026, 11, 25)), Is.Null);
    }

    [Test]
    public void Daylight_saving_days_keep_the_local_time()
    {
        // Summer: 06:00 CEST is 04:00 UTC.
        Assert.That(_planner.Due(Utc(7, 1, 4), true, lastSlot: null, lastMeterDay: new DateOnly(2026, 6, 30))!.Occurrence, Is.EqualTo(Utc(7, 1, 4)));
        Assert.That(_planner.NextOccurrence(Utc(7, 1, 4)), Is.EqualTo(Utc(7, 2, 4)));
    }

    [Test]
    public void A_scan_time_inside_the_spring_gap_moves_forward()
    {
        var planner = new DailyScanPlanner(new TimeOnly(2, 30), Berlin);
        // 2026-03-29: 02:00-03:00 local does not exist; 03:00 CEST = 01:00 UTC.
        Assert.That(planner.NextOccurrence(Utc(3, 29, 0)), Is.EqualTo(Utc(3, 29, 1)));
    }

    private static readonly DailyScanPlanner ThreeADay = new([new TimeOnly(17, 30), new TimeOnly(7, 30), new TimeOnly(12, 30)], Berlin);

    [Test]
    public void Several_times_a_day_the_latest_slot_passed_is_due_once()
    {
        // November, Berlin is UTC+1: 07:30, 12:30, 17:30 local are 06:30, 11:30, 16:30 UTC.
        Assert.That(ThreeADay.OccurrencesOn(new DateOnly(2026, 11, 25)), Is.EqualTo(new[] { Utc(11, 25, 6, 30), Utc(11, 25, 11, 30), Utc(11, 25, 16, 30) }));
        Assert.That(ThreeADay.Due(Utc(11, 25, 11, 35), true, lastSlot: Utc(11, 25, 6, 30)),
            Is.EqualTo(new DueMeterScan(new DateOnly(2026, 11, 25), Utc(11, 25, 11, 30), Missed: false)));
        Assert.That(ThreeADay.Due(Utc(11, 25, 11, 35), true, lastSlot: Utc(11, 25, 11, 30)), Is.Null, "that slot ran");
        Assert.That(ThreeADay.NextOccurrence(Utc(11, 25, 11, 30)), Is.EqualTo(Utc(11, 25, 16, 30)));
        Assert.That(ThreeADay.NextOccurrence(Utc(11, 25, 16, 30)), Is.EqualTo(Utc(11, 26, 6, 30)));
    }

    [Test]
    public void Slots_missed_while_off_run_as_one_late_read_of_the_latest()
    {
        DueMeterScan? due = ThreeADay.Due(Utc(11, 25, 18), true, lastSlot: Utc(11, 25, 6, 30));
        Assert.That(due, Is.EqualTo(new DueMeterScan(new DateOnly(2026, 11, 25), Utc(11, 25, 16, 30), Missed: true)), "12:30 is gone for good");
        DueMeterScan? early = ThreeADay.Due(Utc(11, 26, 5), true, lastSlot: Utc(11, 25, 6, 30));
        Assert.That(early, Is.EqualTo(new DueMeterScan(new DateOnly(2026, 11, 25), Utc(11, 25, 16, 30), Missed: true)), "before the first of the day: yesterday's last");
    }

    [Test]
    public void A_clock_jumping_back_never_runs_an_earlier_slot_again()
    {
        Assert.That(ThreeADay.Due(Utc(11, 25, 12), true, lastSlot: Utc(11, 25, 16, 30)), Is.Null);
    }

    [Test]
    public void The_day_an_agent_before_several_reads_kept_counts_as_read_whole()
    {
        // Upgraded on the 25th after that day's single read: none of the 25th's slots again.
        Assert.That(ThreeADay.Due(Utc(11, 25, 17), true, lastSlot: null, lastMeterDay: new DateOnly(2026, 11, 25)), Is.Null);
        Assert.That(ThreeADay.Due(Utc(11, 26, 7), true, lastSlot: null, lastMeterDay: new DateOnly(2026, 11, 25))!.Occurrence, Is.EqualTo(Utc(11, 26, 6, 30)));
    }

    [Test]
    public void On_the_spring_change_a_time_in_the_gap_moves_out_of_it_and_two_times_on_one_instant_run_once()
    {
        var planner = new DailyScanPlanner([new TimeOnly(2, 30), new TimeOnly(3, 0), new TimeOnly(7, 30)], Berlin);
        // 2026-03-29: 02:30 does not exist and becomes 03:00 CEST (01:00 UTC), the same instant as 03:00.
        Assert.That(planner.OccurrencesOn(new DateOnly(2026, 3, 29)), Is.EqualTo(new[] { Utc(3, 29, 1), Utc(3, 29, 5, 30) }));
        Assert.That(planner.OccurrencesOn(new DateOnly(2026, 3, 28)), Is.EqualTo(new[] { Utc(3, 28, 1, 30), Utc(3, 28, 2), Utc(3, 28, 6, 30) }));
    }

    [Test]
    public void On_the_autumn_change_the_hour_that_happens_twice_is_read_once()
    {
        var planner = new DailyScanPlanner([new TimeOnly(2, 30), new TimeOnly(12, 0)], Berlin);
        // 2026-10-25: 02:30 local happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET); read at the first.
        Assert.That(planner.OccurrencesOn(new DateOnly(2026, 10, 25)), Is.EqualTo(new[] { Utc(10, 25, 0, 30), Utc(10, 25, 11) }));
        Assert.That(planner.Due(Utc(10, 25, 1, 35), true, lastSlot: Utc(10, 25, 0, 30)), Is.Null, "02:30 the second time");
    }
}
