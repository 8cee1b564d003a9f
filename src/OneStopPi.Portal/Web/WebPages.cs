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
        // The session cookie is SameSite=Strict: another site's form cannot post here with it (as for /logout).
        pages.MapPost("/sites/{siteId:int}/meter-times", SetMeterTimesAsync).DisableAntiforgery();
        pages.MapGet("/devices/{deviceId:long}", DeviceAsync);
        pages.MapGet("/supplies", SuppliesAsync);
        pages.MapGet("/alerts", async (int? siteId, string? state, PortalDbContext db, CancellationToken cancellationToken) =>
            await AlertsPage.RenderAsync(siteId, state, db, cancellationToken).ConfigureAwait(false) is { } page
                ? Send(Page(page.Title, page.Body))
                : Send(Page("Not found", "<p>No such site.</p>"), StatusCodes.Status404NotFound));
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

    private static async Task<IResult> AgentsAsync(PortalDbContext db, CredentialVault vault, DeviceQueries queries, CancellationToken cancellationToken)
    {
        var agents = await db.Agents.AsNoTracking().OrderBy(a => a.SiteId).ThenBy(a => a.Hostname).ToListAsync(cancellationToken).ConfigureAwait(false);
        var upgrades = await ReleaseEndpoints.UpgradeStatusAsync(db, [.. agents.Select(a => a.Id)], cancellationToken).ConfigureAwait(false);
        return Send(Page("Agents", AgentTable(agents, vault, upgrades, queries)));
    }

    /// <summary>Agents with their local setup key (operators only: a dealer's technician reads it here for the box's LAN API).</summary>
    private static string AgentTable(List<Agent> agents, CredentialVault vault, Dictionary<Guid, UpgradeStatus> upgrades, DeviceQueries queries)
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
            html.Append($"<tr><td>{E(a.Hostname ?? a.HardwareId)}<br><span class=muted>{a.Id}</span></td><td data-l=Site>{site}</td><td data-l=\"Last seen\" class=last-heard>{LastHeard(a, queries)}</td>")
                .Append($"<td data-l=Version>{E(a.Version)}</td>{UpgradeCell(upgrades.GetValueOrDefault(a.Id))}<td class=n data-l=Uptime>{(a.UptimeSeconds is { } up ? E($"{up / 86400}d {up % 86400 / 3600}h") : "")}</td>")
                .Append($"<td class=n data-l=Outbox>{outbox}</td><td class=n data-l=Dropped>{dropped}</td><td class=n data-l=Restarts>{restarts}</td><td data-l=Clock>{clock}</td>")
                .Append($"<td data-l=\"Last meter scan\">{When(a.LastMeterScanAt)}</td>")
                .Append($"<td data-l=\"Setup key\"><code class=setup-key>{E(vault.UnprotectSetupKey(a.Id, a.SetupKeyProtected))}</code></td></tr>");
        }

        return html.Append("</table></div>").ToString();
    }

    /// <summary>When the box was last heard; a box of a site gone quiet for longer than the portal allows says "silent".</summary>
    private static string LastHeard(Agent agent, DeviceQueries queries) =>
        queries.IsSilent(agent) ? $"<span class=bad>silent</span> since {When(agent.LastSeenAt)}" : When(agent.LastSeenAt);

    /// <summary>The boxes that saw a device answer, newest first: the site keeps reporting through either.</summary>
    private static string SeenBy(IReadOnlyList<DeviceSightingView>? sightings) =>
        string.Join("<br>", (sightings ?? []).Select(s =>
            $"<span class=box>{E(s.Box)}</span>{(s.Silent ? " <span class=bad>silent</span>" : "")} {When(s.LastSeenAt)}"));

    /// <summary>The site's meter-read times, and the form that sets them (comma or space separated, HH:mm in the site's zone).</summary>
    private static string MeterTimesForm(Site site, string? error) =>
        $"<h2>Meter reads</h2><p id=meter-times>{E(string.Join(", ", SiteSettings.MeterTimesOf(site)))} ({E(site.TimeZone)})</p>"
        + (error is null ? "" : $"<p class=bad id=meter-times-error>{E(error)}</p>")
        + $"<form method=post action=\"/sites/{site.Id}/meter-times\"><label>Times of day <input name=times value=\"{E(string.Join(", ", SiteSettings.MeterTimesOf(site)))}\" "
        + "pattern=\"[0-9:, ]+\" required></label> <button>Save</button></form>";

    private static async Task<IResult> SetMeterTimesAsync(int siteId, HttpContext http, PortalDbContext db, DeviceQueries queries, CredentialVault vault,
        CancellationToken cancellationToken)
    {
        var site = await db.Sites.FirstOrDefaultAsync(s => s.Id == siteId, cancellationToken).ConfigureAwait(false);
        if (site is null)
        {
            return Send(Page("Not found", "<p>No such site.</p>"), StatusCodes.Status404NotFound);
        }

        var form = await http.Request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
        string[] times = form["times"].ToString().Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (SiteSettings.CheckMeterTimes(times) is { } error)
        {
            return await RenderSiteAsync(siteId, null, db, queries, vault, cancellationToken, error, StatusCodes.Status400BadRequest).ConfigureAwait(false);
        }

        SiteSettings.SetMeterTimes(site, times);
        site.ConfigVersion++;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Redirect($"/sites/{siteId}");
    }

    /// <summary>The latest upgrade's outcome; a rollback or refusal stands out.</summary>
    private static string UpgradeCell(UpgradeStatus? upgrade) =>
        upgrade is null ? "<td data-l=Upgrade></td>" : $"<td data-l=Upgrade{(upgrade.Failed ? " class=bad" : "")}>{E(upgrade.Text)}</td>";

    private static Task<IResult> SiteAsync(int siteId, string? sort, PortalDbContext db, DeviceQueries queries, CredentialVault vault, CancellationToken cancellationToken) =>
        RenderSiteAsync(siteId, sort, db, queries, vault, cancellationToken, null, StatusCodes.Status200OK);

    private static async Task<IResult> RenderSiteAsync(int siteId, string? sort, PortalDbContext db, DeviceQueries queries, CredentialVault vault,
        CancellationToken cancellationToken, string? meterTimesError, int statusCode)
    {
        var site = await db.Sites.AsNoTracking().FirstOrDefaultAsync(s => s.Id == siteId, cancellationToken).ConfigureAwait(false);
        if (site is null)
        {
            return Send(Page("Not found", "<p>No such site.</p>"), StatusCodes.Status404NotFound);
        }

        var agents = await db.Agents.AsNoTracking().Where(a => a.SiteId == siteId).ToListAsync(cancellationToken).ConfigureAwait(false);
        var upgrades = await ReleaseEndpoints.UpgradeStatusAsync(db, [.. agents.Select(a => a.Id)], cancellationToken).ConfigureAwait(false);
        IEnumerable<DeviceView> devices = await queries.ListAsync(siteId, cancellationToken).ConfigureAwait(false);
        if (sort == "runout")
        {
            // What runs out first: each device by its soonest supply.
            devices = devices.OrderBy(d => d.Supplies.Min(s => s.Forecast?.RunOutAt) ?? DateTime.MaxValue);
        }

        var html = new StringBuilder(MeterTimesForm(site, meterTimesError)).Append("<h2>Agents</h2>").Append(AgentTable(agents, vault, upgrades, queries))
            .Append($"<h2>Devices</h2><p>Sort: <a href=\"/sites/{siteId}\">by device</a> · <a href=\"/sites/{siteId}?sort=runout\">by first run-out</a> · ")
            .Append($"<a href=\"/supplies\">every site's supplies</a> · <a href=\"/alerts?siteId={siteId}\">this site's alerts</a></p><div class=scroll><table class=cards id=devices><tr><th>Device</th><th>IP</th>"
            + $"<th>Status</th><th>Total</th><th>Mono</th><th>Colour</th><th>Meters read</th><th>Seen by</th><th>Supplies</th><th><a href=\"/sites/{siteId}?sort=runout\">First run-out</a></th></tr>");
        foreach (var d in devices)
        {
            var counters = d.Counters.ToDictionary(c => c.Name, c => (long?)c.Value);
            var status = d.HrDeviceStatus is { } st and > 0 and < 6 ? DeviceStatus[st] : "";
            html.Append($"<tr><td><a href=\"/devices/{d.Id}\">{E(d.Vendor)} {E(d.Model)}</a><br><span class=muted>{E(d.Serial ?? d.Mac)}</span></td>")
                .Append($"<td data-l=IP>{E(d.Ip)}</td><td data-l=Status class=\"{(st: d.HrDeviceStatus, d.Errors) switch { (5, _) => "bad", (3, _) or (_, not null) => "warn", _ => "" }}\">{E(status)} {E(d.Errors)}</td>")
                .Append($"<td class=n data-l=Total>{E(counters.GetValueOrDefault("total"))}</td><td class=n data-l=Mono>{E(counters.GetValueOrDefault("mono"))}</td>")
                .Append($"<td class=n data-l=Colour>{E(counters.GetValueOrDefault("colour"))}</td><td data-l=\"Meters read\">{When(d.MetersAt)}</td>")
                .Append($"<td data-l=\"Seen by\" class=seen-by>{SeenBy(d.SeenBy)}</td><td class=supplies>");
            foreach (var s in d.Supplies)
            {
                html.Append(SupplyCells.Line(s));
            }

            var first = d.Supplies.Where(s => s.Forecast?.RunOutAt is not null).MinBy(s => s.Forecast!.RunOutAt);
            html.Append($"</td><td data-l=\"First run-out\" class=runout>{(first is null ? "" : $"{E(SupplyCells.Date(first.Forecast!.RunOutAt))} {E(SupplyCells.Name(first))}")}</td></tr>");
        }

        return Send(Page(site.Name, html.Append("</table></div>").ToString()), statusCode);
    }

    /// <summary>Every supply of every site, soonest run-out first (or by site, device or level), with its forecast.</summary>
    private static async Task<IResult> SuppliesAsync(string? sort, DeviceQueries queries, CancellationToken cancellationToken)
    {
        IEnumerable<FleetSupplyView> rows = await queries.SuppliesAsync(null, cancellationToken).ConfigureAwait(false);
        rows = sort switch
        {
            "site" => rows.OrderBy(r => r.Site, StringComparer.Ordinal).ThenBy(r => r.DeviceId),
            "device" => rows.OrderBy(r => r.Vendor, StringComparer.Ordinal).ThenBy(r => r.Model, StringComparer.Ordinal).ThenBy(r => r.DeviceId),
            "level" => rows.OrderBy(r => SupplyCells.Percent(r.Supply) ?? int.MaxValue),
            _ => rows,
        };
        static string Sort(string key, string label) => $"<a href=\"/supplies?sort={key}\">{label}</a>";
        var html = new StringBuilder("<p><a href=\"/api/operator/v1/supplies.csv\">CSV</a> (operator API, bearer token)</p><div class=scroll><table class=cards id=fleet-supplies><tr>")
            .Append($"<th>{Sort("runout", "Runs out")}</th><th>{Sort("site", "Site")}</th><th>{Sort("device", "Device")}</th><th>Supply</th><th>{Sort("level", "Level")}</th><th>Forecast</th></tr>");
        foreach (var r in rows)
        {
            var f = r.Supply.Forecast;
            html.Append($"<tr><td class=runout>{E(SupplyCells.Date(f?.RunOutAt))}</td><td data-l=Site><a href=\"/sites/{r.SiteId}\">{E(r.Site)}</a></td>")
                .Append($"<td data-l=Device><a href=\"/devices/{r.DeviceId}\">{E(r.Vendor)} {E(r.Model)}</a><br><span class=muted>{E(r.Serial)} {E(r.Ip)}</span></td>")
                .Append($"<td data-l=Supply>{E(SupplyCells.Name(r.Supply))}</td><td data-l=Level>{E(SupplyCells.LevelText(r.Supply))}</td><td data-l=Forecast class=forecast>{SupplyCells.Full(f)}</td></tr>");
        }

        return Send(Page("Supplies", html.Append("</table></div>").ToString()));
    }

    private static async Task<IResult> DeviceAsync(long deviceId, PortalDbContext db, DeviceQueries queries, CancellationToken cancellationToken) =>
        await DevicePage.RenderAsync(deviceId, db, queries, cancellationToken).ConfigureAwait(false) is { } page
            ? Send(Page(page.Title, page.Body))
            : Send(Page("Not found", "<p>No such device.</p>"), StatusCodes.Status404NotFound);

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
