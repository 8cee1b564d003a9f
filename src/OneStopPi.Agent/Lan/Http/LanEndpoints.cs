using System.Globalization;
using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Commands;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Lan.Http;

/// <summary>One route of the LAN face. <see cref="Setup"/>: behind the setup key and the setup rate limit; <see cref="Documented"/>: in openapi.json.</summary>
internal sealed record LanRoute(string Method, string Path, bool Setup, bool Documented, TimeSpan Deadline, Func<LanExchange, CancellationToken, Task> Handle);

/// <summary>The routes of the LAN face: read-only ones for anyone on the LAN, changing ones behind the setup key.</summary>
internal sealed partial class LanEndpoints
{
    /// <summary>How long an answer may take to go out; the log download, a technician's rare request, gets longer.</summary>
    private static readonly TimeSpan Answer = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan LogDownload = TimeSpan.FromMinutes(30);

    private readonly LanStatusService _status;
    private readonly PortalLink _link;
    private readonly AgentSettings _settings;
    private readonly AgentPaths _paths;
    private readonly LogControl _logs;
    private readonly TimeProvider _time;
    private readonly ChannelWriter<ScanJob> _jobs;
    private readonly AgentStopper _stopper;
    private readonly ILogger<LanStatusService> _logger;
    private readonly byte[] _openApi = LanOpenApi.Load();

    public LanEndpoints(LanStatusService status, PortalLink link, AgentSettings settings, AgentPaths paths, LogControl logs, TimeProvider time,
        ChannelWriter<ScanJob> jobs, AgentStopper stopper, ILogger<LanStatusService> logger)
    {
        _status = status;
        _link = link;
        _settings = settings;
        _paths = paths;
        _logs = logs;
        _time = time;
        _jobs = jobs;
        _stopper = stopper;
        _logger = logger;
        Routes =
        [
            new("GET", "/", false, false, Answer, (x, ct) => x.HtmlAsync(StatusPage.Render(_status.Build(), _status.Devices()), ct)),
            new("GET", LanOpenApi.Path, false, false, Answer, (x, ct) => x.BytesAsync(HttpStatusCode.OK, _openApi, LanOpenApi.ContentType, ct)),
            // Liveness: the agent process answers.
            new("GET", "/healthz", false, true, Answer, (x, ct) => x.JsonAsync(HttpStatusCode.OK, new HealthReport("ok"), ct)),
            // Agent identity, enrolment, portal contact, last scans, outbox, clock and network.
            new("GET", "/status", false, true, Answer, (x, ct) => x.JsonAsync(HttpStatusCode.OK, _status.Build(), ct)),
            // Devices known locally (model, serial, IP, last reading, total pages, lowest supply).
            new("GET", "/devices", false, true, Answer, DevicesAsync),
            new("POST", "/api/scan", true, true, Answer, ScanAsync),
            new("PUT", "/api/portal", true, true, Answer, SetPortalAsync),
            new("POST", "/api/logs", true, true, LogDownload, ZipLogsAsync),
        ];
    }

    public IReadOnlyList<LanRoute> Routes { get; }

    private Task DevicesAsync(LanExchange exchange, CancellationToken cancellationToken)
    {
        IReadOnlyList<LocalDevice> devices = _status.Devices();
        return exchange.JsonAsync(HttpStatusCode.OK, new DevicesReport(devices.Count, devices), cancellationToken);
    }

    private Task ScanAsync(LanExchange exchange, CancellationToken cancellationToken)
    {
        if (_link.Plan is not { Assigned: true })
        {
            return exchange.JsonAsync(HttpStatusCode.Conflict, new LanError("the agent is not assigned to a site yet: nothing to scan"), cancellationToken);
        }

        if (!_jobs.TryWrite(new ScanJob(ScanKind.Meter, false, null, "LAN request")))
        {
            return exchange.JsonAsync(HttpStatusCode.Conflict, new LanError("scans are already queued; try again later"), cancellationToken);
        }

        LogScanQueued(_logger);
        return AcceptedAsync(exchange, "scan queued", cancellationToken);
    }

    private async Task SetPortalAsync(LanExchange exchange, CancellationToken cancellationToken)
    {
        PortalSetupRequest request = await exchange.ReadJsonAsync<PortalSetupRequest>(cancellationToken).ConfigureAwait(false);
        if (_link.Session is not null)
        {
            await exchange.JsonAsync(HttpStatusCode.Conflict, new LanError("already enrolled: the portal is changed from the portal"), cancellationToken).ConfigureAwait(false);
            return;
        }

        if (request.PortalUrl is not { IsAbsoluteUri: true } url || url.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(url.UserInfo))
        {
            await exchange.JsonAsync(HttpStatusCode.BadRequest, new LanError("portalUrl must be an absolute https:// URL without user information"), cancellationToken).ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrWhiteSpace(request.EnrolmentKey) || request.EnrolmentKey.Length > 200)
        {
            await exchange.JsonAsync(HttpStatusCode.BadRequest, new LanError("enrolmentKey is required (at most 200 characters)"), cancellationToken).ConfigureAwait(false);
            return;
        }

        AgentSettings updated = _settings with { PortalUrl = url, EnrolmentKey = request.EnrolmentKey.Trim() };
        Directory.CreateDirectory(_paths.ConfigurationDirectory);
        await AtomicFile.WriteAsync(Path.Combine(_paths.ConfigurationDirectory, "agent.json"),
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(updated, AgentJsonContext.Default.AgentSettings), cancellationToken).ConfigureAwait(false);
        LogPortalSet(_logger, url.Host);

        // PortalLink reads its settings once: restart (systemd's Restart=always brings the agent back) once the client has its answer.
        exchange.OnCompleted = _stopper.Stop;
        await AcceptedAsync(exchange, "portal settings saved; the agent restarts to enrol", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The ZIP is written to the response as the files are read (chunked, no length known before), never held whole.</summary>
    private async Task ZipLogsAsync(LanExchange exchange, CancellationToken cancellationToken)
    {
        string name = $"onestoppi-logs-{_time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}.zip";
        exchange.Response.Headers["Content-Disposition"] = $"attachment; filename={name}; filename*=UTF-8''{name}";
        Stream zip = exchange.BeginStream(HttpStatusCode.OK, "application/zip");
        int files = await LogArchive.WriteZipAsync(_logs.LogsDirectory, zip, cancellationToken).ConfigureAwait(false);
        LogLogsTaken(_logger, files);
    }

    private static Task AcceptedAsync(LanExchange exchange, string message, CancellationToken cancellationToken)
    {
        exchange.Response.Headers["Location"] = "/status";
        return exchange.JsonAsync(HttpStatusCode.Accepted, new LanAccepted(message), cancellationToken);
    }

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private static void LogScanQueued(ILogger logger)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.Log(LogLevel.Information, new EventId(7202, nameof(LogScanQueued)),
                "LAN: scan queued by a technician");
        }
    }

    private static void LogPortalSet(ILogger logger, string host)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            logger.Log(LogLevel.Warning, new EventId(7203, nameof(LogPortalSet)),
                "LAN: portal set to {Host} by a technician; restarting to enrol", host);
        }
    }

    private static void LogLogsTaken(ILogger logger, int count)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.Log(LogLevel.Information, new EventId(7204, nameof(LogLogsTaken)),
                "LAN: {Count} log file(s) handed out", count);
        }
    }
}
