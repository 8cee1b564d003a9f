namespace OneStopPi.Portal.Api;

// Wire records of alerts (operator API and webhook body, docs/portal-api.md "Alerts").

/// <summary>
/// One alert. Kind: supplyLow, supplyRunOut, errorState, deviceSilent, agentSilent, counterBackwards.
/// State: pending (seen, held before telling), raised, resolved.
/// </summary>
public sealed record AlertView(
    long Id,
    int SiteId,
    string Site,
    string Kind,
    string Key,
    long? DeviceId,
    Guid? AgentId,
    string State,
    string Message,
    string? ResolvedMessage,
    DateTime FirstSeenAt,
    DateTime? RaisedAt,
    DateTime? ResolvedAt);

/// <summary>The webhook body: event is "raised" or "resolved"; deliveryId is the same on every retry of one message.</summary>
public sealed record AlertEventMessage(long DeliveryId, string Event, DateTime SentAt, AlertView Alert);

/// <summary>
/// Alert rules and destinations of a site or of the whole dealer (siteId null). On a site a null value inherits
/// the dealer-wide one and 0 (false) turns the rule off there. Webhook secret: only in the answer that created it.
/// </summary>
public sealed record AlertSettingsView(
    int? SiteId,
    int? SupplyBelowPercent,
    int? SupplyRunOutDays,
    int? ErrorStateMinutes,
    string[]? ErrorStates,
    int? DeviceSilentHours,
    int? AgentSilentMinutes,
    bool? CounterBackwards,
    string? WebhookUrl,
    bool WebhookSecretSet,
    string[]? MailTo,
    string? WebhookSecret,
    EffectiveAlertRulesView? Effective);

/// <summary>A site's rules after the defaults are merged in: null means off.</summary>
public sealed record EffectiveAlertRulesView(
    int? SupplyBelowPercent,
    int? SupplyRunOutDays,
    int? ErrorStateMinutes,
    string[] ErrorStates,
    int? DeviceSilentHours,
    int? AgentSilentMinutes,
    bool CounterBackwards,
    string? WebhookUrl,
    string[] MailTo);

/// <summary>PUT replaces the whole set (a null is "inherit" on a site, "off" dealer-wide); rotateWebhookSecret makes a new secret.</summary>
public sealed record AlertSettingsUpdate(
    int? SupplyBelowPercent,
    int? SupplyRunOutDays,
    int? ErrorStateMinutes,
    string[]? ErrorStates,
    int? DeviceSilentHours,
    int? AgentSilentMinutes,
    bool? CounterBackwards,
    string? WebhookUrl,
    string[]? MailTo,
    bool RotateWebhookSecret = false);
