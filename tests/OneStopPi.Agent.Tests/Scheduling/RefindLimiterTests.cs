using Microsoft.Extensions.Time.Testing;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Agent.Tests.Service;

namespace OneStopPi.Agent.Tests.Scheduling;

/// <summary>The pace of the status scan's re-find sweeps: a printer that is switched off must not cost a sweep every status scan.</summary>
public sealed class RefindLimiterTests
{
    private static readonly DateTimeOffset Morning = new(2026, 11, 25, 6, 5, 0, TimeSpan.Zero);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Test]
    public void The_first_sweep_runs_at_once_then_one_an_hour_however_many_status_scans_miss_a_device()
    {
        var time = new FakeTimeProvider(Morning);
        var limiter = new RefindLimiter(Hour, time);
        var sweeps = new List<TimeSpan>();

        // A day of status scans every 5 minutes, the printer switched off all along.
        for (int scan = 0; scan < 24 * 12; scan++)
        {
            if (limiter.TryClaim(out _))
            {
                sweeps.Add(time.GetUtcNow() - Morning);
            }

            time.Advance(TimeSpan.FromMinutes(5));
        }

        Assert.That(sweeps, Is.EqualTo(Enumerable.Range(0, 24).Select(h => TimeSpan.FromHours(h))));
    }

    [Test]
    public void A_refused_claim_says_how_long_is_left_and_does_not_restart_the_interval()
    {
        var time = new FakeTimeProvider(Morning);
        var limiter = new RefindLimiter(Hour, time);
        Assert.That(limiter.TryClaim(out TimeSpan first), Is.True);
        Assert.That(first, Is.EqualTo(TimeSpan.Zero));

        time.Advance(TimeSpan.FromMinutes(20));
        Assert.That(limiter.TryClaim(out TimeSpan wait), Is.False);
        Assert.That(wait, Is.EqualTo(TimeSpan.FromMinutes(40)));

        time.Advance(TimeSpan.FromMinutes(39));
        Assert.That(limiter.TryClaim(out wait), Is.False);
        Assert.That(wait, Is.EqualTo(TimeSpan.FromMinutes(1)), "counted from the last sweep, not from the last refusal");

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.That(limiter.TryClaim(out _), Is.True, "an hour after the first sweep");
        Assert.That(limiter.TryClaim(out _), Is.False, "at most one sweep per claim");
    }

    [Test]
    public void A_wall_clock_step_neither_blocks_nor_repeats_a_sweep()
    {
        var clock = new SteppableClock(Morning);
        var limiter = new RefindLimiter(Hour, clock);
        Assert.That(limiter.TryClaim(out _), Is.True);

        clock.SetWallClock(Morning.AddDays(1)); // NTP steps a stale clock forward: no time has passed
        Assert.That(limiter.TryClaim(out _), Is.False);

        clock.SetWallClock(Morning.AddDays(-1)); // and back again
        clock.Advance(Hour);
        Assert.That(limiter.TryClaim(out _), Is.True);
    }

    [Test]
    public void A_negative_interval_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new RefindLimiter(TimeSpan.FromSeconds(-1), TimeProvider.System));
}
