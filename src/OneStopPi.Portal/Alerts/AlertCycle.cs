using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OneStopPi.Portal.Data;

namespace OneStopPi.Portal.Alerts;

/// <summary>
/// One evaluation of some sites (or all), a group of sites at a time: reads the group, asks the evaluator what changed
/// and stores it, with the deliveries each raised or resolved alert owes, in one transaction per group (so a told alert
/// always has its messages queued, and nothing twice). Groups hold about <see cref="AlertOptions.EvaluateGroupDevices"/>
/// devices (a bigger site alone), so memory follows the largest site, not the fleet, and a group costs a handful of
/// queries, not one per site.
/// </summary>
internal sealed class AlertCycle(
    PortalDbContext db, AlertSnapshotReader reader, AlertEvaluator evaluator, IOptions<AlertOptions> options, TimeProvider time, ILogger<AlertCycle> logger)
{
    public const string Raised = "raised";
    public const string Resolved = "resolved";

    /// <param name="sites">The sites to evaluate; null: every site.</param>
    /// <returns>How many alerts were raised and resolved.</returns>
    public async Task<(int Raised, int Resolved)> RunAsync(IReadOnlySet<int>? sites, CancellationToken cancellationToken)
    {
        var wanted = db.Sites.AsNoTracking();
        if (sites is not null)
        {
            List<int> ids = [.. sites];
            wanted = wanted.Where(s => ids.Contains(s.Id));
        }

        var sizes = await wanted.OrderBy(s => s.Id).Select(s => new { s.Id, Devices = db.Devices.Count(d => d.SiteId == s.Id) })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var groupDevices = Math.Max(1, options.Value.EvaluateGroupDevices);
        var (raised, resolved) = (0, 0);
        var group = new List<int>();
        var devices = 0;
        foreach (var site in sizes)
        {
            if (group.Count > 0 && devices + site.Devices > groupDevices)
            {
                var told = await RunGroupAsync(group, cancellationToken).ConfigureAwait(false);
                (raised, resolved, group, devices) = (raised + told.Raised, resolved + told.Resolved, [], 0);
            }

            group.Add(site.Id);
            devices += site.Devices;
        }

        if (group.Count > 0)
        {
            var told = await RunGroupAsync(group, cancellationToken).ConfigureAwait(false);
            (raised, resolved) = (raised + told.Raised, resolved + told.Resolved);
        }

        return (raised, resolved);
    }

    private async Task<(int Raised, int Resolved)> RunGroupAsync(List<int> siteIds, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear(); // the last group's alerts are stored: nothing of it is kept in memory
        var fleet = await reader.ReadAsync(siteIds, cancellationToken).ConfigureAwait(false);
        var open = await db.Alerts.Where(a => a.State != AlertState.Resolved && siteIds.Contains(a.SiteId)).ToListAsync(cancellationToken).ConfigureAwait(false);
        var changes = evaluator.Evaluate(fleet, [.. open.Select(a => new OpenAlert(a.Id, a.Key, a.State, a.FirstSeenAt))]);
        if (changes.Count == 0)
        {
            return (0, 0);
        }

        DateTime now = time.GetUtcNow().UtcDateTime;
        var byId = open.ToDictionary(a => a.Id);
        var told = new List<(Alert Alert, string Event)>();
        foreach (var change in changes)
        {
            switch (change)
            {
                case AlertChange.Open(var c, var raise):
                    var alert = new Alert
                    {
                        SiteId = c.SiteId, Kind = c.Kind, Key = c.Key, DeviceId = c.DeviceId, AgentId = c.AgentId, Message = Cut(c.Message),
                        State = raise ? AlertState.Raised : AlertState.Pending, FirstSeenAt = c.Since, RaisedAt = raise ? now : null,
                    };
                    db.Alerts.Add(alert);
                    if (raise)
                    {
                        told.Add((alert, Raised));
                    }

                    break;
                case AlertChange.Raise(var id, var c):
                    var pending = byId[id];
                    (pending.State, pending.RaisedAt, pending.Message) = (AlertState.Raised, now, Cut(c.Message));
                    told.Add((pending, Raised));
                    break;
                case AlertChange.Resolve(var id):
                    var raised = byId[id];
                    (raised.State, raised.ResolvedAt, raised.ResolvedMessage) = (AlertState.Resolved, now, Cut($"cleared: {raised.Message}"));
                    told.Add((raised, Resolved));
                    break;
                case AlertChange.Drop(var id):
                    db.Alerts.Remove(byId[id]);
                    break;
            }
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false); // ids for the new alerts
        var settings = await db.AlertSettings.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (alert, what) in told)
        {
            logger.AlertTold(alert.Id, what, alert.SiteId, alert.Message);
            foreach (var delivery in Deliveries(alert, what, settings, now))
            {
                db.AlertDeliveries.Add(delivery);
            }
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (told.Count(t => t.Event == Raised), told.Count(t => t.Event == Resolved));
    }

    /// <summary>The site's webhook and mailbox, each falling back to the dealer-wide one.</summary>
    private static IEnumerable<AlertDelivery> Deliveries(Alert alert, string what, List<AlertSettings> settings, DateTime now)
    {
        var site = settings.FirstOrDefault(s => s.SiteId == alert.SiteId);
        var defaults = settings.FirstOrDefault(s => s.SiteId is null);
        var hook = !string.IsNullOrWhiteSpace(site?.WebhookUrl) ? site : !string.IsNullOrWhiteSpace(defaults?.WebhookUrl) ? defaults : null;
        if (hook is not null)
        {
            yield return new AlertDelivery
            {
                Alert = alert, Event = what, Channel = DeliveryChannel.Webhook, Target = hook.WebhookUrl!, SettingsId = hook.Id, CreatedAt = now, NextAttemptAt = now,
            };
        }

        var mailTo = !string.IsNullOrWhiteSpace(site?.MailTo) ? site.MailTo : defaults?.MailTo;
        if (!string.IsNullOrWhiteSpace(mailTo))
        {
            yield return new AlertDelivery { Alert = alert, Event = what, Channel = DeliveryChannel.Email, Target = mailTo, CreatedAt = now, NextAttemptAt = now };
        }
    }

    private static string Cut(string text) => text.Length <= 1000 ? text : text[..1000];
}
