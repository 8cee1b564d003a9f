using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OneStopPi.Portal.Api;
using OneStopPi.Portal.Data;

namespace OneStopPi.Portal.Alerts;

/// <summary>
/// Sends the deliveries that are due, oldest first, and stores each outcome at once: delivered, or the next attempt
/// after an exponential backoff, or failed after the last attempt. The rows are the queue, so a restart loses nothing.
/// </summary>
internal sealed class AlertDeliverer(
    PortalDbContext db, WebhookSender webhook, MailSender mail, AlertSecrets secrets, IOptions<AlertOptions> options, TimeProvider time, ILogger<AlertDeliverer> logger)
{
    private const int Batch = 50;

    /// <returns>When the next pending delivery is due, or null when none is left.</returns>
    public async Task<DateTime?> DeliverDueAsync(CancellationToken cancellationToken)
    {
        DateTime now = time.GetUtcNow().UtcDateTime;
        var due = await db.AlertDeliveries.Include(d => d.Alert)
            .Where(d => d.State == DeliveryState.Pending && d.NextAttemptAt <= now)
            .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.Id).Take(Batch)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        if (due.Count > 0)
        {
            var siteIds = due.Select(d => d.Alert!.SiteId).Distinct().ToList();
            var sites = await db.Sites.AsNoTracking().Where(s => siteIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, cancellationToken).ConfigureAwait(false);
            foreach (var delivery in due)
            {
                await AttemptAsync(delivery, sites.GetValueOrDefault(delivery.Alert!.SiteId) ?? "", cancellationToken).ConfigureAwait(false);
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return await db.AlertDeliveries.Where(d => d.State == DeliveryState.Pending)
            .MinAsync(d => (DateTime?)d.NextAttemptAt, cancellationToken).ConfigureAwait(false) is { } next
            ? DateTime.SpecifyKind(next, DateTimeKind.Utc)
            : null;
    }

    private async Task AttemptAsync(AlertDelivery delivery, string site, CancellationToken cancellationToken)
    {
        delivery.Attempts++;
        var message = new AlertEventMessage(delivery.Id, delivery.Event, time.GetUtcNow().UtcDateTime, AlertViews.Of(delivery.Alert!, site));
        try
        {
            if (delivery.Channel == DeliveryChannel.Webhook)
            {
                await webhook.SendAsync(new Uri(delivery.Target), await SecretAsync(delivery, cancellationToken).ConfigureAwait(false), message, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await mail.SendAsync(delivery.Target.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), message, cancellationToken).ConfigureAwait(false);
            }

            (delivery.State, delivery.DeliveredAt, delivery.LastError) = (DeliveryState.Delivered, time.GetUtcNow().UtcDateTime, null);
            logger.AlertDelivered(delivery.Id, delivery.Channel.ToString(), delivery.AlertId, delivery.Event, delivery.Attempts);
        }
        catch (DeliveryFailedException e)
        {
            var o = options.Value;
            delivery.LastError = e.Message.Length <= 1000 ? e.Message : e.Message[..1000];
            if (delivery.Attempts >= o.MaxAttempts)
            {
                delivery.State = DeliveryState.Failed;
                logger.AlertDeliveryGivenUp(delivery.Id, delivery.Channel.ToString(), delivery.AlertId, delivery.Attempts, e.Message);
            }
            else
            {
                var wait = o.RetryDelay(delivery.Attempts);
                delivery.NextAttemptAt = time.GetUtcNow().UtcDateTime + wait;
                logger.AlertDeliveryRetry(delivery.Id, delivery.Channel.ToString(), delivery.AlertId, delivery.Attempts, (int)wait.TotalSeconds, e.Message);
            }
        }
    }

    private async Task<string> SecretAsync(AlertDelivery delivery, CancellationToken cancellationToken)
    {
        var settings = await db.AlertSettings.AsNoTracking().FirstOrDefaultAsync(s => s.Id == delivery.SettingsId, cancellationToken).ConfigureAwait(false);
        if (settings?.WebhookSecretProtected is not { } blob)
        {
            throw new DeliveryFailedException("the webhook's settings or secret are gone; set the webhook again");
        }

        try
        {
            return secrets.Unprotect(settings.SiteId, blob);
        }
        catch (CryptographicException e)
        {
            throw new DeliveryFailedException("the webhook secret no longer decrypts (lost key ring?): rotate it", e);
        }
    }
}
