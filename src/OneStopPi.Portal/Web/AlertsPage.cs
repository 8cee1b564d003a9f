using System.Text;
using Microsoft.EntityFrameworkCore;
using OneStopPi.Portal.Alerts;
using OneStopPi.Portal.Api;
using OneStopPi.Portal.Data;
using static OneStopPi.Portal.Web.Html;

namespace OneStopPi.Portal.Web;

/// <summary>The history of alerts, dealer-wide or of one site, newest first, with what was delivered where.</summary>
internal static class AlertsPage
{
    public const int Shown = 300;

    public static async Task<(string Title, string Body)?> RenderAsync(int? siteId, string? state, PortalDbContext db, CancellationToken cancellationToken)
    {
        string? siteName = null;
        if (siteId is { } id)
        {
            siteName = await db.Sites.AsNoTracking().Where(s => s.Id == id).Select(s => s.Name).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (siteName is null)
            {
                return null;
            }
        }

        state = state is "open" or "resolved" ? state : null;
        var alerts = await AlertEndpoints.QueryAsync(db, siteId, state, Shown, cancellationToken).ConfigureAwait(false);
        var ids = alerts.Select(a => a.Id).ToList();
        var deliveries = (await db.AlertDeliveries.AsNoTracking().Where(d => ids.Contains(d.AlertId))
            .Select(d => new { d.AlertId, d.Event, d.Channel, d.State, d.Attempts, d.LastError }).ToListAsync(cancellationToken).ConfigureAwait(false))
            .ToLookup(d => d.AlertId);

        var settings = await db.AlertSettings.AsNoTracking().Where(x => x.SiteId == null || x.SiteId == siteId).ToListAsync(cancellationToken).ConfigureAwait(false);
        var rules = EffectiveRules.Merge(settings.FirstOrDefault(x => x.SiteId is null), siteId is null ? null : settings.FirstOrDefault(x => x.SiteId == siteId));
        var here = siteId is { } s ? $"/alerts?siteId={s}" : "/alerts";
        var join = siteId is null ? "?" : "&";
        var html = new StringBuilder("<p>Show: ")
            .Append($"<a href=\"{here}\">all</a> · <a href=\"{here}{join}state=open\">open</a> · <a href=\"{here}{join}state=resolved\">resolved</a>")
            .Append(siteId is null ? "" : " · <a href=\"/alerts\">every site</a>")
            .Append($" (newest {Shown})</p><p>{(siteId is null ? "Dealer-wide rules" : "Rules here")}: {E(Describe(rules))} <span class=muted>(edited with the operator API, <code>alert-settings</code>)</span></p>")
            .Append("<div class=scroll><table class=cards id=alerts><tr><th>Alert</th><th>Site</th><th>State</th><th>First seen</th><th>Raised</th><th>Resolved</th><th>Delivered</th></tr>");
        foreach (var a in alerts)
        {
            var css = a.State switch { "raised" => "bad", "pending" => "warn", _ => "muted" };
            var subject = a.DeviceId is { } device ? $" <a href=\"/devices/{device}\">device</a>" : "";
            var sent = string.Join("<br>", deliveries[a.Id].Select(d =>
                E($"{d.Event} {(d.Channel == DeliveryChannel.Webhook ? "webhook" : "mail")}: {d.State.ToString().ToLowerInvariant()} ({d.Attempts} attempt{(d.Attempts == 1 ? "" : "s")})")
                + (d.State != DeliveryState.Delivered && d.LastError is { } err ? $" <span class=bad>{E(err)}</span>" : "")));
            html.Append($"<tr><td class=forecast>{E(a.Message)}{subject}<br><span class=muted>{E(a.Kind)} #{a.Id}</span>")
                .Append(a.ResolvedMessage is null ? "" : $"<br><span class=muted>{E(a.ResolvedMessage)}</span>")
                .Append($"</td><td data-l=Site><a href=\"/alerts?siteId={a.SiteId}\">{E(a.Site)}</a></td><td data-l=State class={css}>{E(a.State)}</td>")
                .Append($"<td data-l=\"First seen\">{When(a.FirstSeenAt)}</td><td data-l=Raised>{When(a.RaisedAt)}</td><td data-l=Resolved>{When(a.ResolvedAt)}</td>")
                .Append($"<td data-l=Delivered class=forecast>{sent}</td></tr>");
        }

        if (alerts.Count == 0)
        {
            html.Append("<tr><td colspan=7 class=muted>No alerts.</td></tr>");
        }

        return (siteName is null ? "Alerts" : $"Alerts: {siteName}", html.Append("</table></div>").ToString());
    }

    private static string Describe(EffectiveRules r)
    {
        string?[] parts =
        [
            r.SupplyBelowPercent is { } p ? $"supply at or below {p} %" : null,
            r.SupplyRunOutDays is { } d ? $"run-out within {d} days" : null,
            r.ErrorStateMinutes is { } m ? $"{string.Join('/', r.ErrorStates.Order(StringComparer.Ordinal))} for {m} min" : null,
            r.DeviceSilentHours is { } h ? $"device unseen {h} h" : null,
            r.AgentSilentMinutes is { } a ? $"agent silent {a} min" : null,
            r.CounterBackwards ? "counter going back" : null,
        ];
        var on = parts.OfType<string>().ToList();
        return on.Count == 0 ? "none" : string.Join("; ", on);
    }
}
