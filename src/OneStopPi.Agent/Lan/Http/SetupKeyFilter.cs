using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Portal;

namespace OneStopPi.Agent.Lan.Http;

/// <summary>
/// Lets a changing request through only with <c>Authorization: Bearer &lt;setup key&gt;</c>:
/// 401 (with a challenge) without one, 403 with a wrong one. The presented value is never logged.
/// </summary>
public sealed partial class SetupKeyFilter : IEndpointFilter
{
    private readonly SetupKey _key;
    private readonly ILogger<SetupKeyFilter> _logger;

    public SetupKeyFilter(SetupKey key, ILogger<SetupKeyFilter> logger)
    {
        _key = key;
        _logger = logger;
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        HttpContext http = context.HttpContext;
        string? header = http.Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"onestoppi setup key\"";
            return TypedResults.Json(new LanError("this needs the box's setup key: Authorization: Bearer <setup key>"),
                AgentJsonContext.Default.LanError, statusCode: StatusCodes.Status401Unauthorized);
        }

        if (!_key.Matches(header.AsSpan(7).Trim()))
        {
            LogRefused(http.Request.Method, http.Request.Path, http.Connection.RemoteIpAddress?.ToString());
            return TypedResults.Json(new LanError("wrong setup key"), AgentJsonContext.Default.LanError, statusCode: StatusCodes.Status403Forbidden);
        }

        return await next(context).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 7201, Level = LogLevel.Warning, Message = "LAN: {Method} {Path} from {Remote} refused: wrong setup key")]
    private partial void LogRefused(string method, string path, string? remote);
}
