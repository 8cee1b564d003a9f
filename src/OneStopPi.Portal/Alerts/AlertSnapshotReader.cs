using Microsoft.EntityFrameworkCore;
using OneStopPi.Portal.Data;
using OneStopPi.Portal.Forecast;

namespace OneStopPi.Portal.Alerts;

/// <summary>
/// Reads what the alert rules look at, for the sites asked: every device's latest reading (error states, supplies
/// and, where a site asks for them, forecasts and counters gone back), every assigned agent's last call, and each
/// site's rules. A handful of queries for the whole group, none per device.
/// </summary>
internal sealed class AlertSnapshotReader(PortalDbContext db, SupplyForecasts forecasts)
{
    public async Task<FleetSnapshot> ReadAsync(IReadOnlyCollection<int> sites, CancellationToken cancellationToken)
    {
        List<int> wanted = [.. sites];
        var settings = await db.AlertSettings.AsNoTracking().Where(s => s.SiteId == null || wanted.Contains(s.SiteId.Value))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var defaults = settings.FirstOrDefault(s => s.SiteId is null);
        var siteIds = await db.Sites.AsNoTracking().Where(s => wanted.Contains(s.Id)).Select(s => s.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var rules = siteIds.ToDictionary(id => id, id => EffectiveRules.Merge(defaults, settings.FirstOrDefault(s => s.SiteId == id)));
        var anyRule = rules.Where(r => HasAny(r.Value)).Select(r => r.Key).ToHashSet();

        // Read before the devices: batches stored meanwhile can only make a device newer than this, never older
        // (the queries are not one snapshot), so a device is never "silent" against a scan read after it.
        // One latest-scan lookup per site, answered from the (SiteId, EndedAt) index in a few pages however many
        // scans a year of status scans has left; a GROUP BY over the sites' scans read them all (8 s at 5 M scans).
        var lastScanPerSite = await db.Sites.AsNoTracking().Where(s => anyRule.Contains(s.Id))
            .Select(s => new { SiteId = s.Id, At = db.Scans.Where(x => x.SiteId == s.Id).Max(x => (DateTime?)x.EndedAt) })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var lastScans = new Dictionary<int, DateTime>(lastScanPerSite.Count);
        foreach (var site in lastScanPerSite)
        {
            if (site.At is { } at)
            {
                lastScans.Add(site.SiteId, Utc(at));
            }
        }

        var devices = await db.Devices.AsNoTracking().Where(d => anyRule.Contains(d.SiteId)).ToListAsync(cancellationToken).ConfigureAwait(false);
        var latestIds = devices.Where(d => d.LatestReadingId is not null).Select(d => d.LatestReadingId!.Value).ToList();
        var errors = await db.Readings.AsNoTracking().Where(r => latestIds.Contains(r.Id))
            .ToDictionaryAsync(r => r.Id, r => (r.Errors, r.At), cancellationToken).ConfigureAwait(false);
        var supplyIds = devices.Where(d => d.LatestSupplyReadingId is not null).Select(d => d.LatestSupplyReadingId!.Value).ToList();
        var supplies = (await db.SupplyLevels.AsNoTracking().Where(s => supplyIds.Contains(s.ReadingId)).ToListAsync(cancellationToken).ConfigureAwait(false))
            .ToLookup(s => s.ReadingId);

        var forecastable = devices.Where(d => rules[d.SiteId].SupplyRunOutDays is not null && d.LatestSupplyReadingId is not null)
            .Select(d => (d.Id, d.SiteId, supplies[d.LatestSupplyReadingId!.Value].ToArray())).ToList();
        var forecast = await forecasts.ForAsync(forecastable, cancellationToken).ConfigureAwait(false);
        var backwards = await BackwardsAsync([.. devices.Where(d => rules[d.SiteId].CounterBackwards).Select(d => d.Id)], cancellationToken).ConfigureAwait(false);

        var states = new List<DeviceState>(devices.Count);
        foreach (var d in devices)
        {
            string? errorText = null;
            DateTime? readAt = null;
            if (d.LatestReadingId is { } rid && errors.TryGetValue(rid, out var latest))
            {
                (errorText, readAt) = (latest.Errors, latest.At);
            }

            var deviceSupplies = d.LatestSupplyReadingId is { } sid
                ? supplies[sid].OrderBy(s => s.Position).Select(s =>
                {
                    var f = forecast.GetValueOrDefault((d.Id, s.Position));
                    return new SupplyState(s.Position, s.Description ?? s.Colour ?? $"supply {s.Position}", s.Percent,
                        f?.Outcome is ForecastOutcome.RunOut or ForecastOutcome.Empty ? f.DaysLeft ?? 0 : null, f?.RunOutAt);
                }).ToList()
                : [];
            states.Add(new DeviceState(d.Id, d.SiteId, Name(d), Utc(d.LastSeenAt), readAt is { } at ? Utc(at) : null,
                errorText?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [], deviceSupplies, [.. backwards[d.Id]]));
        }

        var agents = await db.Agents.AsNoTracking().Where(a => a.SiteId != null && anyRule.Contains(a.SiteId.Value))
            .Select(a => new { a.Id, a.SiteId, a.Hostname, a.HardwareId, a.LastSeenAt, a.LastHeartbeatAt, a.EnrolledAt })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var agentStates = agents.Select(a => new AgentState(a.Id, a.SiteId!.Value, a.Hostname ?? a.HardwareId,
            Utc(new[] { a.LastSeenAt, a.LastHeartbeatAt, a.EnrolledAt }.Max() ?? a.EnrolledAt))).ToList();
        return new FleetSnapshot(states, agentStates, rules, lastScans);
    }

    private static bool HasAny(EffectiveRules r) =>
        r.SupplyBelowPercent is not null || r.SupplyRunOutDays is not null || r.ErrorStateMinutes is not null
        || r.DeviceSilentHours is not null || r.AgentSilentMinutes is not null || r.CounterBackwards;

    /// <summary>
    /// For each device, the counters of its latest counter reading that are lower than in its previous one: the
    /// previous reading found by the database for all the devices at once (one correlated subquery on the
    /// (DeviceId, At) index), then both readings' counters in one query.
    /// </summary>
    private async Task<ILookup<long, CounterStep>> BackwardsAsync(List<long> deviceIds, CancellationToken cancellationToken)
    {
        if (deviceIds.Count == 0)
        {
            return Array.Empty<(long, CounterStep)>().ToLookup(s => s.Item1, s => s.Item2);
        }

        var pairs = await db.Devices.AsNoTracking()
            .Where(d => deviceIds.Contains(d.Id) && d.LatestMeterReadingId != null && d.LatestMeterAt != null)
            .Select(d => new
            {
                d.Id,
                Latest = d.LatestMeterReadingId!.Value,
                At = d.LatestMeterAt!.Value,
                Previous = db.Readings
                    .Where(r => r.DeviceId == d.Id && r.Error == null && r.At < d.LatestMeterAt && db.CounterValues.Any(c => c.ReadingId == r.Id))
                    .OrderByDescending(r => r.At).Select(r => (long?)r.Id).FirstOrDefault(),
            })
            .Where(p => p.Previous != null)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        if (pairs.Count == 0)
        {
            return Array.Empty<(long, CounterStep)>().ToLookup(s => s.Item1, s => s.Item2);
        }

        List<long> readingIds = [.. pairs.SelectMany(p => new[] { p.Latest, p.Previous!.Value })];
        var values = (await db.CounterValues.AsNoTracking().Where(c => readingIds.Contains(c.ReadingId))
            .Select(c => new { c.ReadingId, c.Name, c.Value }).ToListAsync(cancellationToken).ConfigureAwait(false))
            .ToLookup(v => v.ReadingId);
        var steps = new List<(long DeviceId, CounterStep Step)>();
        foreach (var p in pairs)
        {
            var before = values[p.Previous!.Value].GroupBy(v => v.Name).ToDictionary(g => g.Key, g => g.First().Value);
            steps.AddRange(values[p.Latest].Where(v => before.TryGetValue(v.Name, out var b) && v.Value < b)
                .Select(v => (p.Id, new CounterStep(v.Name, before[v.Name], v.Value, Utc(p.At)))));
        }

        return steps.ToLookup(s => s.DeviceId, s => s.Step);
    }

    private static string Name(Device d) =>
        string.Join(' ', new[] { d.Vendor, d.Model, d.Serial ?? d.Mac }.Where(s => !string.IsNullOrWhiteSpace(s))) + $" ({d.Ip})";

    private static DateTime Utc(DateTime at) => DateTime.SpecifyKind(at, DateTimeKind.Utc);
}
