using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using OneStopPi.Portal.Alerts;
using OneStopPi.Portal.Data;

namespace OneStopPi.Portal.Api;

/// <summary>Alerts in the operator API: the history (site or dealer-wide) and the rules and destinations, dealer-wide and per site.</summary>
internal static partial class AlertEndpoints
{
    public static void MapAlerts(this RouteGroupBuilder api)
    {
        api.MapGet("/alerts", ListAsync).WithName("ListAlerts");
        api.MapGet("/alert-settings", (PortalDbContext db, CancellationToken cancellationToken) => GetAsync(null, db, cancellationToken)).WithName("GetAlertDefaults");
        api.MapPut("/alert-settings", (AlertSettingsUpdate update, PortalDbContext db, AlertSecrets secrets, AlertSignal signal, CancellationToken cancellationToken) =>
            PutAsync(null, update, db, secrets, signal, cancellationToken)).WithName("SetAlertDefaults");
        api.MapGet("/sites/{siteId:int}/alert-settings", (int siteId, PortalDbContext db, CancellationToken cancellationToken) => GetAsync(siteId, db, cancellationToken))
            .WithName("GetSiteAlertSettings");
        api.MapPut("/sites/{siteId:int}/alert-settings", (int siteId, AlertSettingsUpdate update, PortalDbContext db, AlertSecrets secrets, AlertSignal signal, CancellationToken cancellationToken) =>
            PutAsync(siteId, update, db, secrets, signal, cancellationToken)).WithName("SetSiteAlertSettings");
    }

    /// <summary>Newest first; <paramref name="state"/> is pending, raised, resolved or open (pending or raised).</summary>
    public static async Task<List<AlertView>> QueryAsync(PortalDbContext db, int? siteId, string? state, int limit, CancellationToken cancellationToken)
    {
        var query = db.Alerts.AsNoTracking();
        query = siteId is { } id ? query.Where(a => a.SiteId == id) : query;
        query = state switch
        {
            "pending" => query.Where(a => a.State == AlertState.Pending),
            "raised" => query.Where(a => a.State == AlertState.Raised),
            "resolved" => query.Where(a => a.State == AlertState.Resolved),
            "open" => query.Where(a => a.State != AlertState.Resolved),
            _ => query,
        };
        var alerts = await query.OrderByDescending(a => a.Id).Take(limit).ToListAsync(cancellationToken).ConfigureAwait(false);
        var siteIds = alerts.Select(a => a.SiteId).Distinct().ToList();
        var names = await db.Sites.AsNoTracking().Where(s => siteIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, cancellationToken).ConfigureAwait(false);
        return [.. alerts.Select(a => AlertViews.Of(a, names.GetValueOrDefault(a.SiteId) ?? ""))];
    }

    private static async Task<IResult> ListAsync(int? siteId, string? state, int? limit, PortalDbContext db, CancellationToken cancellationToken)
    {
        if (state is not (null or "pending" or "raised" or "resolved" or "open"))
        {
            return Problems.BadRequest("state is pending, raised, resolved or open");
        }

        if (limit is < 1 or > 1000)
        {
            return Problems.BadRequest("limit is 1 to 1000");
        }

        if (siteId is { } id && !await db.Sites.AnyAsync(s => s.Id == id, cancellationToken).ConfigureAwait(false))
        {
            return Problems.NotFound($"no site {id}");
        }

        return TypedResults.Ok((await QueryAsync(db, siteId, state, limit ?? 200, cancellationToken).ConfigureAwait(false)).ToArray());
    }

    private static async Task<IResult> GetAsync(int? siteId, PortalDbContext db, CancellationToken cancellationToken)
    {
        if (siteId is { } id && !await db.Sites.AnyAsync(s => s.Id == id, cancellationToken).ConfigureAwait(false))
        {
            return Problems.NotFound($"no site {id}");
        }

        var all = await db.AlertSettings.AsNoTracking().Where(s => s.SiteId == null || s.SiteId == siteId).ToListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(View(siteId, all, null));
    }

