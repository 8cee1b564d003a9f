using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OneStopPi.Portal.Hosting;

namespace OneStopPi.Portal.Api;

/// <summary>
/// Per-client-address limits where an unauthenticated caller presents a secret that could be tried over
/// and over: the enrolment key, the sign-in form and operator bearer tokens (docs/portal-api.md, "Rate limits").
/// Agent calls are never limited per agent: an agent with a valid token must always be able to upload. They share
/// one load limit instead (<see cref="AgentLoad"/>): past what the portal can serve at once, a call is answered 503
/// with Retry-After at once, which the agent takes as "portal unavailable" and retries later, losing nothing.
/// </summary>
internal static class RateLimits
{
    public const string Enrolment = "enrolment";
    public const string SignIn = "sign-in";
    public const string RefusedOperatorToken = "operator-token";
    public const string AgentLoad = "agent-load";

    public static IServiceCollection AddPortalRateLimits(this IServiceCollection services, PortalOptions options)
    {
        var window = TimeSpan.FromSeconds(options.RateLimitWindowSeconds);
        services.AddSingleton<RateLimitWarnings>();
        services.AddSingleton(_ => new RefusedOperatorTokens(
            PartitionedRateLimiter.Create<string, string>(client => Partition(client, options.RefusedOperatorTokens, window))));
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(Enrolment, http => Partition(ClientKey(http), options.EnrolmentAttempts, window));
            limiter.AddPolicy(SignIn, http => Partition(ClientKey(http), options.SignInAttempts, window));
            limiter.AddPolicy(AgentLoad, _ => LoadPartition(options));
            limiter.OnRejected = (context, _) =>
            {
                var http = context.HttpContext;
                var policy = http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName ?? "unknown";
                var refusal = policy == AgentLoad ? Busy(http, options) : Refuse(http, context.Lease, policy);
                return new ValueTask(refusal.ExecuteAsync(http));
            };
        });
        return services;
    }

    /// <summary>
    /// The partition key: the connection's remote address. IPv6 counts by its /64, because one host is
    /// usually given a whole /64 and could otherwise start a fresh partition with every address in it.
    /// </summary>
    public static string ClientKey(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        _ = address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>429 with Retry-After (whole seconds) and a problem document; the warning is logged once per client per window.</summary>
    public static IResult Refuse(HttpContext http, RateLimitLease lease, string policy)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
            ? wait
            : TimeSpan.FromSeconds(http.RequestServices.GetRequiredService<IOptions<PortalOptions>>().Value.RateLimitWindowSeconds);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        http.RequestServices.GetRequiredService<RateLimitWarnings>().Refused(policy, ClientKey(http), retryAfter);
        return Problems.Of(StatusCodes.Status429TooManyRequests, "Too many requests",
            $"too many attempts from this address; retry after {seconds} s");
    }

    /// <summary>503 with Retry-After and a problem document; the warning is logged once per window for all agents together.</summary>
    public static IResult Busy(HttpContext http, PortalOptions options)
    {
        var seconds = Math.Max(1, options.BusyRetryAfterSeconds);
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        http.RequestServices.GetRequiredService<RateLimitWarnings>().Busy(
            options.AgentRequestsInFlight, options.AgentRequestsQueued, TimeSpan.FromSeconds(options.RateLimitWindowSeconds));
        return Problems.Of(StatusCodes.Status503ServiceUnavailable, "Portal busy",
            $"the portal is serving as many agent calls as it can; retry after {seconds} s");
    }

    /// <summary>One partition for every agent call: a concurrency limit with a bounded queue, oldest first.</summary>
    private static RateLimitPartition<string> LoadPartition(PortalOptions options) =>
        options.AgentRequestsInFlight <= 0
            ? RateLimitPartition.GetNoLimiter(AgentLoad)
            : RateLimitPartition.GetConcurrencyLimiter(AgentLoad, _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = options.AgentRequestsInFlight,
                QueueLimit = Math.Max(0, options.AgentRequestsQueued),
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });

    /// <summary>A fixed window per client; zero or fewer attempts turns the limit off.</summary>
    private static RateLimitPartition<string> Partition(string client, int attempts, TimeSpan window) =>
        attempts <= 0
            ? RateLimitPartition.GetNoLimiter(client)
            : RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = attempts,
                Window = window,
                QueueLimit = 0, // a guess is answered 429 at once, never held in a queue
            });
}

/// <summary>
/// Counts only refused operator bearer tokens per client, so an operator's scripts with a valid token
/// are never slowed, while a client guessing tokens is stopped after a few refusals.
/// </summary>
internal sealed class RefusedOperatorTokens(PartitionedRateLimiter<string> limiter) : IDisposable
{
    /// <summary>Zero permits asks whether the client may still try, without spending a try.</summary>
    public RateLimitLease Check(string client) => limiter.AttemptAcquire(client, 0);

    public void Count(string client) => limiter.AttemptAcquire(client).Dispose();

    public void Dispose() => limiter.Dispose();
}

/// <summary>
/// One warning per client and limit per window: a guessing client would otherwise write a log line per request.
/// </summary>
internal sealed class RateLimitWarnings(TimeProvider time, ILogger<RateLimitWarnings> logger)
{
    private const int PruneAbove = 4096;
    private readonly ConcurrentDictionary<(string Policy, string Client), long> _quietUntil = new();

    public void Refused(string policy, string client, TimeSpan window)
    {
        if (FirstInWindow((policy, client), window))
        {
            logger.RateLimited(policy, client, Math.Max(1, (int)Math.Ceiling(window.TotalSeconds)));
        }
    }

    /// <summary>An agent call answered 503 because the portal serves as many as it may (<see cref="RateLimits.AgentLoad"/>).</summary>
    public void Busy(int inFlight, int queued, TimeSpan window)
    {
        if (FirstInWindow((RateLimits.AgentLoad, ""), window))
        {
            logger.PortalBusy(inFlight, queued, Math.Max(1, (int)Math.Ceiling(window.TotalSeconds)));
        }
    }

    private bool FirstInWindow((string Policy, string Client) key, TimeSpan window)
    {
        var now = time.GetTimestamp();
        var until = now + (long)(window.TotalSeconds * time.TimestampFrequency);
        // Of concurrent refusals only the one that moves the entry logs.
        var first = _quietUntil.TryGetValue(key, out var quiet)
            ? now >= quiet && _quietUntil.TryUpdate(key, until, quiet)
            : _quietUntil.TryAdd(key, until);
        if (first && _quietUntil.Count > PruneAbove)
        {
            foreach (var (stale, end) in _quietUntil)
            {
                if (now >= end)
                {
                    _quietUntil.TryRemove(stale, out _);
                }
            }
        }

        return first;
    }
}
