using OneStopPi.Portal.Forecast;

namespace OneStopPi.Portal.Tests.Forecast;

/// <summary>The forecaster against synthetic histories whose run-out is known exactly.</summary>
public class SupplyForecasterTests
{
    // A Monday; readings at 06:00 UTC.
    private static readonly DateTime Monday = new(2026, 3, 2, 6, 0, 0, DateTimeKind.Utc);

    /// <summary>Daily readings: pages per day by weekday, one percent per <paramref name="pagesPerPercent"/> pages, level rounded up.</summary>
    private static (List<LevelPoint> Levels, List<PagePoint> Pages) History(int days, Func<DateTime, double> pagesOn, double pagesPerPercent, double start = 100)
    {
        var levels = new List<LevelPoint>();
        var pages = new List<PagePoint>();
        double total = 10_000, level = start;
        for (int d = 0; d <= days; d++)
        {
            DateTime at = Monday.AddDays(d);
            levels.Add(new LevelPoint(at, (int)Math.Max(0, Math.Ceiling(level - 1e-9)), 100));
            pages.Add(new PagePoint(at, (long)total));
            double printed = pagesOn(at);
            total += printed;
            level -= printed / pagesPerPercent;
        }

        return (levels, pages);
    }

    [Test]
    public void A_steady_drain_runs_out_where_the_line_reaches_zero_and_the_range_holds_it()
    {
        // 100 pages every day, 1 % per 50 pages: 2 % a day from 100 %, so empty 50 days after the first reading.
        var (levels, pages) = History(20, _ => 100, 50);
        var forecast = new SupplyForecaster().Forecast(levels, pages, Monday.AddDays(20));

        Assert.That(forecast.Outcome, Is.EqualTo(ForecastOutcome.RunOut), forecast.Reason);
        Assert.That(forecast.DaysLeft, Is.EqualTo(30).Within(0.6));
        Assert.That(forecast.RunOutAt, Is.EqualTo(Monday.AddDays(50)).Within(TimeSpan.FromHours(14)));
        Assert.That(forecast.Earliest, Is.LessThanOrEqualTo(Monday.AddDays(50)));
        Assert.That(forecast.Latest, Is.GreaterThanOrEqualTo(Monday.AddDays(50)));
        Assert.That(forecast.WeekdayPagesPerDay, Is.EqualTo(100).Within(1));
        Assert.That(forecast.WeekendPagesPerDay, Is.EqualTo(100).Within(1));
    }

    [Test]
    public void Weekends_without_printing_push_the_date_out_by_the_weekends_in_between()
    {
        // 250 pages a weekday, none at weekends, 1 % per 50 pages: 5 % a weekday, 25 % a week.
        static double Office(DateTime at) => at.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0 : 250;
        var (levels, pages) = History(21, Office, 50, start: 98);
        // Three weeks in: 23 % left (a Monday), 4.6 weekdays to go: empty on Friday afternoon.
        var forecast = new SupplyForecaster().Forecast(levels, pages, Monday.AddDays(21));

        Assert.That(forecast.Outcome, Is.EqualTo(ForecastOutcome.RunOut), forecast.Reason);
        Assert.That(forecast.WeekdayPagesPerDay, Is.EqualTo(250).Within(25));
        Assert.That(forecast.WeekendPagesPerDay, Is.LessThan(15));
        Assert.That(forecast.RunOutAt!.Value, Is.EqualTo(Monday.AddDays(25).AddHours(8)).Within(TimeSpan.FromHours(6)));

        // Read on a Friday morning with 7 % left: Friday's 5 %, a quiet weekend, then Monday's first 2 %.
        var (friday, fridayPages) = History(18, Office, 50, start: 77);
        var beforeWeekend = new SupplyForecaster().Forecast(friday, fridayPages, Monday.AddDays(18));
        Assert.That(beforeWeekend.RunOutAt!.Value, Is.EqualTo(Monday.AddDays(21).AddHours(6)).Within(TimeSpan.FromHours(6)), beforeWeekend.Reason);
    }

