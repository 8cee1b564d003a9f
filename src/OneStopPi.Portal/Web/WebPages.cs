using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using OneStopPi.Contracts;
using OneStopPi.Portal.Api;
using OneStopPi.Portal.Data;
using OneStopPi.Portal.Security;
using static OneStopPi.Portal.Web.Html;

namespace OneStopPi.Portal.Web;

/// <summary>Read-only server-rendered pages (sites, agents, devices, counter history), readable on a phone.</summary>
internal static class WebPages
{
    private static readonly string[] DeviceStatus = ["", "unknown", "running", "warning", "testing", "down"];

    public static void MapWebPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/static/site.css", () => TypedResults.Text(Css, "text/css")).ExcludeFromDescription();
        app.MapGet("/login", () => Send(LoginPage(null), StatusCodes.Status200OK)).ExcludeFromDescription();
        app.MapPost("/login", LoginAsync).ExcludeFromDescription().DisableAntiforgery().RequireRateLimiting(RateLimits.SignIn);
        app.MapPost("/logout", (HttpContext http) =>
        {
            WebSession.SignOut(http);
            return TypedResults.Redirect("/login");
        }).ExcludeFromDescription().DisableAntiforgery();

        var pages = app.MapGroup("").ExcludeFromDescription().AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            return http.RequestServices.GetRequiredService<WebSession>().IsSignedIn(http)
                ? await next(context).ConfigureAwait(false)
                : TypedResults.Redirect("/login");
        });
        pages.MapGet("/", SitesAsync);
        pages.MapGet("/agents", AgentsAsync);
        pages.MapGet("/sites/{siteId:int}", SiteAsync);
        pages.MapGet("/devices/{deviceId:long}", DeviceAsync);
    }

    private static async Task<IResult> LoginAsync(HttpContext http, OperatorTokens tokens, WebSession session)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        if (!await tokens.IsValidAsync(form["token"].ToString().Trim(), http.RequestAborted).ConfigureAwait(false))
        {
            return Send(LoginPage("That is not an operator token."), StatusCodes.Status401Unauthorized);
        }

        session.SignIn(http);
        return TypedResults.Redirect("/");
    }

    private static string LoginPage(string? error) => Page("Sign in", $"""
        {(error is null ? "" : $"<p class=bad>{E(error)}</p>")}
        <form method=post action="/login"><label>Operator token <input name=token type=password autocomplete=off required></label>
        <button>Sign in</button></form>
        """, signedIn: false);

    private static async Task<IResult> SitesAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        var sites = await db.Sites.AsNoTracking().OrderBy(s => s.Name)
            .Select(s => new { s.Id, s.Name, s.TimeZone, Agents = db.Agents.Count(a => a.SiteId == s.Id), Devices = db.Devices.Count(d => d.SiteId == s.Id) })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var html = new StringBuilder("<div class=scroll><table><tr><th>Site</th><th>Time zone</th><th>Agents</th><th>Devices</th></tr>");
        foreach (var s in sites)
        {
            html.Append($"<tr><td><a href=\"/sites/{s.Id}\">{E(s.Name)}</a></td><td>{E(s.TimeZone)}</td><td class=n>{s.Agents}</td><td class=n>{s.Devices}</td></tr>");
        }

        return Send(Page("Sites", html.Append("</table></div>").ToString()));
    }

    private static async Task<IResult> AgentsAsync(PortalDbContext db, CredentialVault vault, CancellationToken cancellationToken)
    {
        var agents = await db.Agents.AsNoTracking().OrderBy(a => a.SiteId).ThenBy(a => a.Hostname).ToListAsync(cancellationToken).ConfigureAwait(false);
        var upgrades = await ReleaseEndpoints.UpgradeStatusAsync(db, [.. agents.Select(a => a.Id)], cancellationToken).ConfigureAwait(false);
        return Send(Page("Agents", AgentTable(agents, vault, upgrades)));
    }

    /// <summary>Agents with their local setup key (operators only: a dealer's technician reads it here for the box's LAN API).</summary>
    private static string AgentTable(List<Agent> agents, CredentialVault vault, Dictionary<Guid, UpgradeStatus> upgrades)
    {
        var html = new StringBuilder("<div class=scroll><table class=cards><tr><th>Agent</th><th>Site</th><th>Last seen</th><th>Version</th><th>Upgrade</th><th>Uptime</th>"
            + "<th>Outbox</th><th>Dropped</th><th>Restarts</th><th>Clock</th><th>Last meter scan</th><th>Setup key</th></tr>");
        foreach (var a in agents)
        {
            var site = a.SiteId is { } s ? $"<a href=\"/sites/{s}\">{s}</a>" : "<span class=warn>unassigned</span>";
            var dropped = a.DroppedReadings is > 0 ? $"<span class=bad>{E(a.DroppedReadings)}</span>" : E(a.DroppedReadings);
            // A full outbox (status readings not queued), a restarted stage and a clock without NTP stand out.
            var outbox = a.OutboxFull is true ? $"<span class=bad>{E(a.OutboxDepth)} full</span>" : E(a.OutboxDepth);
            var restarts = a.StageRestarts is > 0 ? $"<span class=warn>{E(a.StageRestarts)}</span>" : E(a.StageRestarts);
            var clock = a.ClockSource is null or ClockSources.Ntp ? E(a.ClockSource) : $"<span class=warn>{E(a.ClockSource)}</span>";
            html.Append($"<tr><td>{E(a.Hostname ?? a.HardwareId)}<br><span class=muted>{a.Id}</span></td><td data-l=Site>{site}</td><td data-l=\"Last seen\">{When(a.LastSeenAt)}</td>")
                .Append($"<td data-l=Version>{E(a.Version)}</td>{UpgradeCell(upgrades.GetValueOrDefault(a.Id))}<td class=n data-l=Uptime>{(a.UptimeSeconds is { } up ? E($"{up / 86400}d {up % 86400 / 3600}h") : "")}</td>")
                .Append($"<td class=n data-l=Outbox>{outbox}</td><td class=n data-l=Dropped>{dropped}</td><td class=n data-l=Restarts>{restarts}</td><td data-l=Clock>{clock}</td>")
                .Append($"<td data-l=\"Last meter scan\">{When(a.LastMeterScanAt)}</td>")
                .Append($"<td data-l=\"Setup key\"><code class=setup-key>{E(vault.UnprotectSetupKey(a.Id, a.SetupKeyProtected))}</code></td></tr>");
        }

        return html.Append("</table></div>").ToString();
    }

    /// <summary>The latest upgrade's outcome; a rollback or refusal stands out.</summary>
    private static string UpgradeCell(UpgradeStatus? upgrade) =>
        upgrade is null ? "<td data-l=Upgrade></td>" : $"<td data-l=Upgrade{(upgrade.Failed ? " class=bad" : "")}>{E(upgrade.Text)}</td>";

    private static async Task<IResult> SiteAsync(int siteId, PortalDbContext db, DeviceQueries queries, CredentialVault vault, CancellationToken cancellationToken)
    {
        var site = await db.Sites.AsNoTracking().FirstOrDefaultAsync(s => s.Id == siteId, cancellationToken).ConfigureAwait(false);
        if (site is null)
        {
            return Send(Page("Not found", "<p>No such site.</p>"), StatusCodes.Status404NotFound);
        }

        var agents = await db.Agents.AsNoTracking().Where(a => a.SiteId == siteId).ToListAsync(cancellationToken).ConfigureAwait(false);
        var upgrades = await ReleaseEndpoints.UpgradeStatusAsync(db, [.. agents.Select(a => a.Id)], cancellationToken).ConfigureAwait(false);
        var devices = await queries.ListAsync(siteId, cancellationToken).ConfigureAwait(false);
        var html = new StringBuilder("<h2>Agents</h2>").Append(AgentTable(agents, vault, upgrades)).Append("<h2>Devices</h2><div class=scroll><table class=cards><tr><th>Device</th><th>IP</th>"
            + "<th>Status</th><th>Total</th><th>Mono</th><th>Colour</th><th>Meters read</th><th>Supplies</th></tr>");
        foreach (var d in devices)
        {
            var counters = d.Counters.ToDictionary(c => c.Name, c => (long?)c.Value);
            var status = d.HrDeviceStatus is { } st and > 0 and < 6 ? DeviceStatus[st] : "";
            html.Append($"<tr><td><a href=\"/devices/{d.Id}\">{E(d.Vendor)} {E(d.Model)}</a><br><span class=muted>{E(d.Serial ?? d.Mac)}</span></td>")
                .Append($"<td data-l=IP>{E(d.Ip)}</td><td data-l=Status class=\"{(st: d.HrDeviceStatus, d.Errors) switch { (5, _) => "bad", (3, _) or (_, not null) => "warn", _ => "" }}\">{E(status)} {E(d.Errors)}</td>")
                .Append($"<td class=n data-l=Total>{E(counters.GetValueOrDefault("total"))}</td><td class=n data-l=Mono>{E(counters.GetValueOrDefault("mono"))}</td>")
                .Append($"<td class=n data-l=Colour>{E(counters.GetValueOrDefault("colour"))}</td><td data-l=\"Meters read\">{When(d.MetersAt)}</td><td>");
            foreach (var s in d.Supplies)
            {
                var pct = s.Percent ?? (s is { Level: >= 0, Max: > 0 } ? s.Level * 100 / s.Max : null);
                html.Append($"<div><span class=\"bar c-{E(s.Colour?.ToLowerInvariant())}\"><i class=\"w{(pct ?? 0) / 5 * 5}\"></i></span>")
                    .Append($"{E(s.Colour ?? s.Description)} {(pct is { } p ? $"{p}%" : E(s.State))}</div>");
            }

            html.Append("</td></tr>");
        }

        return Send(Page(site.Name, html.Append("</table></div>").ToString()));
    }

    private static async Task<IResult> DeviceAsync(long deviceId, PortalDbContext db, DeviceQueries queries, CancellationToken cancellationToken)
    {
        var device = await db.Devices.AsNoTracking().FirstOrDefaultAsync(d => d.Id == deviceId, cancellationToken).ConfigureAwait(false);
        if (device is null)
        {
            return Send(Page("Not found", "<p>No such device.</p>"), StatusCodes.Status404NotFound);
        }

        var history = await queries.HistoryAsync(deviceId, null, null, cancellationToken).ConfigureAwait(false);
        var names = DeviceQueries.InColumnOrder(history.SelectMany(h => h.Counters).Select(c => c.Name));
        var html = new StringBuilder($"<p><a href=\"/sites/{device.SiteId}\">Back to the site</a></p><p>{E(device.Vendor)} {E(device.Model)}, serial {E(device.Serial)}, ")
            .Append($"MAC {E(device.Mac)}, IP {E(device.Ip)}, firmware {E(device.Firmware)}</p>")
            .Append("<h2>Counter history</h2><div class=scroll><table><tr><th>Read at</th>");
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

        return Send(Page($"{device.Vendor} {device.Model}".Trim(), html.Append("</table></div>").ToString()));
    }

    private static IResult Send(string html, int status = StatusCodes.Status200OK) => new HtmlResult(html, status);

    /// <summary>An HTML page with headers that keep it inert: no scripts, no framing, no sniffing.</summary>
    private sealed class HtmlResult(string html, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
            response.ContentType = "text/html; charset=utf-8";
            response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'";
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers["Referrer-Policy"] = "no-referrer";
            response.Headers.CacheControl = "no-store";
            return response.WriteAsync(html, httpContext.RequestAborted);
        }
    }
}
