using System.Globalization;

namespace OneStopPi.Portal.Forecast;

/// <summary>
/// When a supply runs out, from the history of its level and of the device's page counter.
/// <list type="number">
/// <item>The current cartridge is the readings since the level last jumped up by more than
/// <see cref="CartridgeJump"/> points; earlier cartridges only lend their toner-per-page when the current one has
/// not fallen enough yet.</item>
/// <item>Toner per page: least squares of the level (percent) on the page counter within a cartridge.</item>
/// <item>Pages per day with the weekly rhythm: least squares of each interval's pages on the weekday and weekend
/// days it spans (in the site's time zone), over the last <see cref="RateWindow"/>.</item>
/// <item>The run-out is where the expected pages use up what is left, walking day by day from the last reading.
/// The range comes from the spread seen so far (day-to-day pages, toner per page, the fit, the level's rounding),
/// shrinking as more days average out, as a log-normal interval of <see cref="RangeProbability"/>.</item>
/// </list>
/// Without a page counter, days stand in for pages (no rhythm). Pure: no clock, no I/O; "now" is a parameter.
/// </summary>
public sealed class SupplyForecaster
{
    /// <summary>The probability the stated range is meant to hold the true date with.</summary>
    public const double RangeProbability = 0.8;

    /// <summary>A rise of more than this many percentage points is a new cartridge.</summary>
    public const double CartridgeJump = 10;

    public static readonly TimeSpan Horizon = TimeSpan.FromDays(730);

    /// <summary>How much page history the volume and rhythm are learnt from.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromDays(56);

    /// <summary>A device whose counter has not moved for this long is not printing.</summary>
    public static readonly TimeSpan IdleAfter = TimeSpan.FromDays(7);

    /// <summary>
    /// Daily reads cannot see when in a day pages are printed: they are taken to be printed evenly in office hours
    /// (local 08:00-18:00), which is where a run-out then falls, and which day an interval's pages belong to.
    /// </summary>
    private static readonly TimeSpan OfficeOpens = TimeSpan.FromHours(8), OfficeCloses = TimeSpan.FromHours(18);
    private static readonly TimeSpan OfficeHours = OfficeCloses - OfficeOpens;

    // The two-sided 80 % normal quantile, widened by a calibration factor (docs/forecast.md: the bench's range coverage).
    private const double Z = 1.2816 * 1.3;
    private const double MinimumDrop = 3;

    private readonly TimeZoneInfo _zone;

    public SupplyForecaster(TimeZoneInfo? zone = null) => _zone = zone ?? TimeZoneInfo.Utc;