    private static async Task<IResult> PutAsync(
        int? siteId, AlertSettingsUpdate update, PortalDbContext db, AlertSecrets secrets, AlertSignal signal, CancellationToken cancellationToken)
    {
        if (siteId is { } id && !await db.Sites.AnyAsync(s => s.Id == id, cancellationToken).ConfigureAwait(false))
        {
            return Problems.NotFound($"no site {id}");
        }

        if (Check(update) is { } error)
        {
            return Problems.BadRequest(error);
        }

        var row = await db.AlertSettings.FirstOrDefaultAsync(s => s.SiteId == siteId, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            row = new AlertSettings { SiteId = siteId };
            db.AlertSettings.Add(row);
        }

        row.SupplyBelowPercent = update.SupplyBelowPercent;
        row.SupplyRunOutDays = update.SupplyRunOutDays;
        row.ErrorStateMinutes = update.ErrorStateMinutes;
        row.ErrorStates = update.ErrorStates is null ? null : string.Join(' ', update.ErrorStates.Select(s => s.Trim()));
        row.DeviceSilentHours = update.DeviceSilentHours;
        row.AgentSilentMinutes = update.AgentSilentMinutes;
        row.CounterBackwards = update.CounterBackwards;
        row.WebhookUrl = string.IsNullOrWhiteSpace(update.WebhookUrl) ? null : update.WebhookUrl.Trim();
        row.MailTo = update.MailTo is null or [] ? null : string.Join('\n', update.MailTo.Select(m => m.Trim()));
        string? secret = null;
        if (row.WebhookUrl is not null && (row.WebhookSecretProtected is null || update.RotateWebhookSecret))
        {
            // Shown once, in this answer; the row keeps it protected (it must be read back to sign).
            secret = AlertSecrets.Create();
            row.WebhookSecretProtected = secrets.Protect(siteId, secret);
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        if (siteId is { } changed)
        {
            signal.Poke(changed);
        }
        else
        {
            signal.Poke(); // the dealer-wide rules: every site that inherits them
        }
        var all = await db.AlertSettings.AsNoTracking().Where(s => s.SiteId == null || s.SiteId == siteId).ToListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(View(siteId, all, secret));
    }

    private static AlertSettingsView View(int? siteId, List<AlertSettings> all, string? secret)
    {
        var defaults = all.FirstOrDefault(s => s.SiteId is null);
        var row = siteId is null ? defaults : all.FirstOrDefault(s => s.SiteId == siteId);
        EffectiveAlertRulesView? effective = null;
        if (siteId is not null)
        {
            var rules = EffectiveRules.Merge(defaults, row);
            var hook = !string.IsNullOrWhiteSpace(row?.WebhookUrl) ? row.WebhookUrl : defaults?.WebhookUrl;
            var mail = !string.IsNullOrWhiteSpace(row?.MailTo) ? row.MailTo : defaults?.MailTo;
            effective = new EffectiveAlertRulesView(rules.SupplyBelowPercent, rules.SupplyRunOutDays, rules.ErrorStateMinutes, [.. rules.ErrorStates.Order(StringComparer.Ordinal)],
                rules.DeviceSilentHours, rules.AgentSilentMinutes, rules.CounterBackwards, hook, Lines(mail) ?? []);
        }

        return new AlertSettingsView(siteId, row?.SupplyBelowPercent, row?.SupplyRunOutDays, row?.ErrorStateMinutes,
            row?.ErrorStates?.Split(' ', StringSplitOptions.RemoveEmptyEntries), row?.DeviceSilentHours, row?.AgentSilentMinutes, row?.CounterBackwards,
            row?.WebhookUrl, row?.WebhookSecretProtected is not null, Lines(row?.MailTo), secret, effective);
    }

    private static string[]? Lines(string? text) => text?.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string? Check(AlertSettingsUpdate u)
    {
        if (u.SupplyBelowPercent is < 0 or > 100)
        {
            return "supplyBelowPercent is 0 (off) to 100";
        }

        if (u.SupplyRunOutDays is < 0 or > 365 || u.DeviceSilentHours is < 0 or > 8760)
        {
            return "supplyRunOutDays is 0 (off) to 365, deviceSilentHours 0 (off) to 8760";
        }

        if (u.ErrorStateMinutes is < 0 or > 10080 || u.AgentSilentMinutes is < 0 or > 10080)
        {
            return "errorStateMinutes and agentSilentMinutes are 0 (off) to 10080 (a week)";
        }

        if (u.ErrorStates is { } states && (states.Length > 32 || states.Any(s => !ErrorStateName().IsMatch(s.Trim()))))
        {
            return "errorStates are at most 32 hrPrinterDetectedErrorState names (letters only, e.g. jammed, noToner, doorOpen)";
        }

        if (!string.IsNullOrWhiteSpace(u.WebhookUrl)
            && (!Uri.TryCreate(u.WebhookUrl.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http") || u.WebhookUrl.Length > 2048))
        {
            return "webhookUrl is an absolute http(s) URL of at most 2048 characters";
        }

        if (u.MailTo is { } to && (to.Length > 20 || to.Any(m => m.Length > 254 || !MimeKit.MailboxAddress.TryParse(m.Trim(), out var address) || !address.Address.Contains('@', StringComparison.Ordinal))))
        {
            return "mailTo is at most 20 e-mail addresses";
        }

        return null;
    }

    [GeneratedRegex("^[A-Za-z]{1,40}$")]
    private static partial Regex ErrorStateName();
}
