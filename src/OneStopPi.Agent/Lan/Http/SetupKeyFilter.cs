using System.Net;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Portal;

namespace OneStopPi.Agent.Lan.Http;

/// <summary>
/// Lets a changing request through only with <c>Authorization: Bearer &lt;setup key&gt;</c>:
/// 401 (with a challenge) without one, 403 with a wrong one. The presented value is never logged.
/// </summary>
internal sealed partial class SetupKeyFilter
{
    private readonly SetupKey _key;
    private readonly ILogger<SetupKeyFilter> _logger;

    public SetupKeyFilter(SetupKey key, ILogger<SetupKeyFilter> logger)
    {
        _key = key;
        _logger = logger;
    }

    /// <summary>True when the request carries the key; otherwise the refusal is written and false returned.</summary>
    public async Task<bool> AdmitAsync(LanExchange exchange, CancellationToken cancellationToken)
    {
        string? header = exchange.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            exchange.Response.Headers["WWW-Authenticate"] = "Bearer realm=\"onestoppi setup key\"";
            await exchange.JsonAsync(HttpStatusCode.Unauthorized, new LanError("this needs the box's setup key: Authorization: Bearer <setup key>"),
                AgentJsonContext.Default.LanError, cancellationToken).ConfigureAwait(false);
            return false;
        }

        if (!_key.Matches(header.AsSpan(7).Trim()))
        {
            LogRefused(exchange.Method, exchange.Path, exchange.Remote);
            await exchange.JsonAsync(HttpStatusCode.Forbidden, new LanError("wrong setup key"), AgentJsonContext.Default.LanError, cancellationToken).ConfigureAwait(false);
            return false;
        }

        return true;
    }

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private void LogRefused(string method, string path, string? remote)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(7201, nameof(LogRefused)),
                "LAN: {Method} {Path} from {Remote} refused: wrong setup key", method, path, remote);
        }
    }
}