    public SupplyForecast Forecast(IReadOnlyList<LevelPoint> levels, IReadOnlyList<PagePoint> pages, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(pages);
        if (levels.Count == 0)
        {
            return new(ForecastOutcome.Unknown, "no level read yet");
        }

        LevelPoint last = levels.MaxBy(l => l.At);
        switch (last.Level)
        {
            case null or -2:
                return new(ForecastOutcome.Unknown, "level unknown (the printer reports -2)");
            case -3:
                return new(ForecastOutcome.SomeRemaining, "the printer only says some remains (-3): no level to forecast from");
            case -1:
                return new(ForecastOutcome.NoLimit, "no limit (-1): this supply does not run out");
            case < 0:
                return new(ForecastOutcome.Unknown, $"level {last.Level} has no meaning in the Printer-MIB");
        }

        if (last.Max is not > 0)
        {
            return new(ForecastOutcome.NoMaximum, $"level {last.Level}, no maximum given: no percentage to forecast from");
        }

        List<Point> points = [.. levels.Where(l => l is { Level: >= 0, Max: > 0 }).OrderBy(l => l.At)
            .Select(l => new Point(l.At, 100.0 * l.Level!.Value / l.Max!.Value, 100.0 / l.Max.Value))];
        List<int> starts = CartridgeStarts(points);
        List<Point> current = points[starts[^1]..];
        if (current[^1].Percent <= 0)
        {
            int k = current.Count - 1;
            while (k > 0 && current[k - 1].Percent <= 0)
            {
                k--;
            }

            DateTime emptySince = current[k].At;
            return new(ForecastOutcome.Empty, $"empty since {emptySince:yyyy-MM-dd HH:mm} UTC", emptySince, 0, emptySince, emptySince);
        }

        var counter = PageCounter.From(pages);
        if (counter is not null && counter.IdleSince(IdleAfter) is { } idleSince)
        {
            return new(ForecastOutcome.NotPrinting, $"no pages printed since {idleSince:yyyy-MM-dd}: nothing runs out while it does not print");
        }

        Func<DateTime, double> pagesAt = counter is null ? t => (t - points[0].At).TotalDays : counter.At;
        Rates rates = counter is null ? new Rates(1, 1, 0, 0) : Rates.Fit(counter, _zone);
        if (rates.Weekday + rates.Weekend <= 0)
        {
            return new(ForecastOutcome.NotPrinting, "no pages printed lately: nothing runs out while it does not print");
        }

        // Toner per page from the current cartridge, else from the latest earlier one that fell far enough.
        Usage? usage = Usage.Fit(current, pagesAt);
        bool fromCurrent = usage is not null;
        for (int s = starts.Count - 2; usage is null && s >= 0; s--)
        {
            usage = Usage.Fit(points[starts[s]..starts[s + 1]], pagesAt);
        }

        if (usage is null)
        {
            return current.Count >= 2 && pagesAt(current[^1].At) - pagesAt(current[0].At) > 0 && current[0].Percent - current[^1].Percent <= 0
                && current[^1].At - current[0].At >= TimeSpan.FromDays(14)
                ? new(ForecastOutcome.NotFalling, counter is null ? "the level has not fallen in two weeks" : "the level has not fallen while pages were printed")
                : new(ForecastOutcome.NotEnoughHistory, $"{current[^1].Percent:0}% left; too little used of this cartridge yet to learn its rate");
        }

        Point now0 = current[^1];
        double remaining = fromCurrent
            ? Math.Clamp(usage.FittedAt(pagesAt(now0.At)), now0.Percent - now0.Quantum, now0.Percent)
            : now0.Percent - (now0.Quantum / 2);
        remaining = Math.Max(remaining, now0.Quantum / 100);
        double pagesLeft = remaining / usage.PercentPerPage;
        DateTime start = now0.At;
        if (counter is not null && counter.Last.At > start)
        {
            // Pages printed after the level was read come off what is left.
            pagesLeft = Math.Max(0, pagesLeft - (counter.Last.Pages - counter.At(start)));
            start = counter.Last.At;
        }

        var walk = new Walk(rates, _zone, start);
        double? days = walk.DaysFor(pagesLeft);
        if (days is null)
        {
            return new(ForecastOutcome.BeyondHorizon, $"{remaining:0}% left: more than {Horizon.TotalDays / 365:0} years at the pages printed lately",
                WeekdayPagesPerDay: Rate(counter, rates.Weekday), WeekendPagesPerDay: Rate(counter, rates.Weekend), PagesLeft: Pages(counter, pagesLeft));
        }

        double sigma = Math.Sqrt(
            (usage.RelativeError * usage.RelativeError)
            + (((rates.DailySpread * rates.DailySpread) + (usage.CoverageSpread * usage.CoverageSpread)) / Math.Max(1, walk.EffectiveDays(days.Value)))
            + (rates.RelativeError * rates.RelativeError)
            + Math.Pow(now0.Quantum / Math.Sqrt(12) / remaining, 2));
        double low = walk.DaysFor(pagesLeft * Math.Exp(-Z * sigma)) ?? days.Value;
        double high = walk.DaysFor(pagesLeft * Math.Exp(Z * sigma)) ?? Horizon.TotalDays;
        // When in its office hours a day's pages go is not known: never claim better than half a day.
        low = Math.Max(0, Math.Min(low, days.Value - 0.5));
        high = Math.Max(high, days.Value + 0.5);

        DateTime runOut = start.AddDays(days.Value);
        string volume = counter is null
            ? $"{usage.PercentPerPage:0.0#}% a day (no page counter)"
            : $"~{pagesLeft:N0} pages at {rates.Weekday:0} a weekday and {rates.Weekend:0} a weekend day";
        return new(ForecastOutcome.RunOut, string.Create(CultureInfo.InvariantCulture, $"{remaining:0}% left, {volume}"),
            runOut, Math.Max(0, (runOut - now).TotalDays), start.AddDays(low), start.AddDays(high),
            Rate(counter, rates.Weekday), Rate(counter, rates.Weekend), Pages(counter, pagesLeft));
    }

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private static double? Rate(PageCounter? counter, double rate) => counter is null ? null : Math.Round(rate, 1);

    private static double? Pages(PageCounter? counter, double pages) => counter is null ? null : Math.Round(pages);

    /// <summary>Index of the first reading of each cartridge: 0, then every reading more than <see cref="CartridgeJump"/> above the one before.</summary>
    private static List<int> CartridgeStarts(List<Point> points)
    {
        List<int> starts = [0];
        for (int i = 1; i < points.Count; i++)
        {
            if (points[i].Percent > points[i - 1].Percent + CartridgeJump)
            {
                starts.Add(i);
            }
        }

        return starts;
    }

