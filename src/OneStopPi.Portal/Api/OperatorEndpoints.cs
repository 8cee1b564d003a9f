using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using OneStopPi.Contracts;
using OneStopPi.Portal.Data;
using OneStopPi.Portal.Security;

namespace OneStopPi.Portal.Api;

/// <summary>The operator API, /api/operator/v1: operator bearer token only (docs/portal-api.md).</summary>
internal static class OperatorEndpoints
{
    public static void MapOperatorApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/operator/v1").WithTags("Operator").AddEndpointFilter<OperatorAuthFilter>();
        api.MapPost("/sites", CreateSiteAsync).WithName("CreateSite");
        api.MapGet("/sites", ListSitesAsync).WithName("ListSites");
        api.MapPost("/sites/{siteId:int}/enrolment-key", RotateEnrolmentKeyAsync).WithName("RotateEnrolmentKey");
        api.MapGet("/sites/{siteId:int}/config", GetSiteConfigAsync).WithName("GetSiteConfig");
        api.MapPatch("/sites/{siteId:int}/config", UpdateSiteConfigAsync).WithName("UpdateSiteConfig");
        api.MapGet("/sites/{siteId:int}/devices", ListDevicesAsync).WithName("ListDevices");
        api.MapGet("/sites/{siteId:int}/meters.csv", ExportMetersAsync).WithName("ExportMeters").Produces<string>(200, "text/csv");
        api.MapGet("/devices/{deviceId:long}/history", DeviceHistoryAsync).WithName("DeviceHistory");
        api.MapSupplyForecasts();
        api.MapAlerts();
        api.MapGet("/agents", ListAgentsAsync).WithName("ListAgents");
        api.MapPost("/agents/{agentId:guid}/assign", AssignAgentAsync).WithName("AssignAgent");
        api.MapPost("/agents/{agentId:guid}/commands", QueueCommandAsync).WithName("QueueCommand");
        api.MapGet("/agents/{agentId:guid}/commands", ListCommandsAsync).WithName("ListCommands");
        api.MapReleases();
        api.MapGet("/commands/{commandId:long}/result", GetCommandResultAsync).WithName("GetCommandResult").Produces(200, contentType: "application/zip");
    }

    private static async Task<IResult> CreateSiteAsync(CreateSiteRequest request, PortalDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
        {
            return Problems.BadRequest("a site needs a name of at most 200 characters");
        }

        var timeZone = request.TimeZone ?? "UTC";
        if (SiteSettings.CheckTimeZone(timeZone) is { } error)
        {
            return Problems.BadRequest(error);
        }

        var key = Secrets.Create();
        var site = new Site { Name = request.Name.Trim(), EnrolmentKeyHash = Secrets.Hash(key), CreatedAt = time.GetUtcNow().UtcDateTime, TimeZone = timeZone };
        db.Sites.Add(site);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        // The key is shown once, here; the database keeps its hash.
        return TypedResults.Created($"/api/operator/v1/sites/{site.Id}/config", new SiteCreated(site.Id, site.Name, key));
    }

    private static async Task<IResult> ListSitesAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        var sites = await db.Sites.AsNoTracking().OrderBy(s => s.Id)
            .Select(s => new SiteView(s.Id, s.Name, s.TimeZone,
                db.Agents.Count(a => a.SiteId == s.Id), db.Devices.Count(d => d.SiteId == s.Id), s.CreatedAt))
            .ToArrayAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(sites);
    }

    private static async Task<IResult> RotateEnrolmentKeyAsync(int siteId, PortalDbContext db, CancellationToken cancellationToken)
    {
        var site = await db.Sites.FirstOrDefaultAsync(s => s.Id == siteId, cancellationToken).ConfigureAwait(false);
        if (site is null)
        {
            return Problems.NotFound($"no site {siteId}");
        }

        var key = Secrets.Create();
        site.EnrolmentKeyHash = Secrets.Hash(key);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new SiteCreated(site.Id, site.Name, key));
    }

    private static async Task<IResult> GetSiteConfigAsync(int siteId, PortalDbContext db, CredentialVault vault, CancellationToken cancellationToken)
    {
        var site = await db.Sites.AsNoTracking().FirstOrDefaultAsync(s => s.Id == siteId, cancellationToken).ConfigureAwait(false);
        return site is null ? Problems.NotFound($"no site {siteId}") : TypedResults.Ok(View(site, vault));
    }

    private static async Task<IResult> UpdateSiteConfigAsync(
        int siteId, SiteConfigUpdate update, PortalDbContext db, CredentialVault vault, CancellationToken cancellationToken)
    {
        var site = await db.Sites.FirstOrDefaultAsync(s => s.Id == siteId, cancellationToken).ConfigureAwait(false);
        if (site is null)
        {
            return Problems.NotFound($"no site {siteId}");
        }

        var errors = new List<string?>();
        errors.AddRange((update.Ranges ?? []).Concat(update.Exclusions ?? []).Select(SiteSettings.CheckRange));
        errors.AddRange((update.V3Users ?? []).Select(SiteSettings.CheckV3User));
        errors.Add(update.MeterTime is { } mt ? SiteSettings.CheckMeterTime(mt) : null);
        errors.Add(update.MeterTimes is { } times ? SiteSettings.CheckMeterTimes(times) : null);
        errors.Add(update is { MeterTime: not null, MeterTimes: not null } ? "give meterTime (one read a day) or meterTimes, not both" : null);
        errors.Add(update.TimeZone is { } tz ? SiteSettings.CheckTimeZone(tz) : null);
        errors.Add(update.StatusIntervalMinutes is < 1 or > 1440 ? "the status interval is 1 to 1440 minutes" : null);
        errors.Add(update.CommandPollSeconds is < 0 or > 86400 ? "the command-poll interval is 0 (never) to 86400 seconds" : null);
        errors.Add(update.LogMode is { } lm && !LogModes.IsKnown(lm) ? $"log mode is one of {string.Join(", ", LogModes.All)}" : null);
        errors.Add((update.Communities ?? []).Any(c => c.Length is 0 or > 64) ? "a community has 1 to 64 characters" : null);
        errors.Add((update.Ranges?.Count ?? 0) + (update.Exclusions?.Count ?? 0) > 1000 ? "at most 1000 ranges and exclusions" : null);
        if (errors.FirstOrDefault(e => e is not null) is { } error)
        {
            return Problems.BadRequest(error);
        }

        if (update.Ranges is not null)
        {
            site.Ranges = string.Join('\n', update.Ranges.Select(r => r.Trim()));
        }

        if (update.Exclusions is not null)
        {
            site.Exclusions = string.Join('\n', update.Exclusions.Select(r => r.Trim()));
        }

        if (update.Communities is not null || update.V3Users is not null)
        {
            var current = vault.Unprotect(site.Id, site.CredentialsProtected);
            site.CredentialsProtected = vault.Protect(site.Id, new SnmpConfig(update.Communities ?? current.Communities, update.V3Users ?? current.V3Users));
        }

        if ((update.MeterTimes ?? (update.MeterTime is { } single ? [single] : null)) is { } meterTimes)
        {
            SiteSettings.SetMeterTimes(site, meterTimes);
        }

        site.TimeZone = update.TimeZone ?? site.TimeZone;
        site.StatusIntervalMinutes = update.StatusIntervalMinutes ?? site.StatusIntervalMinutes;
        site.CommandPollSeconds = update.CommandPollSeconds ?? site.CommandPollSeconds;
        site.LogMode = update.LogMode ?? site.LogMode;
        site.ConfigVersion++;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(View(site, vault));
    }

    private static SiteConfigView View(Site site, CredentialVault vault)
    {
        var credentials = vault.Unprotect(site.Id, site.CredentialsProtected);
        return new SiteConfigView(site.Id, site.ConfigVersion, AgentConfigBuilder.Lines(site.Ranges), AgentConfigBuilder.Lines(site.Exclusions),
            credentials.Communities.Count, [.. credentials.V3Users.Select(u => u.User)],
            SiteSettings.ScheduleOf(site), site.LogMode);
    }

    private static async Task<IResult> ListDevicesAsync(int siteId, PortalDbContext db, DeviceQueries queries, CancellationToken cancellationToken)
    {
        if (!await db.Sites.AnyAsync(s => s.Id == siteId, cancellationToken).ConfigureAwait(false))
        {
            return Problems.NotFound($"no site {siteId}");
        }

        return TypedResults.Ok(await queries.ListAsync(siteId, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<IResult> ExportMetersAsync(
        int siteId, DateTime? from, DateTime? to, string? pick, string? at, PortalDbContext db, DeviceQueries queries, CancellationToken cancellationToken)
    {
        var site = await db.Sites.AsNoTracking().FirstOrDefaultAsync(s => s.Id == siteId, cancellationToken).ConfigureAwait(false);
        if (site is null)
        {
            return Problems.NotFound($"no site {siteId}");
        }

        if (MeterPick.Parse(pick, at) is not { } choice)
        {
            return Problems.BadRequest("pick is 'all' (every meter reading), 'last' (the last of each site day) or 'closest' with at=HH:mm (the reading closest to that site time each day)");
        }

        var csv = await queries.MetersCsvAsync(site, from?.ToUniversalTime(), to?.ToUniversalTime(), cancellationToken, choice).ConfigureAwait(false);
        return TypedResults.Text(csv, "text/csv; charset=utf-8");
    }

    private static async Task<IResult> DeviceHistoryAsync(
        long deviceId, DateTime? from, DateTime? to, PortalDbContext db, DeviceQueries queries, CancellationToken cancellationToken)
    {
        if (!await db.Devices.AnyAsync(d => d.Id == deviceId, cancellationToken).ConfigureAwait(false))
        {
            return Problems.NotFound($"no device {deviceId}");
        }

        return TypedResults.Ok(await queries.HistoryAsync(deviceId, from?.ToUniversalTime(), to?.ToUniversalTime(), cancellationToken).ConfigureAwait(false));
    }

    private static async Task<IResult> ListAgentsAsync(PortalDbContext db, CredentialVault vault, DeviceQueries queries, CancellationToken cancellationToken)
    {
        var agents = await db.Agents.AsNoTracking().OrderBy(a => a.EnrolledAt).ToListAsync(cancellationToken).ConfigureAwait(false);
        var upgrades = await ReleaseEndpoints.UpgradeStatusAsync(db, [.. agents.Select(a => a.Id)], cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(agents.Select(a => ToView(a, vault, upgrades.GetValueOrDefault(a.Id)?.Text) with { Silent = queries.IsSilent(a) }).ToArray());
    }

    internal static AgentView ToView(Agent a, CredentialVault vault, string? upgrade = null) => new(a.Id, a.HardwareId, a.Mac, a.Hostname, a.Version, a.EnrolledSiteId, a.SiteId,
        a.EnrolledAt, a.LastSeenAt, a.LastHeartbeatAt, a.UptimeSeconds, a.LastMeterScanAt, a.LastStatusScanAt, a.OutboxDepth, a.DroppedReadings,
        vault.UnprotectSetupKey(a.Id, a.SetupKeyProtected), upgrade, a.StageRestarts, a.OutboxFull, a.ClockSource);

    private static async Task<IResult> AssignAgentAsync(
        Guid agentId, AssignRequest request, PortalDbContext db, CredentialVault vault, Alerts.AlertSignal alerts, CancellationToken cancellationToken)
    {
        var agent = await db.Agents.FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken).ConfigureAwait(false);
        if (agent is null)
        {
            return Problems.NotFound($"no agent {agentId}");
        }

        if (!await db.Sites.AnyAsync(s => s.Id == request.SiteId, cancellationToken).ConfigureAwait(false))
        {
            return Problems.NotFound($"no site {request.SiteId}");
        }

        var from = agent.SiteId;
        agent.SiteId = request.SiteId;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        if (from is { } left && left != request.SiteId)
        {
            alerts.Poke(left); // its silent-box alert, if any, is the old site's to resolve
        }

        alerts.Poke(request.SiteId);
        return TypedResults.Ok(ToView(agent, vault));
    }

    private static async Task<IResult> QueueCommandAsync(
        Guid agentId, QueueCommandRequest request, PortalDbContext db, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (CommandTypes.Check(request.Type, request.Parameter) is { } error)
        {
            return Problems.BadRequest(error);
        }

        if (!await db.Agents.AnyAsync(a => a.Id == agentId, cancellationToken).ConfigureAwait(false))
        {
            return Problems.NotFound($"no agent {agentId}");
        }

        var command = new AgentCommand
        {
            AgentId = agentId, Type = request.Type, Parameter = request.Parameter, State = CommandState.Queued, CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.Commands.Add(command);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        loggers.CreateLogger(typeof(OperatorEndpoints)).CommandQueued(command.Id, command.Type, agentId);
        return TypedResults.Created($"/api/operator/v1/agents/{agentId}/commands", ToView(command));
    }

    private static async Task<IResult> ListCommandsAsync(Guid agentId, PortalDbContext db, CancellationToken cancellationToken)
    {
        var commands = await db.Commands.AsNoTracking().Where(c => c.AgentId == agentId).OrderByDescending(c => c.Id).Take(200)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(commands.Select(ToView).ToArray());
    }

    internal static CommandView ToView(AgentCommand c) => new(c.Id, c.AgentId, c.Type, CommandTypes.Name(c.Type), c.Parameter,
        c.State.ToString().ToLowerInvariant(), c.CreatedAt, c.DeliveredAt, c.AcknowledgedAt, c.CompletedAt, c.Message, c.ResultSize);

    private static async Task<IResult> GetCommandResultAsync(long commandId, PortalDbContext db, CancellationToken cancellationToken)
    {
        var result = await db.CommandResults.AsNoTracking().FirstOrDefaultAsync(r => r.CommandId == commandId, cancellationToken).ConfigureAwait(false);
        return result is null
            ? Problems.NotFound($"command {commandId} has no result file")
            : TypedResults.File(result.Content, "application/zip", $"command-{commandId}.zip");
    }
}
