using Microsoft.EntityFrameworkCore;
using OneStopPi.Portal.Api;
using OneStopPi.Portal.Data;

namespace OneStopPi.Portal.Forecast;

/// <summary>
/// Forecasts for the latest supplies of a set of devices, computed when asked from the stored readings (no table
/// of its own): each supply's level history (same position and description) and the device's "total" counter
/// over the last <see cref="History"/>, in the site's time zone.
/// </summary>
internal sealed class SupplyForecasts(PortalDbContext db, TimeProvider time)
{
    public static readonly TimeSpan History = TimeSpan.FromDays(240);

    /// <summary>The forecast of every supply of <paramref name="latest"/> (device id → its latest supplies), keyed by device and position.</summary>
    public async Task<Dictionary<(long DeviceId, int Position), SupplyForecast>> ForAsync(
        IReadOnlyCollection<(long DeviceId, int SiteId, SupplyLevel[] Supplies)> latest, CancellationToken cancellationToken)
    {
        var result = new Dictionary<(long, int), SupplyForecast>();
        if (latest.Count == 0)
        {
            return result;
        }

        DateTime now = time.GetUtcNow().UtcDateTime;
        DateTime since = now - History;
        List<long> ids = [.. latest.Select(d => d.DeviceId)];
        var levels = (await (from s in db.SupplyLevels
                             join r in db.Readings on s.ReadingId equals r.Id
                             where r.DeviceId != null && ids.Contains(r.DeviceId.Value) && r.At >= since
                             select new { DeviceId = r.DeviceId!.Value, r.At, s.Position, s.Description, s.Level, s.Max })
                .ToListAsync(cancellationToken).ConfigureAwait(false))
            .ToLookup(l => (l.DeviceId, l.Position, l.Description ?? ""));
        var pages = (await (from c in db.CounterValues
                            join r in db.Readings on c.ReadingId equals r.Id
                            where r.DeviceId != null && ids.Contains(r.DeviceId.Value) && r.At >= since && c.Name == "total"
                            select new { DeviceId = r.DeviceId!.Value, r.At, c.Value })
                .ToListAsync(cancellationToken).ConfigureAwait(false))
            .ToLookup(p => p.DeviceId, p => new PagePoint(Utc(p.At), p.Value));
        List<int> siteIds = [.. latest.Select(d => d.SiteId).Distinct()];
        var zones = await db.Sites.AsNoTracking().Where(s => siteIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.TimeZone, cancellationToken).ConfigureAwait(false);

        foreach (var (deviceId, siteId, supplies) in latest)
        {
            var forecaster = new SupplyForecaster(Zone(zones.GetValueOrDefault(siteId)));
            PagePoint[] devicePages = [.. pages[deviceId]];
            foreach (SupplyLevel supply in supplies)
            {
                LevelPoint[] history = [.. levels[(deviceId, supply.Position, supply.Description ?? "")].Select(l => new LevelPoint(Utc(l.At), l.Level, l.Max))];
                result[(deviceId, supply.Position)] = forecaster.Forecast(history.Length > 0 ? history : [new LevelPoint(now, supply.Level, supply.Max)], devicePages, now);
            }
        }

        return result;
    }

    public static SupplyForecastView ToView(SupplyForecast f) =>
        new(f.OutcomeName, f.Reason, f.RunOutAt, f.DaysLeft is { } d ? Math.Round(d, 1) : null, f.Earliest, f.Latest, f.WeekdayPagesPerDay, f.WeekendPagesPerDay);

    /// <summary>Soonest run-out first; supplies without a date after, by outcome.</summary>
    public static IOrderedEnumerable<T> SoonestFirst<T>(IEnumerable<T> items, Func<T, SupplyForecastView?> forecast) =>
        items.OrderBy(i => forecast(i)?.RunOutAt is null ? 1 : 0).ThenBy(i => forecast(i)?.RunOutAt).ThenBy(i => forecast(i)?.Outcome, StringComparer.Ordinal);

    private static DateTime Utc(DateTime at) => DateTime.SpecifyKind(at, DateTimeKind.Utc);

    private static TimeZoneInfo Zone(string? id)
    {
        try
        {
            return id is null ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            // Checked when the site was saved; a zone the system lost since is read as UTC.
            return TimeZoneInfo.Utc;
        }
    }
}
