using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Portal;

namespace OneStopPi.Agent.Lan.Http;

/// <summary>
/// The status page and LAN API on port 23998, served by the BCL's <see cref="HttpListener"/> (managed on Linux,
/// HTTP/1.1) in the agent's process, over the agent's own singletons. ASP.NET Core's Kestrel, routing and hosting
/// weighed about 1.3 MB of the appliance binary for eight routes (docs/benchmarks.md, "Fourth pass"). A port
/// already taken is logged and leaves the rest of the agent running.
/// </summary>
/// <remarks>
/// Limits against a hostile LAN client: the listener itself refuses request heads over 32 KiB (400) and closes a
/// connection whose head has not arrived within 90 s (15 s between keep-alive requests); here, bodies over 8 KiB
/// (413), a body not sent within 10 s closes the connection, at most <see cref="MaxConcurrentRequests"/> requests at once (503 beyond), a
/// deadline on every answer, and the per-address rate limits of <see cref="LanRateLimits"/>.
/// </remarks>
public sealed partial class LanHttpServer : SupervisedStage
{
    /// <summary>Request bodies are small JSON documents.</summary>
    public const long MaxRequestBodyBytes = LanExchange.MaxRequestBodyBytes;

    /// <summary>Requests handled at once; more are answered 503 at once.</summary>
    public const int MaxConcurrentRequests = 64;

    private readonly LanSettings _settings;
    private readonly ILogger<LanHttpServer> _logger;
    private readonly LanEndpoints _endpoints;
    private readonly SetupKeyFilter _setupKey;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal LanHttpServer(LanSettings settings, LanEndpoints endpoints, SetupKeyFilter setupKey, ILogger<LanHttpServer> logger, AgentStages stages, TimeProvider time)
        : base(stages.Stage(AgentStages.LanFace, TimeSpan.FromMinutes(1)), time, logger)
    {
        _settings = settings;
        _endpoints = endpoints;
        _setupKey = setupKey;
        _logger = logger;
    }

    /// <summary>The base address once the listener listens.</summary>
    public Task<Uri> Listening => _listening.Task;

