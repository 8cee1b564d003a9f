using Microsoft.EntityFrameworkCore;
using OneStopPi.Portal.Data;
using OneStopPi.Portal.Forecast;

namespace OneStopPi.Portal.Alerts;

/// <summary>
/// Reads what the alert rules look at: every device's latest reading (error states, supplies and, where a site
/// asks for them, forecasts and counters gone back), every assigned agent's last call, and each site's rules.
/// </summary>
internal sealed class AlertSnapshotReader(PortalDbContext db, SupplyForecasts forecasts)
{
    public async Task<FleetSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var settings = await db.AlertSettings.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        var defaults = settings.FirstOrDefault(s => s.SiteId is null);
        var siteIds = await db.Sites.AsNoTracking().Select(s => s.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var rules = siteIds.ToDictionary(id => id, id => EffectiveRules.Merge(defaults, settings.FirstOrDefault(s => s.SiteId == id)));
        var anyRule = rules.Where(r => HasAny(r.Value)).Select(r => r.Key).ToHashSet();

        // Read before the devices: batches stored meanwhile can only make a device newer than this, never older
        // (the queries are not one snapshot), so a device is never "silent" against a scan read after it.
        var lastScans = await db.Scans.AsNoTracking().Where(s => anyRule.Contains(s.SiteId)).GroupBy(s => s.SiteId)
            .Select(g => new { SiteId = g.Key, At = g.Max(s => s.EndedAt) }).ToDictionaryAsync(g => g.SiteId, g => Utc(g.At), cancellationToken).ConfigureAwait(false);
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
            var backwards = rules[d.SiteId].CounterBackwards ? await BackwardsAsync(d, cancellationToken).ConfigureAwait(false) : [];
            states.Add(new DeviceState(d.Id, d.SiteId, Name(d), Utc(d.LastSeenAt), readAt is { } at ? Utc(at) : null,
                errorText?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [], deviceSupplies, backwards));
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

    /// <summary>The counters of the device's latest counter reading that are lower than in its previous one.</summary>
    private async Task<List<CounterStep>> BackwardsAsync(Device d, CancellationToken cancellationToken)
    {
        if (d.LatestMeterReadingId is not { } latestId || d.LatestMeterAt is not { } latestAt)
        {
            return [];
        }

        var previousId = await db.Readings.AsNoTracking()
            .Where(r => r.DeviceId == d.Id && r.Error == null && r.At < latestAt && db.CounterValues.Any(c => c.ReadingId == r.Id))
            .OrderByDescending(r => r.At).Select(r => (long?)r.Id).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (previousId is null)
        {
            return [];
        }

        var values = await db.CounterValues.AsNoTracking().Where(c => c.ReadingId == latestId || c.ReadingId == previousId)
            .Select(c => new { c.ReadingId, c.Name, c.Value }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var before = values.Where(v => v.ReadingId == previousId).GroupBy(v => v.Name).ToDictionary(g => g.Key, g => g.First().Value);
        return [.. values.Where(v => v.ReadingId == latestId && before.TryGetValue(v.Name, out var b) && v.Value < b)
            .Select(v => new CounterStep(v.Name, before[v.Name], v.Value, Utc(latestAt)))];
    }

    private static string Name(Device d) =>
        string.Join(' ', new[] { d.Vendor, d.Model, d.Serial ?? d.Mac }.Where(s => !string.IsNullOrWhiteSpace(s))) + $" ({d.Ip})";

    private static DateTime Utc(DateTime at) => DateTime.SpecifyKind(at, DateTimeKind.Utc);
}
