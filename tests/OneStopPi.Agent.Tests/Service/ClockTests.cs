using OneStopPi.Agent.Scheduling;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// The daily scan under a Raspberry Pi's clock (no RTC: a stale date at boot, then NTP steps it):
/// the scheduler and worker in-process on a wall clock that can be stepped over a monotonic one. The
/// site scans at 06:00 Europe/Berlin, 05:00 UTC in early March.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class ClockTests
{
    private static readonly DateOnly March1 = new(2026, 3, 1);
    private string _state = null!;
    private SchedulerHarness? _harness;

    [SetUp]
    public void SetUp() => _state = Directory.CreateTempSubdirectory("osp-svc-clock-").FullName;

    [TearDown]
    public async Task TearDown()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
            _harness = null;
        }

        Directory.Delete(_state, recursive: true);
    }

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0, int year = 2026) => new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    private static (DateOnly Day, bool Missed) Scan(int day, bool missed) => (new DateOnly(2026, 3, day), missed);

    private async Task<SchedulerHarness> StartAsync(DateTimeOffset wallClock, bool synchronised, DateOnly? lastMeterDay, bool detectSteps = false)
    {
        var clock = new SteppableClock(wallClock);
        if (lastMeterDay is not null)
        {
            await new OneStopPi.Agent.State.RunStateStore(new OneStopPi.Agent.State.AgentPaths(_state, _state, _state))
                .UpdateAsync(s => s with { LastMeterDay = lastMeterDay });
        }

        _harness = await SchedulerHarness.StartAsync(_state, clock, new ControlledSynchronisation(clock, synchronised, detectSteps));
        return _harness;
    }

    /// <summary>Stops the scheduler as a reboot would, and starts it again on the same state with the wall clock at <paramref name="wallClock"/>.</summary>
    private async Task<SchedulerHarness> RebootAsync(DateTimeOffset wallClock, bool synchronised = true)
    {
        await _harness!.DisposeAsync();
        _harness = null;
        return await StartAsync(wallClock, synchronised, lastMeterDay: null);
    }

    private static IEnumerable<(DateOnly Day, bool Missed)> MeterScans(SchedulerHarness harness) =>
        harness.MeterScans.Select(j => (j.MeterDay!.Value, j.Missed));

    [Test]
    public async Task No_daily_scan_from_an_unsynchronised_clock_until_it_is_synchronised()
    {
        SchedulerHarness harness = await StartAsync(Utc(3, 2, 4), synchronised: false, lastMeterDay: March1);

        await harness.PassAsync(TimeSpan.FromDays(2));
        Assert.That(harness.Scans, Is.Empty, "two scan times passed on an unsynchronised clock");

        harness.Synchronisation.Synchronised = true;
        await harness.PassAsync(SchedulerHarness.Tick);
        Assert.That(MeterScans(harness), Is.EqualTo(new[] { Scan(3, missed: true) }), "the latest day, once, late");

        await harness.PassUntilAsync(Utc(3, 4, 5));
        Assert.That(MeterScans(harness), Is.EqualTo(new[] { Scan(3, true), Scan(4, false) }));
    }

    [Test]
    public async Task A_stale_boot_date_is_never_scanned_and_the_ntp_step_counts_as_synchronised()
    {
        // fake-hwclock restored a date from last year; no NTP flag, the kernel says unsynchronised.
        SchedulerHarness harness = await StartAsync(Utc(1, 1, 0, year: 2025), synchronised: false, lastMeterDay: null, detectSteps: true);
        await harness.PassAsync(TimeSpan.FromHours(8));
        Assert.That(harness.Scans, Is.Empty, "2025-01-01 06:00 passed on the boot clock");

        harness.Clock.SetWallClock(Utc(3, 2, 9));
        await harness.PassAsync(SchedulerHarness.Tick);

        Assert.That(MeterScans(harness), Is.EqualTo(new[] { Scan(2, missed: true) }), "today's scan, once, and nothing for 2025");
        Assert.That(harness.RunState.Current.LastMeterDay, Is.EqualTo(new DateOnly(2026, 3, 2)));
    }

    [Test]
    public async Task A_clock_stepping_back_does_not_run_a_day_twice_not_even_after_a_reboot()
    {
        SchedulerHarness harness = await StartAsync(Utc(3, 2, 4, 30), synchronised: true, lastMeterDay: March1);
        await harness.PassUntilAsync(Utc(3, 2, 6));
        Assert.That(MeterScans(harness), Is.EqualTo(new[] { Scan(2, missed: false) }));

        // Stepped back a day (a bad NTP source, a technician): 2 March 06:00 comes round a second time.
        harness.Clock.SetWallClock(Utc(3, 1, 6));
        await harness.PassAsync(TimeSpan.FromHours(12));
        harness = await RebootAsync(harness.Clock.GetUtcNow());
        await harness.PassUntilAsync(Utc(3, 2, 23));
        Assert.That(MeterScans(harness), Is.Empty, "2 March was read already");

        await harness.PassUntilAsync(Utc(3, 3, 5, 30));
        Assert.That(MeterScans(harness), Is.EqualTo(new[] { Scan(3, missed: false) }));
    }

    [Test]
    public async Task A_small_step_forward_over_the_scan_time_runs_that_scan_once_on_time()
    {
        SchedulerHarness harness = await StartAsync(Utc(3, 2, 4, 50), synchronised: true, lastMeterDay: March1);

        harness.Clock.SetWallClock(Utc(3, 2, 5, 4)); // NTP corrects a slow clock by 14 minutes, over 05:00
        await harness.PassAsync(TimeSpan.FromHours(3));

        Assert.That(MeterScans(harness), Is.EqualTo(new[] { Scan(2, missed: false) }));
    }

    [Test]
    public async Task A_step_forward_by_days_runs_the_latest_day_once_then_resumes_on_time()
    {
        SchedulerHarness harness = await StartAsync(Utc(3, 2, 6), synchronised: true, lastMeterDay: new DateOnly(2026, 3, 2));

        harness.Clock.SetWallClock(Utc(3, 5, 7));
        await harness.PassAsync(TimeSpan.FromHours(12));
        Assert.That(MeterScans(harness), Is.EqualTo(new[] { Scan(5, missed: true) }),
            "one reading for the latest day; the days in between cannot be read after the fact (the counters are cumulative)");

        await harness.PassUntilAsync(Utc(3, 6, 5, 30));
        Assert.That(MeterScans(harness), Is.EqualTo(new[] { Scan(5, true), Scan(6, false) }));
    }

    [Test]
    public async Task A_scan_missed_while_the_box_was_off_runs_once_when_it_is_back_and_says_missed()
    {
        // Off from before 05:00 UTC; back at 09:00.
        SchedulerHarness harness = await StartAsync(Utc(3, 2, 9), synchronised: true, lastMeterDay: March1);
        await harness.SettleAsync();
        Assert.That(MeterScans(harness), Is.EqualTo(new[] { Scan(2, missed: true) }));
        Assert.That(harness.MeterScans.Single().Reason, Is.EqualTo("missed daily meter scan"));

        await harness.PassAsync(TimeSpan.FromHours(6));
        harness = await RebootAsync(harness.Clock.GetUtcNow());
        await harness.PassAsync(TimeSpan.FromHours(6));
        Assert.That(MeterScans(harness), Is.Empty, "not again, not even after a reboot");

        await harness.PassUntilAsync(Utc(3, 3, 5, 30));
        Assert.That(MeterScans(harness), Is.EqualTo(new[] { Scan(3, missed: false) }));
    }

    [Test]
    public async Task Without_ntp_the_portals_time_is_trusted_and_the_daily_scan_runs_at_the_sites_time()
    {
        // NTP blocked at the site: the Pi keeps its stale boot date; the portal's heartbeat answer carries 2 March 04:50 UTC.
        SchedulerHarness harness = await StartAsync(Utc(1, 1, 0, year: 2025), synchronised: false, lastMeterDay: March1, detectSteps: true);
        await harness.PassAsync(TimeSpan.FromHours(8));
        Assert.That(harness.Scans, Is.Empty, "no scan on the untrusted boot date");
        Assert.That(harness.SiteClock.Source, Is.EqualTo(ClockSource.None));

        harness.SiteClock.RecordPortalTime(Utc(3, 2, 4, 50), harness.Clock.GetTimestamp());
        Assert.That(harness.SiteClock.Source, Is.EqualTo(ClockSource.Portal));
        Assert.That(harness.SiteClock.GetUtcNow(), Is.EqualTo(Utc(3, 2, 4, 50)));
        Assert.That(harness.Clock.GetUtcNow().Year, Is.EqualTo(2025), "the system clock is left alone");

        await harness.PassAsync(TimeSpan.FromMinutes(5));
        Assert.That(harness.Scans, Is.Empty, "05:00 UTC (06:00 in Berlin) has not come yet");
        await harness.PassAsync(TimeSpan.FromMinutes(10));
        Assert.That(MeterScans(harness), Is.EqualTo(new[] { Scan(2, missed: false) }), "on time by the portal's clock");
        Assert.That(harness.RunState.Current.LastMeterScan?.Year, Is.EqualTo(2026), "stamped with the corrected time");
    }
}
