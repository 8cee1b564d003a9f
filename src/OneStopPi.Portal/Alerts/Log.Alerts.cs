using Microsoft.Extensions.Logging;

namespace OneStopPi.Portal;

/// <summary>The alert service's log lines (ids 1500-1599).</summary>
internal static partial class Log
{
    [LoggerMessage(1500, LogLevel.Information, "Alert {AlertId} {Event} at site {SiteId}: {Message}")]
    public static partial void AlertTold(this ILogger logger, long alertId, string @event, int siteId, string message);

    [LoggerMessage(1501, LogLevel.Information, "Alert evaluation: {Raised} raised, {Resolved} resolved")]
    public static partial void AlertCycle(this ILogger logger, int raised, int resolved);

    [LoggerMessage(1502, LogLevel.Error, "Alert evaluation or delivery failed; tried again at the next period")]
    public static partial void AlertCycleFailed(this ILogger logger, Exception exception);

    [LoggerMessage(1503, LogLevel.Information, "Alert delivery {DeliveryId} ({Channel}, alert {AlertId} {Event}) delivered at attempt {Attempt}")]
    public static partial void AlertDelivered(this ILogger logger, long deliveryId, string channel, long alertId, string @event, int attempt);

    [LoggerMessage(1504, LogLevel.Warning, "Alert delivery {DeliveryId} ({Channel}, alert {AlertId}) attempt {Attempt} failed, next in {Seconds} s: {Reason}")]
    public static partial void AlertDeliveryRetry(this ILogger logger, long deliveryId, string channel, long alertId, int attempt, int seconds, string reason);

    [LoggerMessage(1505, LogLevel.Error, "Alert delivery {DeliveryId} ({Channel}, alert {AlertId}) given up after {Attempts} attempts: {Reason}")]
    public static partial void AlertDeliveryGivenUp(this ILogger logger, long deliveryId, string channel, long alertId, int attempts, string reason);
}
