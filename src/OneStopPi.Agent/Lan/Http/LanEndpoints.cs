using System.Globalization;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Commands;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Lan.Http;

/// <summary>The routes of the LAN face: read-only ones for anyone on the LAN, changing ones behind the setup key.</summary>
public static partial class LanEndpoints
{
    public const string SetupRateLimit = "setup";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", (LanStatusService status) => TypedResults.Content(StatusPage.Render(status.Build(), status.Devices()), "text/html; charset=utf-8"))
            .ExcludeFromDescription();
        byte[] openApi = LanOpenApi.Load();
        app.MapGet(LanOpenApi.Path, () => TypedResults.Bytes(openApi, LanOpenApi.ContentType))
            .ExcludeFromDescription();
        app.MapGet("/healthz", () => TypedResults.Ok(new HealthReport("ok")))
            .WithSummary("Liveness: the agent process answers.");
        app.MapGet("/status", (LanStatusService status) => TypedResults.Ok(status.Build()))
            .WithSummary("Agent identity, enrolment, portal contact, last scans, outbox, clock and network.");
        app.MapGet("/devices", (LanStatusService status) =>
            {
                IReadOnlyList<LocalDevice> devices = status.Devices();
                return TypedResults.Ok(new DevicesReport(devices.Count, devices));
            })
            .WithSummary("Devices known locally (model, serial, IP, last reading, total pages, lowest supply).");

        RouteGroupBuilder setup = app.MapGroup("/api")
            .AddEndpointFilter<SetupKeyFilter>()
            .RequireRateLimiting(SetupRateLimit)
            .WithTags("setup (Authorization: Bearer <setup key>)");
        setup.MapPost("/scan", RunScan)
            .WithSummary("Queue a discovery + meter scan now.");
        setup.MapPut("/portal", SetPortalAsync)
            .WithSummary("Set the portal URL and enrolment key before enrolment; the agent restarts to use them.");
        setup.MapPost("/logs", ZipLogs)
            .WithSummary("The agent's log files as a zip.");
    }

    private static Results<Accepted<LanAccepted>, Conflict<LanError>> RunScan(ChannelWriter<ScanJob> jobs, PortalLink link, ILogger<LanStatusService> logger)
    {
        if (link.Plan is not { Assigned: true })
        {
            return TypedResults.Conflict(new LanError("the agent is not assigned to a site yet: nothing to scan"));
        }

        if (!jobs.TryWrite(new ScanJob(ScanKind.Meter, false, null, "LAN request")))
        {
            return TypedResults.Conflict(new LanError("scans are already queued; try again later"));
        }

        LogScanQueued(logger);
        return TypedResults.Accepted("/status", new LanAccepted("scan queued"));
    }

    private static async Task<Results<Accepted<LanAccepted>, BadRequest<LanError>, Conflict<LanError>>> SetPortalAsync(
        PortalSetupRequest request, HttpContext http, PortalLink link, AgentSettings settings, AgentPaths paths, AgentStopper stopper,
        ILogger<LanStatusService> logger, CancellationToken cancellationToken)
    {
        if (link.Session is not null)
        {
            return TypedResults.Conflict(new LanError("already enrolled: the portal is changed from the portal"));
        }

        if (request.PortalUrl is not { IsAbsoluteUri: true } url || url.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(url.UserInfo))
        {
            return TypedResults.BadRequest(new LanError("portalUrl must be an absolute https:// URL without user information"));
        }

        if (string.IsNullOrWhiteSpace(request.EnrolmentKey) || request.EnrolmentKey.Length > 200)
        {
            return TypedResults.BadRequest(new LanError("enrolmentKey is required (at most 200 characters)"));
        }

        AgentSettings updated = settings with { PortalUrl = url, EnrolmentKey = request.EnrolmentKey.Trim() };
        Directory.CreateDirectory(paths.ConfigurationDirectory);
        await AtomicFile.WriteAsync(Path.Combine(paths.ConfigurationDirectory, "agent.json"),
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(updated, AgentJsonContext.Default.AgentSettings), cancellationToken).ConfigureAwait(false);
        LogPortalSet(logger, url.Host);

        // PortalLink reads its settings once: restart (systemd's Restart=always brings the agent back).
        http.Response.OnCompleted(() =>
        {
            stopper.Stop();
            return Task.CompletedTask;
        });
        return TypedResults.Accepted("/status", new LanAccepted("portal settings saved; the agent restarts to enrol"));
    }

    /// <summary>The ZIP is written to the response as the files are read (chunked, no length known before), never held whole.</summary>
    private static PushStreamHttpResult ZipLogs(HttpContext http, LogControl logs, TimeProvider time, ILogger<LanStatusService> logger, CancellationToken cancellationToken)
    {
        // ZipArchive writes an entry's header and the central directory with synchronous writes even on its async
        // path; Kestrel refuses those unless allowed. Allowed for this download only, a technician's rare request.
        if (http.Features.Get<IHttpBodyControlFeature>() is { } body)
        {
            body.AllowSynchronousIO = true;
        }

        string stamp = time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        return TypedResults.Stream(async response =>
        {
            int files = await LogArchive.WriteZipAsync(logs.LogsDirectory, response, cancellationToken).ConfigureAwait(false);
            LogLogsTaken(logger, files);
        }, "application/zip", $"onestoppi-logs-{stamp}.zip");
    }

    [LoggerMessage(EventId = 7202, Level = LogLevel.Information, Message = "LAN: scan queued by a technician")]
    private static partial void LogScanQueued(ILogger logger);

    [LoggerMessage(EventId = 7203, Level = LogLevel.Warning, Message = "LAN: portal set to {Host} by a technician; restarting to enrol")]
    private static partial void LogPortalSet(ILogger logger, string host);

    [LoggerMessage(EventId = 7204, Level = LogLevel.Information, Message = "LAN: {Count} log file(s) handed out")]
    private static partial void LogLogsTaken(ILogger logger, int count);
}
