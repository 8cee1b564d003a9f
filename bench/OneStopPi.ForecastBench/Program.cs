// Usage: OneStopPi.ForecastBench [--devices N] [--days N] [--seed N] [--tsv FILE]
// The simulator's drain model is the truth: N devices (a black and three colour supplies each, random start
// levels) print for DAYS simulated days from a Monday; each is read once a day at 06:00 UTC (level as the printer
// rounds it, page counter as it counts). For every true run-out, the readings up to 30, 14 and 7 days before it
// go to the portal's SupplyForecaster; the error is |forecast - truth| in days, "held" whether the truth fell in
// the stated range. A run-out with no forecast at that point counts as not held. Cases where that cartridge was
// not yet in the printer at the forecast's time are left out (the forecast then is about the one before). --tsv writes every case.
using System.Globalization;
using OneStopPi.Portal.Forecast;
using OneStopPi.Simulator;

int devices = Option("--devices", 200);
int days = Option("--days", 150);
ulong seed = (ulong)Option("--seed", 1);
string? tsv = args.SkipWhile(a => a != "--tsv").Skip(1).FirstOrDefault();
int[] horizons = [30, 14, 7];

var start = new DateTimeOffset(2026, 1, 5, 6, 0, 0, TimeSpan.Zero);
var options = new SupplyDrainOptions { Seed = seed };
var forecaster = new SupplyForecaster();
var cases = new List<(int Horizon, int Device, int Supply, double TrueDays, double? Forecast, double? Low, double? High, string Outcome)>();
var random = new Random((int)seed);

for (int d = 0; d < devices; d++)
{
    DrainingSupplySpec[] specs =
    [
        new("1.1", 100, random.Next(5, 101), Colour: false),
        new("1.2", 100, random.Next(5, 101), Colour: true),
        new("1.3", 100, random.Next(5, 101), Colour: true),
        new("1.4", 100, random.Next(5, 101), Colour: true),
    ];
    var device = new DrainingDevice(options, d, start, specs);
    long firstPages = random.Next(1000, 500_000);
    var pages = new List<PagePoint>();
    var levels = specs.Select(_ => new List<LevelPoint>()).ToArray();
    for (int day = 0; day <= days; day++)
    {
        // The read takes a few minutes after 06:00, as a scheduled scan would.
        TimeSpan at = TimeSpan.FromDays(day) + TimeSpan.FromMinutes((day * 7 + d) % 11);
        DateTime utc = (start + at).UtcDateTime;
        pages.Add(new PagePoint(utc, firstPages + (long)Math.Floor(device.PagesAt(at))));
        for (int s = 0; s < specs.Length; s++)
        {
            levels[s].Add(new LevelPoint(utc, device.LevelAt(s, at), specs[s].Max));
        }
    }

    IReadOnlyList<SupplyEvent> events = device.EventsUntil(TimeSpan.FromDays(days));
    foreach (SupplyEvent runOut in events.Where(e => !e.Swap))
    {
        DateTime truth = (start + runOut.At).UtcDateTime;
        // The cartridge that runs out went in at its supply's swap before (or was there at the start).
        DateTime fitted = events.Where(e => e.Swap && e.Supply == runOut.Supply && e.At < runOut.At).Select(e => (start + e.At).UtcDateTime)
            .DefaultIfEmpty(start.UtcDateTime).Max();
        foreach (int horizon in horizons)
        {
            DateTime asOf = truth.AddDays(-horizon);
            // At least three weeks of readings, and the cartridge that runs out is in the printer (read at least once).
            if (asOf < start.UtcDateTime.AddDays(21) || asOf < fitted.AddDays(1))
            {
                continue;
            }

            LevelPoint[] known = [.. levels[runOut.Supply].Where(l => l.At <= asOf)];
            PagePoint[] knownPages = [.. pages.Where(p => p.At <= asOf)];
            DateTime now = known[^1].At;
            SupplyForecast f = forecaster.Forecast(known, knownPages, now);
            double trueDays = (truth - now).TotalDays;
            cases.Add(f.Outcome == ForecastOutcome.RunOut
                ? (horizon, d, runOut.Supply, trueDays, (f.RunOutAt!.Value - now).TotalDays, (f.Earliest!.Value - now).TotalDays, (f.Latest!.Value - now).TotalDays, f.OutcomeName)
                : (horizon, d, runOut.Supply, trueDays, null, null, null, f.OutcomeName));
        }
    }
}

if (tsv is not null)
{
    using var writer = new StreamWriter(tsv);
    writer.WriteLine("horizon\tdevice\tsupply\ttrue_days\tforecast_days\tlow_days\thigh_days\toutcome");
    foreach (var c in cases)
    {
        writer.WriteLine(string.Join('\t', c.Horizon, c.Device, c.Supply, F(c.TrueDays), F(c.Forecast), F(c.Low), F(c.High), c.Outcome));
    }
}

Console.WriteLine($"devices {devices}, supplies {devices * 4}, {days} simulated days read daily, seed {seed}, range {SupplyForecaster.RangeProbability:P0}");
double median7 = 0, held7 = 0;
foreach (int horizon in horizons)
{
    var at = cases.Where(c => c.Horizon == horizon).ToList();
    double[] errors = [.. at.Where(c => c.Forecast is not null).Select(c => Math.Abs(c.Forecast!.Value - c.TrueDays)).Order()];
    double held = at.Count == 0 ? 0 : 100.0 * at.Count(c => c.Low <= c.TrueDays && c.TrueDays <= c.High) / at.Count;
    double median = Quantile(errors, 0.5);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{horizon,2} days out: {at.Count} run-outs, {errors.Length} forecast, error median {median:0.0} days, p90 {Quantile(errors, 0.9):0.0}, range held {held:0} %, mean range width {at.Where(c => c.High is not null).Select(c => c.High!.Value - c.Low!.Value).DefaultIfEmpty().Average():0.0} days"));
    if (horizon == 7)
    {
        (median7, held7) = (median, held);
    }
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"forecast: median error {median7:0.0} days at 7 days out, range held {held7:0} %"));
return 0;

static double Quantile(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Floor(q * sorted.Length))];

static string F(double? value) => value?.ToString("0.###", CultureInfo.InvariantCulture) ?? "";

int Option(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