    protected override async Task RunStageAsync(CancellationToken stoppingToken)
    {
        IPAddress address = _settings.ListenAddress();
        var endpoint = new IPEndPoint(address, _settings.HttpPort);
        // "+": every interface and any Host header. A bind address is also the host name the listener answers to.
        string host = _settings.BindAddress is null ? "+" : endpoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        using var listener = new HttpListener { IgnoreWriteExceptions = false };
        listener.Prefixes.Add($"http://{host}:{_settings.HttpPort}/");
        try
        {
            listener.Start();
        }
        catch (HttpListenerException e)
        {
            // A port in use (or an address the box does not have) comes as HttpListenerException from the bind.
            LogBindFailed(e, _settings.HttpPort);
            _listening.TrySetException(e);
            return;
        }

        LogListening($"http://{endpoint}");
        _listening.TrySetResult(new Uri($"http://{(address.Equals(IPAddress.Any) ? new IPEndPoint(IPAddress.Loopback, endpoint.Port) : endpoint)}/"));
        // The listener serves on the thread pool; this stage accepts and hands each request over.
        Liveness.Idle();
        using var slots = new SemaphoreSlim(MaxConcurrentRequests, MaxConcurrentRequests);
        using var limits = new LanRateLimits();
        await using (stoppingToken.Register(listener.Stop).ConfigureAwait(false))
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (stoppingToken.IsCancellationRequested && e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    break;
                }

                if (!slots.Wait(0))
                {
                    Refuse(context.Response, HttpStatusCode.ServiceUnavailable);
                    continue;
                }

                _ = ServeAsync(context, limits, slots, stoppingToken);
            }
        }

        // The requests still running get 5 s to finish before the listener closes their connections.
        using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            for (int i = 0; i < MaxConcurrentRequests; i++)
            {
                await slots.WaitAsync(drain.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Still answering after 5 s: closed below.
        }
    }

    /// <summary>
    /// The isolation boundary of a request: a failure is logged here and answered with a short reason (4xx for a
    /// bad request, 500 otherwise), never with an exception's details. Never throws.
    /// </summary>
    private async Task ServeAsync(HttpListenerContext context, LanRateLimits limits, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        LanExchange? exchange = null;
        try
        {
            exchange = new LanExchange(context);
            // The listener would name itself ("Microsoft-NetCore/2.0"); an empty value still goes out as "Server: ".
            context.Response.Headers["Server"] = "onestoppi";
            LanRoute? route = await RouteAsync(exchange, limits, stoppingToken).ConfigureAwait(false);
            if (route is not null)
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                deadline.CancelAfter(route.Deadline);
                // The listener's streams ignore cancellation once a write waits: closing the connection ends it.
                await using (deadline.Token.Register(static x => ((LanExchange)x!).Abandon(HttpStatusCode.ServiceUnavailable), exchange).ConfigureAwait(false))
                {
                    await HandleAsync(exchange, route, deadline.Token).ConfigureAwait(false);
                }
            }

            // A body left unread would be drained by the listener before the next request: close the connection instead.
            context.Response.KeepAlive &= exchange.BodyConsumed;
            context.Response.Close();
            exchange.OnCompleted?.Invoke();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away, or the deadline closed the connection: nothing to answer.
            LogClientGone(exchange?.Method, exchange?.Path, e.GetType().Name);
            context.Response.Abort();
        }
        catch (Exception e)
        {
            LogRequestFailed(e, exchange?.Method, exchange?.Path);
            await AnswerFailureAsync(context, exchange).ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>500 with a short reason when nothing of the answer went out yet, else the connection is closed.</summary>
    private static async Task AnswerFailureAsync(HttpListenerContext context, LanExchange? exchange)
    {
        if (exchange is null || exchange.Started)
        {
            context.Response.Abort();
            return;
        }

        try
        {
            context.Response.KeepAlive = false;
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await exchange.JsonAsync(HttpStatusCode.InternalServerError, new LanError("internal error; see the agent's log"), AgentJsonContext.Default.LanError, limit.Token).ConfigureAwait(false);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            context.Response.Abort();
        }
    }

    /// <summary>An answer without a body on a connection that is closed after it.</summary>
    private static void Refuse(HttpListenerResponse response, HttpStatusCode status)
    {
        try
        {
            response.StatusCode = (int)status;
            response.ContentLength64 = 0;
            response.KeepAlive = false;
            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            response.Abort();
        }
    }

    /// <summary>The route for the request, after the rate limits; null when the answer (404, 405, 429, 401, 403) is already written.</summary>
    private async Task<LanRoute?> RouteAsync(LanExchange exchange, LanRateLimits limits, CancellationToken cancellationToken)
    {
        string path = exchange.Path.Length > 1 ? exchange.Path.TrimEnd('/') : exchange.Path;
        LanRoute[] atPath = [.. _endpoints.Routes.Where(r => string.Equals(r.Path, path, StringComparison.OrdinalIgnoreCase))];
        LanRoute? route = atPath.FirstOrDefault(r => string.Equals(r.Method, exchange.Method, StringComparison.OrdinalIgnoreCase));
        if (!limits.TryAdmit(exchange.Remote, route?.Setup ?? false))
        {
            exchange.Empty(HttpStatusCode.TooManyRequests);
            return null;
        }

        if (atPath.Length == 0)
        {
            exchange.Empty(HttpStatusCode.NotFound);
            return null;
        }

        if (route is null)
        {
            exchange.Response.Headers["Allow"] = string.Join(", ", atPath.Select(r => r.Method));
            exchange.Empty(HttpStatusCode.MethodNotAllowed);
            return null;
        }

        return route.Setup && !await _setupKey.AdmitAsync(exchange, cancellationToken).ConfigureAwait(false) ? null : route;
    }

    private static async Task HandleAsync(LanExchange exchange, LanRoute route, CancellationToken cancellationToken)
    {
        try
        {
            await route.Handle(exchange, cancellationToken).ConfigureAwait(false);
        }
        catch (LanRequestException e)
        {
            // No body, as the minimal APIs answered a body they could not bind (400, 413, 415).
            exchange.Empty(e.Status);
        }
    }

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private void LogListening(string address)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(7001, nameof(LogListening)),
                "LAN: status page and API on {Address}", address);
        }
    }

    private void LogBindFailed(Exception exception, int port)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(7002, nameof(LogBindFailed)), exception,
                "LAN: cannot listen on TCP port {Port}; no status page", port);
        }
    }

    private void LogRequestFailed(Exception exception, string? method, string? path)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(7003, nameof(LogRequestFailed)), exception,
                "LAN: {Method} {Path} failed", method, path);
        }
    }

    private void LogClientGone(string? method, string? path, string reason)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.Log(LogLevel.Debug, new EventId(7004, nameof(LogClientGone)),
                "LAN: {Method} {Path} ended early ({Reason}): the client went away or took too long", method, path, reason);
        }
    }
}

/// <summary>Stops the agent (systemd restarts it), not just the LAN face.</summary>
public sealed class AgentStopper(IHostApplicationLifetime agent)
{
    public void Stop() => agent.StopApplication();
}
