using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OneStopPi.Contracts;
using OneStopPi.Portal.Data;
using OneStopPi.Portal.Hosting;
using OneStopPi.Portal.Readings;
using OneStopPi.Portal.Security;

namespace OneStopPi.Portal.Api;

/// <summary>The agent API, /api/agent/v1 (docs/portal-api.md).</summary>
internal static class AgentEndpoints
{
    public static void MapAgentApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/agent/v1").WithTags("Agent");
        api.MapPost("/enrol", EnrolAsync).WithName("Enrol").RequireRateLimiting(RateLimits.Enrolment);

        // The load limit comes before the token check: a flood of calls with bad tokens must not take the
        // database connections the agents need either.
        var agent = api.MapGroup("").AddEndpointFilter<AgentAuthFilter>().RequireRateLimiting(RateLimits.AgentLoad);
        agent.MapGet("/config", GetConfigAsync).WithName("GetConfig");
        agent.MapPut("/batches/{batchId}", PutBatchAsync).WithName("UploadBatch")
            .AddOpenApiOperationTransformer(ZipBody("A ZIP of reading documents (schemas/readings.xsd), top-level *.xml entries"));
        agent.MapPost("/heartbeat", HeartbeatAsync).WithName("Heartbeat");
        agent.MapGet("/commands", PollCommandsAsync).WithName("PollCommands");
        agent.MapPost("/commands/{id:long}/ack", AckCommandAsync).WithName("AckCommand");
        agent.MapPut("/commands/{id:long}/result", PutCommandResultAsync).WithName("UploadCommandResult")
            .AddOpenApiOperationTransformer(ZipBody("A ZIP with the command's result files (logs, MIB walk)"));
        agent.MapPost("/commands/{id:long}/complete", CompleteCommandAsync).WithName("CompleteCommand");
        agent.MapReleaseDownload();
    }

    /// <summary>
    /// Documents a raw application/zip body. (Accepts metadata would make routing answer 415 itself,
    /// without the detail sentence the agent logs.)
    /// </summary>
    private static Func<OpenApiOperation, OpenApiOperationTransformerContext, CancellationToken, Task> ZipBody(string description) =>
        (operation, _, _) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/zip"] = new() },
            };
            return Task.CompletedTask;
        };

    private static async Task<IResult> EnrolAsync(
        EnrolRequest request, PortalDbContext db, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.HardwareId) || request.HardwareId.Length > 128)
        {
            return Problems.BadRequest("hardwareId (Pi serial number or machine-id) is required, at most 128 characters");
        }

        if (request.Mac is { Length: > 17 } || request.Hostname is { Length: > 253 } || request.Version is { Length: > 64 })
        {
            return Problems.BadRequest("mac, hostname or version is too long");
        }

        if (!Secrets.IsWellFormed(request.EnrolmentKey))
        {
            return Problems.Unauthorized("unknown enrolment key");
        }

        var keyHash = Secrets.Hash(request.EnrolmentKey);
        var site = await db.Sites.FirstOrDefaultAsync(s => s.EnrolmentKeyHash == keyHash, cancellationToken).ConfigureAwait(false);
        if (site is null || !Secrets.Matches(request.EnrolmentKey, site.EnrolmentKeyHash))
        {
            return Problems.Unauthorized("unknown enrolment key");
        }

        var now = time.GetUtcNow();
        var token = Secrets.Create();
        var hardwareId = request.HardwareId.Trim();
        var agent = await db.Agents.FirstOrDefaultAsync(a => a.HardwareId == hardwareId, cancellationToken).ConfigureAwait(false);
        var again = agent is not null;
        if (agent is null)
        {
            agent = new Agent { Id = Guid.CreateVersion7(now), TokenHash = [], HardwareId = hardwareId, EnrolledAt = now.UtcDateTime };
            db.Agents.Add(agent);
        }

        // A re-enrolment (re-imaged box) gets a new token and, like a new agent, waits for an operator
        // to assign it again: the enrolment key alone never brings SNMP credentials.
        agent.TokenHash = Secrets.Hash(token);
        agent.SiteId = null;
        agent.EnrolledSiteId = site.Id;
        agent.EnrolledAt = now.UtcDateTime;
        agent.Mac = request.Mac;
        agent.Hostname = request.Hostname;
        agent.Version = request.Version;
        agent.LastSeenAt = now.UtcDateTime;
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException e) when (db.IsUniqueViolation(e))
        {
            return Problems.Conflict("this hardware id is enrolling concurrently; retry");
        }

        loggers.CreateLogger(typeof(AgentEndpoints)).Enrolled(agent.Id, site.Id, hardwareId, again);
        return TypedResults.Created("/api/agent/v1/config", new EnrolResponse(agent.Id, token, false));
    }

    private static async Task<IResult> GetConfigAsync(HttpContext http, AgentConfigBuilder builder)
    {
        var rendered = await builder.BuildAsync(AgentAuthFilter.Current(http), http.RequestAborted).ConfigureAwait(false);
        http.Response.Headers.ETag = rendered.ETag;
        http.Response.Headers.CacheControl = "private, no-cache";
        var ifNoneMatch = http.Request.Headers.IfNoneMatch.ToString();
        if (ifNoneMatch.Split(',').Select(t => t.Trim()).Any(t => t == rendered.ETag || t == "*"))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Bytes(rendered.Json, "application/json");
    }

    private static async Task<IResult> PutBatchAsync(
        string batchId, HttpContext http, BatchIngestor ingestor, IOptions<PortalOptions> options, ILoggerFactory loggers, Alerts.AlertSignal alerts)
    {
        var agent = AgentAuthFilter.Current(http);
        if (!BatchIngestor.IsValidBatchId(batchId))
        {
            return Problems.BadRequest("a batch id is 8 to 64 characters of A-Z a-z 0-9 _ - (a UUID fits)");
        }

        try
        {
            var body = await RequestBody.ReadZipAsync(http.Request, options.Value.MaxUploadBytes).ConfigureAwait(false);
            var (result, created) = await ingestor.IngestAsync(agent, batchId, body, http.RequestAborted).ConfigureAwait(false);
            if (created && agent.SiteId is { } siteId)
            {
                alerts.Poke(siteId); // new readings: evaluate this site's rules soon, not at the end of the period
            }

            return created ? TypedResults.Created($"/api/agent/v1/batches/{batchId}", result) : TypedResults.Ok(result);
        }
        catch (UploadRejectedException e)
        {
            loggers.CreateLogger(typeof(AgentEndpoints)).UploadRefused(agent.Id, e.StatusCode, e.Message);
            return Problems.Of(e.StatusCode, e.Title, e.Message);
        }
    }

    private static async Task<IResult> HeartbeatAsync(
        HeartbeatRequest request, HttpContext http, PortalDbContext db, AgentConfigBuilder builder, CredentialVault vault, TimeProvider time)
    {
        var current = AgentAuthFilter.Current(http);
        if (request.UptimeSeconds < 0 || request.OutboxDepth < 0 || request.DroppedReadings < 0 || request.Version is { Length: > 64 }
            || request.SetupKey is { Length: > 64 } || request.StageRestarts < 0 || request.ClockSource is { Length: > 16 })
        {
            return Problems.BadRequest("uptime, outbox depth, dropped readings and stage restarts cannot be negative; version and setup key are at most 64 characters, the clock source 16");
        }

        var agent = await db.Agents.FirstAsync(a => a.Id == current.Id, http.RequestAborted).ConfigureAwait(false);
        agent.LastHeartbeatAt = time.GetUtcNow().UtcDateTime;
        agent.Version = request.Version ?? agent.Version;
        agent.UptimeSeconds = request.UptimeSeconds;
        agent.LastMeterScanAt = request.LastMeterScan?.ToUniversalTime();
        agent.LastStatusScanAt = request.LastStatusScan?.ToUniversalTime();
        agent.OutboxDepth = request.OutboxDepth;
        agent.DroppedReadings = request.DroppedReadings;
        agent.StageRestarts = request.StageRestarts;
        agent.OutboxFull = request.OutboxFull;
        agent.ClockSource = request.ClockSource;
        if (!string.IsNullOrWhiteSpace(request.SetupKey) && vault.UnprotectSetupKey(agent.Id, agent.SetupKeyProtected) != request.SetupKey)
        {
            agent.SetupKeyProtected = vault.ProtectSetupKey(agent.Id, request.SetupKey);
        }
        await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);

        var pending = await db.Commands.CountAsync(c => c.AgentId == current.Id && (c.State == CommandState.Queued || c.State == CommandState.Delivered),
            http.RequestAborted).ConfigureAwait(false);
        var config = await builder.BuildAsync(current, http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new HeartbeatResponse(config.ETag, pending, time.GetUtcNow().UtcDateTime));
    }

    /// <summary>Queued commands, oldest first; delivered but unacknowledged ones are delivered again.</summary>
    private static async Task<IResult> PollCommandsAsync(HttpContext http, PortalDbContext db, TimeProvider time, ILoggerFactory loggers)
    {
        var agent = AgentAuthFilter.Current(http);
        var commands = await db.Commands
            .Where(c => c.AgentId == agent.Id && (c.State == CommandState.Queued || c.State == CommandState.Delivered))
            .OrderBy(c => c.Id).Take(50).ToListAsync(http.RequestAborted).ConfigureAwait(false);
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var command in commands.Where(c => c.State == CommandState.Queued))
        {
            command.State = CommandState.Delivered;
            command.DeliveredAt = now;
            loggers.CreateLogger(typeof(AgentEndpoints)).CommandState(command.Id, agent.Id, nameof(CommandState.Delivered));
        }

        await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(commands.Select(c => new PendingCommand(c.Id, (CommandType)c.Type, c.Parameter, c.CreatedAt)).ToArray());
    }

    private static async Task<IResult> AckCommandAsync(long id, HttpContext http, PortalDbContext db, TimeProvider time, ILoggerFactory loggers)
    {
        var agent = AgentAuthFilter.Current(http);
        var command = await db.Commands.FirstOrDefaultAsync(c => c.Id == id && c.AgentId == agent.Id, http.RequestAborted).ConfigureAwait(false);
        if (command is null)
        {
            return Problems.NotFound($"command {id} is not queued for this agent");
        }

        if (command.State is CommandState.Completed or CommandState.Failed)
        {
            return Problems.Conflict($"command {id} is already {command.State.ToString().ToLowerInvariant()}");
        }

        if (command.State != CommandState.Acknowledged)
        {
            var now = time.GetUtcNow().UtcDateTime;
            command.DeliveredAt ??= now;
            command.AcknowledgedAt = now;
            command.State = CommandState.Acknowledged;
            await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
            loggers.CreateLogger(typeof(AgentEndpoints)).CommandState(id, agent.Id, nameof(CommandState.Acknowledged));
        }

        return TypedResults.NoContent();
    }

    private static async Task<IResult> PutCommandResultAsync(
        long id, HttpContext http, PortalDbContext db, TimeProvider time, IOptions<PortalOptions> options, ILoggerFactory loggers)
    {
        var agent = AgentAuthFilter.Current(http);
        var command = await db.Commands.FirstOrDefaultAsync(c => c.Id == id && c.AgentId == agent.Id, http.RequestAborted).ConfigureAwait(false);
        if (command is null)
        {
            return Problems.NotFound($"command {id} is not queued for this agent");
        }

        if (!CommandTypes.HasResultFile(command.Type))
        {
            return Problems.Conflict($"command type {command.Type} ({CommandTypes.Name(command.Type)}) has no result file; use /complete");
        }

        if (command.State is CommandState.Completed or CommandState.Failed)
        {
            return Problems.Conflict($"command {id} is already {command.State.ToString().ToLowerInvariant()}");
        }

        var o = options.Value;
        byte[] body;
        try
        {
            body = await RequestBody.ReadZipAsync(http.Request, o.MaxUploadBytes).ConfigureAwait(false);
            _ = await BatchArchive.ReadAsync(body, new ArchiveLimits(o.MaxArchiveEntries, o.MaxEntryBytes, o.MaxUncompressedBytes, FlatXmlOnly: false),
                http.RequestAborted).ConfigureAwait(false);
        }
        catch (UploadRejectedException e)
        {
            loggers.CreateLogger(typeof(AgentEndpoints)).UploadRefused(agent.Id, e.StatusCode, e.Message);
            return Problems.Of(e.StatusCode, e.Title, e.Message);
        }

        var now = time.GetUtcNow().UtcDateTime;
        db.CommandResults.Add(new CommandResult { CommandId = id, Content = body, Sha256 = SHA256.HashData(body), ReceivedAt = now });
        command.State = CommandState.Completed;
        command.CompletedAt = now;
        command.AcknowledgedAt ??= now;
        command.ResultSize = body.LongLength;
        await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
        loggers.CreateLogger(typeof(AgentEndpoints)).CommandState(id, agent.Id, nameof(CommandState.Completed));
        return TypedResults.NoContent();
    }

    private static async Task<IResult> CompleteCommandAsync(
        long id, CommandOutcome outcome, HttpContext http, PortalDbContext db, TimeProvider time, ILoggerFactory loggers)
    {
        var agent = AgentAuthFilter.Current(http);
        var command = await db.Commands.FirstOrDefaultAsync(c => c.Id == id && c.AgentId == agent.Id, http.RequestAborted).ConfigureAwait(false);
        if (command is null)
        {
            return Problems.NotFound($"command {id} is not queued for this agent");
        }

        if (command.State is CommandState.Completed or CommandState.Failed)
        {
            return Problems.Conflict($"command {id} is already {command.State.ToString().ToLowerInvariant()}");
        }

        var now = time.GetUtcNow().UtcDateTime;
        command.State = outcome.Succeeded ? CommandState.Completed : CommandState.Failed;
        command.Message = outcome.Message is { Length: > 2000 } m ? m[..2000] : outcome.Message;
        command.CompletedAt = now;
        command.AcknowledgedAt ??= now;
        await db.SaveChangesAsync(http.RequestAborted).ConfigureAwait(false);
        loggers.CreateLogger(typeof(AgentEndpoints)).CommandState(id, agent.Id, command.State.ToString());
        return TypedResults.NoContent();
    }
}
