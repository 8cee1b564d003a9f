using System.Text;
using Microsoft.EntityFrameworkCore;
using OneStopPi.Portal.Api;
using OneStopPi.Portal.Data;
using static OneStopPi.Portal.Web.Html;

namespace OneStopPi.Portal.Web;

/// <summary>
/// A device's page: the whole latest reading (status, error states, alert-table rows, every counter with a chart
/// of its history, every supply with level, state and forecast) and which box read it when.
/// </summary>
internal static class DevicePage
{
    private static readonly string[] DeviceStatus = ["", "unknown", "running", "warning", "testing", "down"];
    private static readonly string[] PrinterStatus = ["", "other", "unknown", "idle", "printing", "warmup"];

    public static async Task<(string Title, string Body)?> RenderAsync(long deviceId, PortalDbContext db, DeviceQueries queries, CancellationToken cancellationToken)
    {
        var device = await db.Devices.AsNoTracking().FirstOrDefaultAsync(d => d.Id == deviceId, cancellationToken).ConfigureAwait(false);
        if (device is null)
        {
            return null;
        }

        var view = (await queries.ListAsync(null, cancellationToken, deviceId).ConfigureAwait(false)).Single();
        var alerts = device.LatestReadingId is { } latestId
            ? await db.ReadingAlerts.AsNoTracking().Where(a => a.ReadingId == latestId).OrderBy(a => a.Id).ToListAsync(cancellationToken).ConfigureAwait(false)
            : [];
        var readings = await db.Readings.AsNoTracking().Where(r => r.DeviceId == deviceId).OrderByDescending(r => r.At).ThenByDescending(r => r.Id).Take(20)
            .Select(r => new { r.Id, r.At, r.Kind, r.Error, r.Ip, r.Scan!.AgentId, r.Scan.MissedMeter, Counters = r.Counters.Count, Supplies = r.Supplies.Count })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        long?[] latestIds = [device.LatestReadingId, device.LatestMeterReadingId, device.LatestSupplyReadingId];
        var latest = await db.Readings.AsNoTracking().Where(r => latestIds.Contains(r.Id))
            .Select(r => new { r.Id, r.At, r.Scan!.AgentId }).ToDictionaryAsync(r => r.Id, cancellationToken).ConfigureAwait(false);
        var agentIds = readings.Select(r => r.AgentId).Concat(latest.Values.Select(r => r.AgentId)).Distinct().ToList();
        var boxes = await db.Agents.AsNoTracking().Where(a => agentIds.Contains(a.Id))
            .ToDictionaryAsync(a => a.Id, a => a.Hostname ?? a.HardwareId, cancellationToken).ConfigureAwait(false);
        var history = await queries.HistoryAsync(deviceId, null, null, cancellationToken).ConfigureAwait(false);
        string Box(Guid id) => boxes.GetValueOrDefault(id) ?? id.ToString();
        string ReadBy(long? readingId) => readingId is { } id && latest.TryGetValue(id, out var r) ? $"{When(r.At)} by <span class=box>{E(Box(r.AgentId))}</span>" : When(null);

        var html = new StringBuilder($"<p><a href=\"/sites/{device.SiteId}\">Back to the site</a></p>")
            .Append($"<p>{E(device.Vendor)} {E(device.Model)}, serial {E(device.Serial)}, MAC {E(device.Mac)}, IP {E(device.Ip)}, firmware {E(device.Firmware)}")
            .Append(device.SysName is { Length: > 0 } ? $", name {E(device.SysName)}" : "").Append("</p>");

        html.Append("<h2>Status</h2><table class=kv id=status>")
            .Append($"<tr><th>Read</th><td>{ReadBy(device.LatestReadingId)}</td></tr>")
            .Append($"<tr><th>Seen by</th><td id=seen-by>{string.Join("<br>", (view.SeenBy ?? []).Select(s =>
                $"<span class=box>{E(s.Box)}</span>{(s.Silent ? " <span class=bad>silent</span>" : "")} {When(s.LastSeenAt)} at {E(s.Ip)}"))}</td></tr>")
            .Append($"<tr><th>Device</th><td class=\"{(view.HrDeviceStatus switch { 5 => "bad", 3 => "warn", _ => "" })}\">{E(Name(DeviceStatus, view.HrDeviceStatus))}</td></tr>")
            .Append($"<tr><th>Printer</th><td>{E(Name(PrinterStatus, view.HrPrinterStatus))}</td></tr>")
            .Append($"<tr><th>Error states</th><td class=\"{(view.Errors is { Length: > 0 } ? "warn" : "muted")}\">{E(view.Errors is { Length: > 0 } errors ? errors : "none")}</td></tr></table>");

        html.Append("<h3>Alert table</h3>");
        if (alerts.Count == 0)
        {
            html.Append("<p class=muted id=alerts>No rows in the printer's alert table.</p>");
        }
        else
        {
            html.Append("<div class=scroll><table id=alerts><tr><th>Severity</th><th>Group</th><th>Code</th><th>Description</th></tr>");
            foreach (var a in alerts)
            {
                html.Append($"<tr><td class=\"{(a.Severity is "critical" ? "bad" : a.Severity is "warning" ? "warn" : "")}\">{E(a.Severity)}</td><td>{E(a.Group)}</td><td class=n>{E(a.Code)}</td><td>{E(a.Description)}</td></tr>");
            }

            html.Append("</table></div>");
        }

        html.Append($"<h2>Supplies</h2><p class=muted>Read {ReadBy(device.LatestSupplyReadingId)}</p>");
        html.Append("<div class=scroll><table class=cards id=supplies><tr><th>Supply</th><th>Type</th><th>Level</th><th>State</th><th>Forecast</th></tr>");
        foreach (var s in view.Supplies)
        {
            var bar = SupplyCells.Percent(s) is { } pct ? $"<span class=\"bar c-{E(s.Colour?.ToLowerInvariant())}\"><i class=\"w{pct / 5 * 5}\"></i></span>" : "";
            var raw = s is { Level: { } level } ? $" <span class=muted>({E(level)}{(s.Max is { } max ? $" of {E(max)}" : "")}{(s.Unit is { Length: > 0 } u ? " " + E(u) : "")})</span>" : "";
            html.Append($"<tr><td>{E(SupplyCells.Name(s))}</td><td data-l=Type>{E(s.Type)}</td><td data-l=Level>{bar}{E(SupplyCells.LevelText(s))}{raw}</td>")
                .Append($"<td data-l=State>{E(s.State)}</td><td data-l=Forecast class=forecast>{SupplyCells.Full(s.Forecast)}</td></tr>");
        }

        html.Append("</table></div>");

        html.Append($"<h2>Counters</h2><p class=muted>Read {ReadBy(device.LatestMeterReadingId)}</p>");
        html.Append("<div class=scroll><table id=counters><tr><th>Counter</th><th>Now</th><th>History</th><th>Since first</th></tr>");
        foreach (var c in view.Counters)
        {
            var series = history.Select(h => (h.At, Value: h.Counters.FirstOrDefault(x => x.Name == c.Name)?.Value))
                .Where(p => p.Value is not null).Select(p => (p.At, (double)p.Value!.Value)).ToList();
            var chart = Sparkline.Svg(series, $"{c.Name} from {series.FirstOrDefault().At:yyyy-MM-dd} to {series.LastOrDefault().At:yyyy-MM-dd}") ?? "<span class=muted>one reading</span>";
            var change = series.Count >= 2 ? (long)(series[^1].Item2 - series[0].Item2) : (long?)null;
            html.Append($"<tr><td><code>{E(c.Name)}</code></td><td class=n>{E(c.Value)}</td><td>{chart}</td><td class=n>{(change is { } ch ? "+" + E(ch) : "")}</td></tr>");
        }

        html.Append("</table></div>");

        html.Append("<h2>Readings</h2><div class=scroll><table id=readings><tr><th>Read at</th><th>Kind</th><th>Box</th><th>IP</th><th>Counters</th><th>Supplies</th><th>Error</th></tr>");
        foreach (var r in readings)
        {
            html.Append($"<tr><td>{When(r.At)}</td><td>{(r.Kind == ScanKind.Meter ? "meter" : "status")}{(r.MissedMeter ? " (missed meter)" : "")}</td><td class=box>{E(Box(r.AgentId))}</td>")
                .Append($"<td>{E(r.Ip)}</td><td class=n>{r.Counters}</td><td class=n>{r.Supplies}</td><td class=bad>{E(r.Error)}</td></tr>");
        }

        html.Append("</table></div>");

        var names = DeviceQueries.InColumnOrder(history.SelectMany(h => h.Counters).Select(c => c.Name));
        html.Append("<details><summary>Counter history</summary><div class=scroll><table id=history><tr><th>Read at</th>");
        foreach (var n in names)
        {
            html.Append($"<th>{E(n)}</th>");
        }

        html.Append("</tr>");
        foreach (var point in history.Reverse())
        {
            var values = point.Counters.ToDictionary(c => c.Name, c => (long?)c.Value);
            html.Append($"<tr><td>{When(point.At)}</td>");
            foreach (var n in names)
            {
                html.Append($"<td class=n>{E(values.GetValueOrDefault(n))}</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</table></div></details>");
        return ($"{device.Vendor} {device.Model}".Trim(), html.ToString());
    }

    private static string Name(string[] names, int? value) => value is { } v && v > 0 && v < names.Length ? names[v] : value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "not read";
}