    [Test]
    public void A_cartridge_change_starts_a_new_history_and_borrows_the_old_rate_until_the_new_one_falls()
    {
        var (levels, pages) = History(40, _ => 100, 50);          // runs 100 → 20 over 40 days
        var swappedAt = Monday.AddDays(41);
        levels.Add(new LevelPoint(swappedAt, 100, 100));        // a new cartridge the next morning
        pages.Add(new PagePoint(swappedAt, pages[^1].Pages + 100));
        var forecast = new SupplyForecaster().Forecast(levels, pages, swappedAt);

        Assert.That(forecast.Outcome, Is.EqualTo(ForecastOutcome.RunOut), forecast.Reason);
        // 100 % at 2 % a day, less the half percent the rounding may hide: about 50 days, not the 10 the old cartridge had left.
        Assert.That(forecast.DaysLeft, Is.EqualTo(49.75).Within(1));
    }

    [TestCase(-3, 100, ForecastOutcome.SomeRemaining, "some remains")]
    [TestCase(-2, 100, ForecastOutcome.Unknown, "unknown")]
    [TestCase(-1, -1, ForecastOutcome.NoLimit, "no limit")]
    [TestCase(3, -2, ForecastOutcome.NoMaximum, "level 3, no maximum given")]
    public void Levels_without_a_percentage_give_no_date_and_say_why(int level, int max, ForecastOutcome outcome, string reason)
    {
        var (_, pages) = History(20, _ => 100, 50);
        LevelPoint[] levels = [.. Enumerable.Range(0, 20).Select(d => new LevelPoint(Monday.AddDays(d), level, max))];
        var forecast = new SupplyForecaster().Forecast(levels, pages, Monday.AddDays(20));

        Assert.That(forecast.Outcome, Is.EqualTo(outcome));
        Assert.That(forecast.Reason, Does.Contain(reason));
        Assert.That(forecast.RunOutAt, Is.Null);
        Assert.That(forecast.DaysLeft, Is.Null);
    }

    [Test]
    public void A_device_that_stopped_printing_does_not_run_out()
    {
        var (levels, pages) = History(30, at => at < Monday.AddDays(18) ? 100 : 0, 50);
        var forecast = new SupplyForecaster().Forecast(levels, pages, Monday.AddDays(30));

        Assert.That(forecast.Outcome, Is.EqualTo(ForecastOutcome.NotPrinting), forecast.Reason);
        Assert.That(forecast.Reason, Does.Contain("2026-03-20"));
        Assert.That(forecast.RunOutAt, Is.Null);
    }

    [Test]
    public void An_empty_supply_says_since_when_and_a_young_cartridge_without_history_says_too_little()
    {
        var (levels, pages) = History(60, _ => 100, 50);         // reaches 0 on day 50
        var empty = new SupplyForecaster().Forecast(levels, pages, Monday.AddDays(60));
        Assert.That(empty.Outcome, Is.EqualTo(ForecastOutcome.Empty));
        Assert.That(empty.RunOutAt, Is.EqualTo(Monday.AddDays(50)));

        var (young, youngPages) = History(1, _ => 100, 50);
        var tooLittle = new SupplyForecaster().Forecast(young, youngPages, Monday.AddDays(1));
        Assert.That(tooLittle.Outcome, Is.EqualTo(ForecastOutcome.NotEnoughHistory), tooLittle.Reason);
    }

    [Test]
    public void Without_a_page_counter_the_level_over_time_gives_the_date()
    {
        var (levels, _) = History(20, _ => 100, 50);
        var forecast = new SupplyForecaster().Forecast(levels, [], Monday.AddDays(20));

        Assert.That(forecast.Outcome, Is.EqualTo(ForecastOutcome.RunOut), forecast.Reason);
        Assert.That(forecast.DaysLeft, Is.EqualTo(30).Within(1));
        Assert.That(forecast.WeekdayPagesPerDay, Is.Null);
        Assert.That(forecast.Reason, Does.Contain("no page counter"));
    }

    [Test]
    public void The_site_time_zone_decides_what_a_weekend_is()
    {
        // Printing only on UTC weekdays between 08:00 and 18:00 is the same in Tokyo shifted by nine hours; the
        // rates fit either way, and the forecast date moves by less than a day.
        static double Office(DateTime at) => at.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0 : 250;
        var (levels, pages) = History(21, Office, 50);
        var utc = new SupplyForecaster().Forecast(levels, pages, Monday.AddDays(21));
        var tokyo = new SupplyForecaster(TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo")).Forecast(levels, pages, Monday.AddDays(21));

        Assert.That(tokyo.Outcome, Is.EqualTo(ForecastOutcome.RunOut));
        Assert.That((tokyo.RunOutAt!.Value - utc.RunOutAt!.Value).Duration(), Is.LessThan(TimeSpan.FromDays(1)));
    }
}