    private readonly record struct Point(DateTime At, double Percent, double Quantum);

    /// <summary>The page counter, ordered; a counter that went backwards (a replaced board) restarts the series there.</summary>
    private sealed class PageCounter
    {
        private readonly List<PagePoint> _points;

        private PageCounter(List<PagePoint> points) => _points = points;

        public IReadOnlyList<PagePoint> Points => _points;

        public PagePoint Last => _points[^1];

        public static PageCounter? From(IReadOnlyList<PagePoint> pages)
        {
            var sorted = pages.OrderBy(p => p.At).ToList();
            int from = 0;
            for (int i = 1; i < sorted.Count; i++)
            {
                if (sorted[i].Pages < sorted[i - 1].Pages)
                {
                    from = i;
                }
            }

            List<PagePoint> kept = [.. sorted.Skip(from).DistinctBy(p => p.At)];
            return kept.Count >= 2 && kept[^1].At - kept[0].At >= TimeSpan.FromDays(1) ? new PageCounter(kept) : null;
        }

        /// <summary>The pages at <paramref name="at"/>, interpolated; flat beyond both ends.</summary>
        public double At(DateTime at)
        {
            if (at <= _points[0].At)
            {
                return _points[0].Pages;
            }

            if (at >= _points[^1].At)
            {
                return _points[^1].Pages;
            }

            int hi = _points.FindIndex(p => p.At >= at);
            PagePoint a = _points[hi - 1], b = _points[hi];
            return a.Pages + ((b.Pages - a.Pages) * (at - a.At).TotalSeconds / (b.At - a.At).TotalSeconds);
        }

        /// <summary>When the counter last moved, if that was at least <paramref name="idle"/> before its last reading.</summary>
        public DateTime? IdleSince(TimeSpan idle)
        {
            int first = _points.FindIndex(p => p.Pages == Last.Pages);
            return first > 0 && Last.At - _points[first].At >= idle ? _points[first].At
                : first == 0 && Last.At - _points[0].At >= idle ? _points[0].At : null;
        }
    }

