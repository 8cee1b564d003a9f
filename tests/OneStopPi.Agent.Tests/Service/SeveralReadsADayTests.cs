using OneStopPi.Agent.Scheduling;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// A site that reads its meters several times a day (07:30, 12:30, 17:30 Europe/Berlin) under the daily read's rules:
/// the scheduler and worker in-process on a wall clock that can be stepped over a monotonic one (a fake TimeProvider),
/// through ordinary days, a box that was off, clock jumps, no clock, and both daylight-saving change days.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class SeveralReadsADayTests
{
    private static readonly string[] ThreeTimes = ["07:30", "12:30", "17:30"];
    private string _state = null!;
    private SchedulerHarness? _harness;

    [SetUp]
    public void SetUp() => _state = Directory.CreateTempSubdirectory("osp-svc-reads-").FullName;

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

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    private async Task<SchedulerHarness> StartAsync(DateTimeOffset wallClock, IReadOnlyList<string> times, bool synchronised = true,
        DateTimeOffset? lastSlot = null, DateOnly? lastMeterDay = null)
    {
        if (lastSlot is not null || lastMeterDay is not null)
        {
            await new RunStateStore(new AgentPaths(_state, _state, _state)).UpdateAsync(s => s with { LastMeterSlot = lastSlot, LastMeterDay = lastMeterDay });
        }

        var clock = new SteppableClock(wallClock);
        _harness = await SchedulerHarness.StartAsync(_state, clock, new ControlledSynchronisation(clock, synchronised), meterTimes: times);
        return _harness;
    }

    private async Task<SchedulerHarness> RebootAsync(IReadOnlyList<string> times)
    {
        DateTimeOffset now = _harness!.Clock.GetUtcNow();
        await _harness.DisposeAsync();
        _harness = null;
        return await StartAsync(now, times);
    }

    private static (DateTimeOffset Slot, bool Missed)[] Reads(SchedulerHarness harness) =>
        [.. harness.MeterScans.Select(j => (j.MeterSlot!.Value, j.Missed))];

    [Test]
    public void A_schedule_of_several_times_reaches_the_agent_sorted_and_an_old_single_time_still_works()
    {
        var config = new Contracts.AgentConfig(Guid.NewGuid(), 1, true, 1, [], [], new Contracts.SnmpConfig(["public"], []),
            Contracts.ScheduleConfig.ForTimes(["17:30", "07:30", "12:30"], "Europe/Berlin", 15, 0), "normal");
        Assert.That(Configuration.SitePlan.From(config).MeterTimes, Is.EqualTo(new[] { new TimeOnly(7, 30), new TimeOnly(12, 30), new TimeOnly(17, 30) }));
        Assert.That(Configuration.SitePlan.From(config with { Schedule = new Contracts.ScheduleConfig("06:15", "UTC", 15, 0) }).MeterTimes,
            Is.EqualTo(new[] { new TimeOnly(6, 15) }));
        var bad = Assert.Throws<Configuration.InvalidPortalConfigException>(() =>
            Configuration.SitePlan.From(config with { Schedule = Contracts.ScheduleConfig.ForTimes(["07:30", "noon"], "UTC", 15, 0) }));
        Assert.That(bad!.Problems, Does.Contain("meter time 'noon' is not HH:mm"));
    }

    [Test]
    public async Task Each_time_runs_once_a_day_on_time_in_the_sites_zone()
    {
        // Berlin in November is UTC+1: 06:30, 11:30, 16:30 UTC.
        SchedulerHarness harness = await StartAsync(Utc(11, 25, 5), ThreeTimes, lastSlot: Utc(11, 24, 16, 30));
        await harness.PassUntilAsync(Utc(11, 26, 12));

        Assert.That(Reads(harness), Is.EqualTo(new[]
        {
            (Utc(11, 25, 6, 30), false), (Utc(11, 25, 11, 30), false), (Utc(11, 25, 16, 30), false),
            (Utc(11, 26, 6, 30), false), (Utc(11, 26, 11, 30), false),
        }));
        Assert.That(harness.MeterScans.Select(j => j.MeterDay), Is.EqualTo(new DateOnly?[]
            { new(2026, 11, 25), new(2026, 11, 25), new(2026, 11, 25), new(2026, 11, 26), new(2026, 11, 26) }));
        Assert.That(harness.RunState.Current.LastMeterSlot, Is.EqualTo(Utc(11, 26, 11, 30)));
    }

    [Test]
    public async Task Slots_missed_while_the_box_was_off_run_once_late_as_the_latest_then_on_time_again()
    {
        // Read at 07:30, then off until 19:00 local (18:00 UTC): 12:30 and 17:30 passed.
        SchedulerHarness harness = await StartAsync(Utc(11, 25, 18), ThreeTimes, lastSlot: Utc(11, 25, 6, 30));
        await harness.SettleAsync();
        Assert.That(Reads(harness), Is.EqualTo(new[] { (Utc(11, 25, 16, 30), true) }), "one late read for the latest slot, none for 12:30");

        harness = await RebootAsync(ThreeTimes);
        await harness.PassUntilAsync(Utc(11, 26, 7));
        Assert.That(Reads(harness), Is.EqualTo(new[] { (Utc(11, 26, 6, 30), false) }), "not again after a reboot; the next morning on time");
    }

    [Test]
    public async Task A_clock_jumping_back_or_forward_runs_no_slot_twice()
    {
        SchedulerHarness harness = await StartAsync(Utc(11, 25, 11), ThreeTimes, lastSlot: Utc(11, 25, 6, 30));
        await harness.PassUntilAsync(Utc(11, 25, 12));
        Assert.That(Reads(harness), Is.EqualTo(new[] { (Utc(11, 25, 11, 30), false) }));

        harness.Clock.SetWallClock(Utc(11, 25, 6)); // back before the morning's slot
        await harness.PassAsync(TimeSpan.FromHours(6));
        Assert.That(Reads(harness), Has.Length.EqualTo(1), "07:30 and 12:30 were read already");

        harness.Clock.SetWallClock(Utc(11, 27, 13)); // forward two days
        await harness.PassAsync(SchedulerHarness.Tick);
        Assert.That(Reads(harness).Skip(1), Is.EqualTo(new[] { (Utc(11, 27, 11, 30), true) }), "the latest slot once, late");
    }

    [Test]
    public async Task No_read_from_an_unsynchronised_clock_then_the_latest_slot_once()
    {
        SchedulerHarness harness = await StartAsync(Utc(11, 25, 5), ThreeTimes, synchronised: false, lastSlot: Utc(11, 24, 16, 30));
        await harness.PassUntilAsync(Utc(11, 25, 14));
        Assert.That(harness.Scans, Is.Empty, "07:30 and 12:30 passed on an untrusted clock");

        harness.Synchronisation.Synchronised = true;
        await harness.PassAsync(SchedulerHarness.Tick);
        Assert.That(Reads(harness), Is.EqualTo(new[] { (Utc(11, 25, 11, 30), true) }));
    }

    [Test]
    public async Task An_agent_upgraded_from_one_read_a_day_does_not_read_that_day_again()
    {
        SchedulerHarness harness = await StartAsync(Utc(11, 25, 10), ThreeTimes, lastMeterDay: new DateOnly(2026, 11, 25));
        await harness.PassUntilAsync(Utc(11, 26, 7));
        Assert.That(Reads(harness), Is.EqualTo(new[] { (Utc(11, 26, 6, 30), false) }));
    }

    [Test]
    public async Task On_the_spring_change_day_every_slot_runs_once_the_one_in_the_gap_out_of_it()
    {
        // 2026-03-29 in Berlin: 02:00 CET jumps to 03:00 CEST. 02:30 runs at 03:00 CEST (01:00 UTC), 07:30 CEST is 05:30 UTC.
        string[] times = ["02:30", "07:30", "17:30"];
        SchedulerHarness harness = await StartAsync(Utc(3, 28, 20), times, lastSlot: Utc(3, 28, 16, 30));
        await harness.PassUntilAsync(Utc(3, 29, 20));
        Assert.That(Reads(harness), Is.EqualTo(new[] { (Utc(3, 29, 1), false), (Utc(3, 29, 5, 30), false), (Utc(3, 29, 15, 30), false) }));
    }

    [Test]
    public async Task On_the_autumn_change_day_the_hour_that_comes_twice_is_read_once()
    {
        // 2026-10-25 in Berlin: 03:00 CEST goes back to 02:00 CET; 02:30 local comes at 00:30 and again at 01:30 UTC.
        string[] times = ["02:30", "07:30"];
        SchedulerHarness harness = await StartAsync(Utc(10, 24, 20), times, lastSlot: Utc(10, 24, 5, 30));
        await harness.PassUntilAsync(Utc(10, 25, 12));
        Assert.That(Reads(harness), Is.EqualTo(new[] { (Utc(10, 25, 0, 30), false), (Utc(10, 25, 6, 30), false) }));
    }
}
