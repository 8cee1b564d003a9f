using System.Net;
using System.Threading.Channels;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Lan.Http;

/// <summary>
/// The status page and LAN API on port 23998: a small Kestrel + minimal-API application (slim:
/// <see cref="WebApplication.CreateEmptyBuilder"/>, handlers from the request delegate generator)
/// run by the agent as one of its services, in its process, over the agent's own singletons. A port
/// already taken is logged and leaves the rest of the agent running.
/// </summary>
public sealed partial class LanHttpServer : SupervisedStage
{
    /// <summary>Request bodies are small JSON documents.</summary>
    public const long MaxRequestBodyBytes = 8 * 1024;

    private readonly IServiceProvider _agent;
    private readonly LanSettings _settings;
    private readonly ILogger<LanHttpServer> _logger;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LanHttpServer(IServiceProvider agent, LanSettings settings, ILogger<LanHttpServer> logger, AgentStages stages, TimeProvider time)
        : base(stages.Stage(AgentStages.LanFace, TimeSpan.FromMinutes(1)), time, logger)
    {
        _agent = agent;
        _settings = settings;
        _logger = logger;
    }

    /// <summary>The base address once Kestrel listens.</summary>
    public Task<Uri> Listening => _listening.Task;

    protected override async Task RunStageAsync(CancellationToken stoppingToken)
    {
        WebApplication app = Build();
        await using (app.ConfigureAwait(false))
        {
            try
            {
                await app.StartAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                // Kestrel reports an address in use as IOException (AddressInUseException).
                LogBindFailed(e, _settings.HttpPort);
                _listening.TrySetException(e);
                return;
            }

            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var uri = new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
            LogListening(address);
            _listening.TrySetResult(uri);
            // Kestrel serves on its own threads; this stage only waits for the agent to stop.
            Liveness.Idle();
            try
            {
                await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // The agent is stopping.
            }

            using var stopLimit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await app.StopAsync(stopLimit.Token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The LAN application, not started. <paramref name="describe"/> lets the OpenAPI test add the document
    /// generator to exactly this composition (OpenApiDocumentTests); the agent itself serves the checked-in
    /// document (<see cref="LanOpenApi"/>) and carries no generator.
    /// </summary>
    internal WebApplication Build(Action<WebApplicationBuilder>? describe = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = "onestoppi",
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
        });
        IPAddress listen = _settings.ListenAddress();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(listen, _settings.HttpPort);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 50;
            kestrel.Limits.MaxRequestLineSize = 4 * 1024;
            kestrel.Limits.MaxConcurrentConnections = 64;
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(30);
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
        });

        IServiceCollection services = builder.Services;
        services.AddSingleton<IHostLifetime, NoLifetime>();
        services.AddSingleton(_agent.GetRequiredService<ILoggerFactory>());
        services.AddRoutingCore();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AgentJsonContext.Default));
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Everyone on the LAN: generous for the page (it refreshes every 30 s), a cap on floods.
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "", _ => new FixedWindowRateLimiterOptions { PermitLimit = 120, Window = TimeSpan.FromMinutes(1) }));
            // Changing endpoints, keyed or not: few per minute per address (the setup key is 80 bits; this keeps guessing slow).
            o.AddPolicy(LanEndpoints.SetupRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "", _ => new FixedWindowRateLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(1) }));
        });

        // The agent's singletons the endpoints read or drive (one process, one state).
        services.AddSingleton(_agent.GetRequiredService<LanStatusService>());
        services.AddSingleton(_agent.GetRequiredService<SetupKey>());
        services.AddSingleton(_agent.GetRequiredService<PortalLink>());
        services.AddSingleton(_agent.GetRequiredService<AgentSettings>());
        services.AddSingleton(_agent.GetRequiredService<AgentPaths>());
        services.AddSingleton(_agent.GetRequiredService<LogControl>());
        services.AddSingleton(_agent.GetRequiredService<TimeProvider>());
        services.AddSingleton(_agent.GetRequiredService<ChannelWriter<ScanJob>>());
        services.AddSingleton(new AgentStopper(_agent.GetRequiredService<IHostApplicationLifetime>()));
        services.AddSingleton<SetupKeyFilter>();

        describe?.Invoke(builder);
        WebApplication app = builder.Build();
        app.Use(NoStackTraces);
        app.UseRateLimiter();
        LanEndpoints.Map(app);
        return app;
    }

    /// <summary>
    /// The isolation boundary of a request: a failure is logged here and answered with a short
    /// reason (4xx for a bad request, 500 otherwise), never with an exception's details.
    /// </summary>
    private async Task NoStackTraces(HttpContext http, RequestDelegate next)
    {
        try
        {
            await next(http).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (!http.Response.HasStarted)
        {
            http.Response.Clear();
            http.Response.StatusCode = e.StatusCode;
            await http.Response.WriteAsJsonAsync(new LanError("bad request"), AgentJsonContext.Default.LanError).ConfigureAwait(false);
        }
        catch (Exception e) when (!http.Response.HasStarted && e is not OperationCanceledException)
        {
            LogRequestFailed(e, http.Request.Method, http.Request.Path);
            http.Response.Clear();
            http.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await http.Response.WriteAsJsonAsync(new LanError("internal error; see the agent's log"), AgentJsonContext.Default.LanError).ConfigureAwait(false);
        }
    }

    /// <summary>The LAN app has no lifetime of its own: the agent starts and stops it.</summary>
    private sealed class NoLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "LAN: status page and API on {Address}")]
    private partial void LogListening(string address);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Error, Message = "LAN: cannot listen on TCP port {Port}; no status page")]
    private partial void LogBindFailed(Exception exception, int port);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Error, Message = "LAN: {Method} {Path} failed")]
    private partial void LogRequestFailed(Exception exception, string method, string path);
}

/// <summary>Stops the agent (systemd restarts it), not just the LAN application.</summary>
public sealed class AgentStopper(IHostApplicationLifetime agent)
{
    public void Stop() => agent.StopApplication();
}
