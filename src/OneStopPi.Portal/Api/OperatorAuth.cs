using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using OneStopPi.Portal.Data;
using OneStopPi.Portal.Security;

namespace OneStopPi.Portal.Api;

/// <summary>
/// Operator authentication: "Authorization: Bearer" with an operator token. Operator tokens live in their
/// own table; an agent token never matches one.
/// </summary>
internal sealed class OperatorAuthFilter(OperatorTokens tokens, RefusedOperatorTokens refused, ILogger<OperatorAuthFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var client = RateLimits.ClientKey(http);
        using (var allowed = refused.Check(client))
        {
            if (!allowed.IsAcquired)
            {
                return RateLimits.Refuse(http, allowed, RateLimits.RefusedOperatorToken);
            }
        }

        var token = Secrets.Bearer(http.Request);
        if (token is null)
        {
            refused.Count(client);
            logger.OperatorRefused("no bearer token");
            return Problems.Unauthorized("an operator bearer token is required");
        }

        if (!await tokens.IsValidAsync(token, http.RequestAborted).ConfigureAwait(false))
        {
            refused.Count(client);
            logger.OperatorRefused("token is not an operator token");
            return Problems.Unauthorized("the token is not a valid operator token");
        }

        return await next(context).ConfigureAwait(false);
    }
}

/// <summary>Operator tokens: checked by hash, and the first one created at first start.</summary>
internal sealed class OperatorTokens(PortalDbContext db, TimeProvider time)
{
    public async Task<bool> IsValidAsync(string token, CancellationToken cancellationToken)
    {
        if (!Secrets.IsWellFormed(token))
        {
            return false;
        }

        var hash = Secrets.Hash(token);
        // The lookup is by the SHA-256 of the token (timing reveals nothing useful about the token);
        // the final comparison is constant-time anyway.
        var stored = await db.OperatorTokens.Where(t => t.TokenHash == hash).Select(t => t.TokenHash)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return stored is not null && Secrets.Matches(token, stored);
    }

    public async Task<string> CreateAsync(string name, CancellationToken cancellationToken)
    {
        var token = Secrets.Create();
        db.OperatorTokens.Add(new OperatorToken { Name = name, TokenHash = Secrets.Hash(token), CreatedAt = time.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return token;
    }
}
