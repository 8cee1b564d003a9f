using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OneStopPi.Portal.Data;
using Microsoft.Extensions.Options;
using OneStopPi.Portal.Forecast;
using OneStopPi.Portal.Hosting;

namespace OneStopPi.Portal.Api;

/// <summary>Read models shared by the operator API, the CSV export and the web pages.</summary>
internal sealed class DeviceQueries(PortalDbContext db, SupplyForecasts forecasts, TimeProvider time, IOptions<PortalOptions> options)
{
    /// <summary>An assigned agent last heard before this is silent (<see cref="PortalOptions.AgentSilentAfter"/>).</summary>
    public DateTime SilentBefore => time.GetUtcNow().UtcDateTime - options.Value.AgentSilentAfter;

    /// <summary>Whether an agent counts as silent now: assigned to a site and not heard since <see cref="SilentBefore"/>.</summary>
    public bool IsSilent(Agent agent) => agent.SiteId is not null && (agent.LastSeenAt is null || agent.LastSeenAt < SilentBefore);

    /// <summary>Which box last saw each device answer, newest first, with whether that box has gone silent.</summary>
    public async Task<ILookup<long, DeviceSightingView>> SightingsAsync(IReadOnlyCollection<long> deviceIds, CancellationToken cancellationToken)
    {
        var sightings = await db.DeviceSightings.AsNoTracking().Where(s => deviceIds.Contains(s.DeviceId))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var agentIds = sightings.Select(s => s.AgentId).Distinct().ToList();
        var agents = await db.Agents.AsNoTracking().Where(a => agentIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, cancellationToken).ConfigureAwait(false);
        return sightings.OrderByDescending(s => s.LastSeenAt).ToLookup(s => s.DeviceId, s =>
        {
            var agent = agents.GetValueOrDefault(s.AgentId);
            return new DeviceSightingView(s.AgentId, agent?.Hostname ?? agent?.HardwareId ?? s.AgentId.ToString(), s.LastSeenAt, s.Ip,
                agent is null || IsSilent(agent));
        });
    }

    /// <summary>
    /// The counter vocabulary of schemas/readings.xsd (CounterVocabulary), in the order columns list it;
    /// vendor extras follow, alphabetically.
    /// </summary>
    public static readonly string[] CounterNames =
    [
        "total", "mono", "colour", "twoColour", "oneColour",
        "print", "printMono", "printColour", "printTwoColour", "printOneColour",
        "copy", "copyMono", "copyColour", "copyTwoColour", "copyOneColour",
        "fax", "faxMono", "faxColour",
        "scan", "scanMono", "scanColour", "scanTwoColour",
        "duplex", "large", "largeMono", "largeColour",
    ];

    /// <summary><paramref name="names"/> in column order: the vocabulary first, then extras alphabetically.</summary>
    public static List<string> InColumnOrder(IEnumerable<string> names) =>
        [.. names.Distinct(StringComparer.Ordinal)
            .OrderBy(n => Array.IndexOf(CounterNames, n) is var i and >= 0 ? i : CounterNames.Length)
            .ThenBy(n => n, StringComparer.Ordinal)];

