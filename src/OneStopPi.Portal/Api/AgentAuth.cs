using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OneStopPi.Portal.Data;
using OneStopPi.Portal.Hosting;
using OneStopPi.Portal.Security;

namespace OneStopPi.Portal.Api;

/// <summary>The agent a request was authenticated as.</summary>
internal sealed record AuthenticatedAgent(Guid Id, int? SiteId);

/// <summary>
/// Agent authentication: header X-Agent-Id names the agent, "Authorization: Bearer" carries its token.
/// Unknown agent and wrong token both get 401 (the detail says which, for the agent's log).
/// </summary>
internal sealed class AgentAuthFilter(PortalDbContext db, TimeProvider time, IOptions<PortalOptions> options, ILogger<AgentAuthFilter> logger)
    : IEndpointFilter
{
    public const string AgentIdHeader = "X-Agent-Id";
    private const string ItemKey = "OneStopPi.Agent";

    /// <summary>
    /// An agent's LastSeenAt is rewritten once it is this old, not on every call: 30 s (a box polling every minute
    /// is still written at every round, once instead of two or three times), or a quarter of the time after which
    /// an agent counts as silent, if that is shorter.
    /// </summary>
    public static TimeSpan LastSeenPrecision(PortalOptions options) =>
        TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, options.AgentSilentAfter.Ticks / 4));

    public static AuthenticatedAgent Current(HttpContext context) =>
        (AuthenticatedAgent)context.Items[ItemKey]!;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var token = Secrets.Bearer(http.Request);
        if (!Guid.TryParse(http.Request.Headers[AgentIdHeader].ToString(), out var agentId) || token is null)
        {
            return Refuse($"missing {AgentIdHeader} header or bearer token");
        }

        var agent = await db.Agents.AsNoTracking().Where(a => a.Id == agentId)
            .Select(a => new { a.Id, a.TokenHash, a.SiteId, a.LastSeenAt }).FirstOrDefaultAsync(http.RequestAborted).ConfigureAwait(false);
        if (agent is null)
        {
            return Refuse($"unknown agent {agentId}");
        }

        if (!Secrets.Matches(token, agent.TokenHash))
        {
            return Refuse($"wrong token for agent {agentId}");
        }

        // A box calls two or three times per round (configuration, commands, heartbeat): a write (a commit) for each
        // call was the one write of every poll under a dealer's load (docs/reliability.md, "Portal under load").
        var now = time.GetUtcNow().UtcDateTime;
        if (agent.LastSeenAt is not { } seen || now - seen >= LastSeenPrecision(options.Value) || now < seen)
        {
            await db.Agents.Where(a => a.Id == agentId)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.LastSeenAt, now), http.RequestAborted).ConfigureAwait(false);
        }

        http.Items[ItemKey] = new AuthenticatedAgent(agent.Id, agent.SiteId);
        return await next(context).ConfigureAwait(false);
    }

    private IResult Refuse(string reason)
    {
        logger.AgentRefused(reason);
        return Problems.Unauthorized(reason);
    }
}
