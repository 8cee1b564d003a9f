using Microsoft.EntityFrameworkCore;

namespace OneStopPi.Portal.Data;

// The alert tables: rules and destinations per scope, the alerts themselves, and the deliveries still owed.

/// <summary>What an alert is about; stored as its number.</summary>
internal enum AlertKind
{
    SupplyLow = 1,
    SupplyRunOut = 2,
    ErrorState = 3,
    DeviceSilent = 4,
    AgentSilent = 5,
    CounterBackwards = 6,
}

/// <summary>Pending: seen, not yet held long enough to tell anyone. Raised: told. Resolved: cleared and told.</summary>
internal enum AlertState
{
    Pending = 0,
    Raised = 1,
    Resolved = 2,
}

internal enum DeliveryChannel
{
    Webhook = 1,
    Email = 2,
}

internal enum DeliveryState
{
    Pending = 0,
    Delivered = 1,
    /// <summary>Every attempt failed; kept for the history page.</summary>
    Failed = 2,
}

/// <summary>
/// Alert rules and destinations of one site, or the dealer-wide defaults (<see cref="SiteId"/> null). On a site a
/// null value inherits the default and 0 (false) turns the rule off there.
/// </summary>
internal sealed class AlertSettings
{
    public int Id { get; set; }
    public int? SiteId { get; set; }
    public int? SupplyBelowPercent { get; set; }
    public int? SupplyRunOutDays { get; set; }
    public int? ErrorStateMinutes { get; set; }
    /// <summary>hrPrinterDetectedErrorState names that count, space separated; null = the built-in list.</summary>
    public string? ErrorStates { get; set; }
    public int? DeviceSilentHours { get; set; }
    public int? AgentSilentMinutes { get; set; }
    public bool? CounterBackwards { get; set; }
    public string? WebhookUrl { get; set; }
    /// <summary>The HMAC key of the webhook signature, protected with ASP.NET Core Data Protection.</summary>
    public string? WebhookSecretProtected { get; set; }
    /// <summary>E-mail recipients, one per line.</summary>
    public string? MailTo { get; set; }
}

/// <summary>One alert: raised once for a condition (its <see cref="Key"/>), resolved once when that clears.</summary>
internal sealed class Alert
{
    public long Id { get; set; }
    public int SiteId { get; set; }
    public AlertKind Kind { get; set; }
    /// <summary>What the condition is about, e.g. "device:12:supply:0": at most one unresolved alert per key.</summary>
    public required string Key { get; set; }
    public long? DeviceId { get; set; }
    public Guid? AgentId { get; set; }
    public required string Message { get; set; }
    public string? ResolvedMessage { get; set; }
    public AlertState State { get; set; }
    /// <summary>When the condition was first seen (a reading's time, or the evaluation's).</summary>
    public DateTime FirstSeenAt { get; set; }
    public DateTime? RaisedAt { get; set; }
    public DateTime? ResolvedAt { get; set; }
}

/// <summary>
/// A message owed to a webhook or a mailbox: written in the transaction that raises or resolves the alert, so it
/// survives a restart, and retried with backoff until delivered or out of attempts.
/// </summary>
internal sealed class AlertDelivery
{
    public long Id { get; set; }
    public long AlertId { get; set; }
    public Alert? Alert { get; set; }
    /// <summary>"raised" or "resolved".</summary>
    public required string Event { get; set; }
    public DeliveryChannel Channel { get; set; }
    /// <summary>The webhook URL or the e-mail addresses (one per line) as they were when the event happened.</summary>
    public required string Target { get; set; }
    /// <summary>Which settings row's secret signs a webhook (the site's or the defaults').</summary>
    public int? SettingsId { get; set; }
    public DeliveryState State { get; set; }
    public int Attempts { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
    public string? LastError { get; set; }
}

internal static class AlertModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<AlertSettings>(b =>
        {
            b.Property(s => s.ErrorStates).HasMaxLength(1024);
            b.Property(s => s.WebhookUrl).HasMaxLength(2048);
            b.Property(s => s.MailTo).HasMaxLength(4096);
            b.HasIndex(s => s.SiteId).IsUnique();
            b.HasOne<Site>().WithMany().HasForeignKey(s => s.SiteId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Alert>(b =>
        {
            b.Property(a => a.Key).HasMaxLength(300);
            b.Property(a => a.Message).HasMaxLength(1000);
            b.Property(a => a.ResolvedMessage).HasMaxLength(1000);
            b.HasIndex(a => new { a.State, a.Key });
            b.HasIndex(a => new { a.SiteId, a.FirstSeenAt });
            b.HasOne<Site>().WithMany().HasForeignKey(a => a.SiteId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<AlertDelivery>(b =>
        {
            b.Property(d => d.Event).HasMaxLength(16);
            b.Property(d => d.Target).HasMaxLength(4096);
            b.Property(d => d.LastError).HasMaxLength(1000);
            b.HasIndex(d => new { d.State, d.NextAttemptAt });
            b.HasOne(d => d.Alert).WithMany().HasForeignKey(d => d.AlertId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