    /// <summary>The devices of one site (every site: null) with their latest reading and supply forecasts.</summary>
    public async Task<DeviceView[]> ListAsync(int? siteId, CancellationToken cancellationToken, long? deviceId = null)
    {
        var query = db.Devices.AsNoTracking();
        if (siteId is { } only)
        {
            query = query.Where(d => d.SiteId == only);
        }

        if (deviceId is { } one)
        {
            query = query.Where(d => d.Id == one);
        }

        var devices = await query
            .OrderBy(d => d.Vendor).ThenBy(d => d.Model).ThenBy(d => d.Serial).ThenBy(d => d.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var meterIds = devices.Where(d => d.LatestMeterReadingId is not null).Select(d => d.LatestMeterReadingId!.Value).ToList();
        var supplyIds = devices.Where(d => d.LatestSupplyReadingId is not null).Select(d => d.LatestSupplyReadingId!.Value).ToList();
        var statusIds = devices.Where(d => d.LatestReadingId is not null).Select(d => d.LatestReadingId!.Value).ToList();

        var counters = (await db.CounterValues.AsNoTracking().Where(c => meterIds.Contains(c.ReadingId))
            .ToListAsync(cancellationToken).ConfigureAwait(false)).ToLookup(c => c.ReadingId);
        var supplies = (await db.SupplyLevels.AsNoTracking().Where(s => supplyIds.Contains(s.ReadingId))
            .ToListAsync(cancellationToken).ConfigureAwait(false)).ToLookup(s => s.ReadingId);
        var status = await db.Readings.AsNoTracking().Where(r => statusIds.Contains(r.Id))
            .Select(r => new { r.Id, r.HrDeviceStatus, r.HrPrinterStatus, r.Errors })
            .ToDictionaryAsync(r => r.Id, cancellationToken).ConfigureAwait(false);
        var seenBy = await SightingsAsync([.. devices.Select(d => d.Id)], cancellationToken).ConfigureAwait(false);
        var predicted = await forecasts.ForAsync(
            [.. devices.Where(d => d.LatestSupplyReadingId is not null).Select(d => (d.Id, d.SiteId, supplies[d.LatestSupplyReadingId!.Value].ToArray()))],
            cancellationToken).ConfigureAwait(false);

        return [.. devices.Select(d =>
        {
            var s = d.LatestReadingId is { } sid ? status.GetValueOrDefault(sid) : null;
            return new DeviceView(d.Id, d.SiteId, d.Vendor, d.Model, d.Serial, d.Mac, d.Ip, d.LastSeenAt,
                s?.HrDeviceStatus, s?.HrPrinterStatus, s?.Errors,
                d.LatestMeterAt, d.LatestMeterReadingId is { } m ? Counters(counters[m]) : [],
                d.LatestSupplyAt, d.LatestSupplyReadingId is { } p
                    ? [.. supplies[p].OrderBy(x => x.Position).Select(x => ToView(x, predicted.GetValueOrDefault((d.Id, x.Position))))] : [],
                [.. seenBy[d.Id]]);
        })];
    }

    public async Task<CounterHistoryPoint[]> HistoryAsync(long deviceId, DateTime? from, DateTime? to, CancellationToken cancellationToken)
    {
        var readings = db.Readings.AsNoTracking().Where(r => r.DeviceId == deviceId && r.Counters.Count > 0);
        if (from is { } f)
        {
            readings = readings.Where(r => r.At >= f);
        }

        if (to is { } t)
        {
            readings = readings.Where(r => r.At < t);
        }

        var list = await readings.OrderBy(r => r.At).ThenBy(r => r.Id).Take(5000)
            .Select(r => new { r.At, r.Counters }).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. list.Select(r => new CounterHistoryPoint(r.At, Counters(r.Counters)))];
    }

    /// <summary>
    /// Meters for billing, one row per device: the latest meter reading, or with a period every meter
    /// reading in [from, to). One column per counter name the exported readings carry (the vocabulary
    /// first, then vendor extras); a device without that counter leaves its cell empty.
    /// A site that reads several times a day can ask for one reading per device and site day (<paramref name="pick"/>):
    /// the last of the day, or the one closest to a site time; those choose among meter readings only (not status scans),
    /// over the period or, without one, the whole history. Two boxes on one site leave one reading per device per
    /// scheduled slot (the ingestor keeps the first), so nothing is counted twice.
    /// RFC 4180 quoting; a cell that a spreadsheet would run as a formula is prefixed with '.
    /// </summary>
    public async Task<string> MetersCsvAsync(Site site, DateTime? from, DateTime? to, CancellationToken cancellationToken, MeterPick? pick = null)
    {
        pick ??= MeterPick.All;
        var readings = db.Readings.AsNoTracking().Where(r => r.SiteId == site.Id && r.DeviceId != null && r.Counters.Count > 0);
        if (pick.Mode != MeterPickMode.All)
        {
            readings = readings.Where(r => r.Kind == ScanKind.Meter);
        }

        if (from is null && to is null && pick.Mode == MeterPickMode.All)
        {
            readings = readings.Where(r => db.Devices.Any(d => d.LatestMeterReadingId == r.Id));
        }
        else
        {
            if (from is { } f)
            {
                readings = readings.Where(r => r.At >= f);
            }

            if (to is { } t)
            {
                readings = readings.Where(r => r.At < t);
            }
        }

        var all = await readings
            .OrderBy(r => r.DeviceId).ThenBy(r => r.At)
            .Select(r => new { r.DeviceId, r.At, r.Device, r.Counters })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone);
        var rows = all.GroupBy(r => r.DeviceId).SelectMany(device => pick.Choose(device, r => r.At, zone)).ToList();