    /// <summary>Pages per weekday and weekend day, their day-to-day spread and the fit's relative error.</summary>
    private readonly record struct Rates(double Weekday, double Weekend, double DailySpread, double RelativeError)
    {
        public double On(DayOfWeek day) => day is DayOfWeek.Saturday or DayOfWeek.Sunday ? Weekend : Weekday;

        public static Rates Fit(PageCounter counter, TimeZoneInfo zone)
        {
            DateTime from = counter.Last.At - RateWindow;
            var intervals = new List<(double Weekdays, double Weekends, double Pages)>();
            IReadOnlyList<PagePoint> points = counter.Points;
            for (int i = 1; i < points.Count; i++)
            {
                if (points[i].At <= from)
                {
                    continue;
                }

                (double wd, double we) = DayMix(points[i - 1].At, points[i].At, zone);
                intervals.Add((wd, we, points[i].Pages - points[i - 1].Pages));
            }

            double aa = intervals.Sum(x => x.Weekdays * x.Weekdays), ab = intervals.Sum(x => x.Weekdays * x.Weekends), bb = intervals.Sum(x => x.Weekends * x.Weekends);
            double ay = intervals.Sum(x => x.Weekdays * x.Pages), by = intervals.Sum(x => x.Weekends * x.Pages);
            double det = (aa * bb) - (ab * ab);
            double weekday, weekend;
            if (bb > 0.25 && aa > 0.25 && det > 1e-6 * aa * bb)
            {
                weekday = ((ay * bb) - (by * ab)) / det;
                weekend = ((by * aa) - (ay * ab)) / det;
                if (weekend < 0)
                {
                    (weekday, weekend) = (ay / aa, 0);
                }
                else if (weekday < 0)
                {
                    (weekday, weekend) = (0, by / bb);
                }
            }
            else
            {
                // One kind of day only (or always the same mix): one rate for all.
                double all = intervals.Sum(x => x.Pages) / Math.Max(1e-9, intervals.Sum(x => x.Weekdays + x.Weekends));
                (weekday, weekend) = (all, all);
            }

            double residual = 0, scale = 0, days = 0;
            foreach (var (wd, we, pages) in intervals)
            {
                double expected = (weekday * wd) + (weekend * we);
                if (expected <= 0)
                {
                    continue;
                }

                residual += (pages - expected) * (pages - expected);
                scale += expected * expected / (wd + we);
                days += wd + we;
            }

            double spread = scale > 0 ? Math.Sqrt(residual / scale) : 0;
            return new Rates(weekday, weekend, spread, days > 0 ? spread / Math.Sqrt(days) : 0);
        }

        /// <summary>Office days (of <see cref="OfficeHours"/>) an interval spans on weekdays and on weekend days, in the site's time zone.</summary>
        private static (double Weekdays, double Weekends) DayMix(DateTime from, DateTime to, TimeZoneInfo zone)
        {
            DateTime local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(from, DateTimeKind.Utc), zone);
            DateTime localEnd = local + (to - from);
            double weekdays = 0, weekends = 0;
            for (DateTime day = local.Date; day < localEnd; day = day.AddDays(1))
            {
                DateTime open = Max(day + OfficeOpens, local), close = Min(day + OfficeCloses, localEnd);
                double part = close > open ? (close - open) / OfficeHours : 0;
                if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
                {
                    weekends += part;
                }
                else
                {
                    weekdays += part;
                }
            }

            return (weekdays, weekends);
        }
    }

    /// <summary>Toner per page of one cartridge (percent per page), the fit's relative error and the coverage spread between readings.</summary>
    private sealed record Usage(double PercentPerPage, double Intercept, double RelativeError, double CoverageSpread)
    {
        public double FittedAt(double pages) => Intercept - (PercentPerPage * pages);

        public static Usage? Fit(List<Point> cartridge, Func<DateTime, double> pagesAt)
        {
            if (cartridge.Count < 3 || cartridge[0].Percent - cartridge[^1].Percent < MinimumDrop)
            {
                return null;
            }

            double[] x = [.. cartridge.Select(p => pagesAt(p.At))];
            double[] y = [.. cartridge.Select(p => p.Percent)];
            double mx = x.Average(), my = y.Average();
            double sxx = x.Sum(v => (v - mx) * (v - mx)), sxy = x.Zip(y).Sum(v => (v.First - mx) * (v.Second - my));
            if (sxx <= 0 || sxy >= 0)
            {
                return null;
            }

            double slope = sxy / sxx;
            double intercept = my - (slope * mx);
            double sse = x.Zip(y).Sum(v => Math.Pow(v.Second - (intercept + (slope * v.First)), 2));
            double se = cartridge.Count > 2 ? Math.Sqrt(sse / (cartridge.Count - 2) / sxx) : 0;

            // Between consecutive readings, what the rounding of the level does not explain is coverage varying.
            double quantum = cartridge[^1].Quantum, excess = 0, used = 0;
            for (int i = 1; i < cartridge.Count; i++)
            {
                double expected = -slope * (x[i] - x[i - 1]);
                double miss = (y[i - 1] - y[i]) - expected;
                excess += (miss * miss) - (quantum * quantum / 6);
                used += expected * expected;
            }

            double coverage = used > 0 ? Math.Sqrt(Math.Max(0, excess) / used) : 0;
            return new Usage(-slope, intercept, se / -slope, coverage);
        }
    }

    /// <summary>Expected pages from a start, day by day in the site's time zone, spread evenly over each day's office hours.</summary>
    private sealed class Walk(Rates rates, TimeZoneInfo zone, DateTime startUtc)
    {
        private readonly DateTime _start = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(startUtc, DateTimeKind.Utc), zone);

        private double Weekly => (5 * rates.Weekday) + (2 * rates.Weekend);

        /// <summary>Days until <paramref name="pages"/> are printed; null beyond the horizon.</summary>
        public double? DaysFor(double pages)
        {
            if (pages <= 0)
            {
                return 0;
            }

            if (pages / Weekly * 7 > Horizon.TotalDays + 7)
            {
                return null;
            }

            // Whole weeks first (any seven days hold five weekdays and two weekend days), then day by day.
            double weeks = Math.Max(0, Math.Floor(pages / Weekly) - 1);
            pages -= weeks * Weekly;
            DateTime at = _start.AddDays(weeks * 7);
            for (DateTime day = at.Date; (day - _start).TotalDays <= Horizon.TotalDays + 1; day = day.AddDays(1))
            {
                DateTime open = Max(day + OfficeOpens, at), close = day + OfficeCloses;
                if (close <= open)
                {
                    continue;
                }

                double printed = rates.On(day.DayOfWeek) * ((close - open) / OfficeHours);
                if (printed >= pages && printed > 0)
                {
                    return (open + ((close - open) * (pages / printed)) - _start).TotalDays;
                }

                pages -= printed;
            }

            return null;
        }

        /// <summary>How many equally busy days the next <paramref name="days"/> are worth (quiet weekends count for less).</summary>
        public double EffectiveDays(double days)
        {
            double sum = (5 * rates.Weekday) + (2 * rates.Weekend), squares = (5 * rates.Weekday * rates.Weekday) + (2 * rates.Weekend * rates.Weekend);
            return squares > 0 ? days / 7 * sum * sum / squares : days;
        }
    }
}