        var columns = InColumnOrder(rows.SelectMany(r => r.Counters).Select(c => c.Name));
        var csv = new StringBuilder();
        Cells(csv, ["site_id", "site", "device_id", "vendor", "model", "serial", "mac", "ip", "read_at_utc", .. columns]);
        foreach (var row in rows)
        {
            var d = row.Device!;
            var values = row.Counters.ToDictionary(c => c.Name, c => c.Value);
            Cells(csv, [
                site.Id.ToString(CultureInfo.InvariantCulture), site.Name, d.Id.ToString(CultureInfo.InvariantCulture),
                d.Vendor, d.Model, d.Serial, d.Mac, d.Ip,
                row.At.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                .. columns.Select(n => values.TryGetValue(n, out var v) ? v.ToString(CultureInfo.InvariantCulture) : ""),
            ]);
        }

        return csv.ToString();
    }

    private static void Cells(StringBuilder csv, IEnumerable<string?> cells)
    {
        var first = true;
        foreach (var cell in cells)
        {
            if (!first)
            {
                csv.Append(',');
            }

            first = false;
            var value = cell ?? "";
            if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
            {
                value = "'" + value;
            }

            if (value.AsSpan().IndexOfAny("\",\r\n") >= 0)
            {
                csv.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                csv.Append(value);
            }
        }

        csv.Append("\r\n");
    }

    private static CounterView[] Counters(IEnumerable<CounterValue> values) =>
        [.. values.OrderBy(c => Array.IndexOf(CounterNames, c.Name) is var i and >= 0 ? i : CounterNames.Length).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => new CounterView(c.Name, c.Value, c.Oid))];

    private static SupplyView ToView(SupplyLevel s, SupplyForecast? forecast) =>
        new(s.Description, s.Type, s.Colour, s.Level, s.Max, s.Unit, s.Percent, s.State, forecast is null ? null : SupplyForecasts.ToView(forecast));

    /// <summary>Every supply of one site's devices (every site: null) with its forecast, soonest run-out first.</summary>
    public async Task<FleetSupplyView[]> SuppliesAsync(int? siteId, CancellationToken cancellationToken)
    {
        var devices = await ListAsync(siteId, cancellationToken).ConfigureAwait(false);
        var names = await db.Sites.AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Name, cancellationToken).ConfigureAwait(false);
        var rows = devices.SelectMany(d => d.Supplies.Select(s =>
            new FleetSupplyView(d.SiteId, names.GetValueOrDefault(d.SiteId) ?? "", d.Id, d.Vendor, d.Model, d.Serial, d.Ip, d.SuppliesAt ?? d.LastSeenAt, s)));
        return [.. SupplyForecasts.SoonestFirst(rows, r => r.Supply.Forecast)];
    }

    /// <summary>The supplies and their forecasts as CSV (same quoting as the meters), soonest run-out first.</summary>
    public async Task<string> SuppliesCsvAsync(int? siteId, CancellationToken cancellationToken)
    {
        var csv = new StringBuilder();
        Cells(csv, ["site_id", "site", "device_id", "vendor", "model", "serial", "ip", "read_at_utc", "supply", "colour", "level", "max", "unit", "percent", "state",
            "forecast", "run_out_utc", "days_left", "earliest_utc", "latest_utc", "weekday_pages_per_day", "weekend_pages_per_day", "reason"]);
        foreach (var r in await SuppliesAsync(siteId, cancellationToken).ConfigureAwait(false))
        {
            var s = r.Supply;
            var f = s.Forecast;
            Cells(csv, [
                Invariant(r.SiteId), r.Site, Invariant(r.DeviceId), r.Vendor, r.Model, r.Serial, r.Ip, Utc(r.ReadAt), s.Description, s.Colour,
                Invariant(s.Level), Invariant(s.Max), s.Unit, Invariant(s.Percent), s.State,
                f?.Outcome, Utc(f?.RunOutAt), Invariant(f?.DaysLeft), Utc(f?.Earliest), Utc(f?.Latest), Invariant(f?.WeekdayPagesPerDay), Invariant(f?.WeekendPagesPerDay), f?.Reason,
            ]);
        }

        return csv.ToString();
    }

    private static string? Invariant(IFormattable? value) => value?.ToString(null, CultureInfo.InvariantCulture);

    private static string? Utc(DateTime? at) => at?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
