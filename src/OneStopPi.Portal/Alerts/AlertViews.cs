using OneStopPi.Portal.Api;
using OneStopPi.Portal.Data;

namespace OneStopPi.Portal.Alerts;

/// <summary>Alerts as the API, the webhook and the pages name them.</summary>
internal static class AlertViews
{
    public static AlertView Of(Alert a, string site) => new(
        a.Id, a.SiteId, site, KindName(a.Kind), a.Key, a.DeviceId, a.AgentId, StateName(a.State), a.Message, a.ResolvedMessage,
        Utc(a.FirstSeenAt), Utc(a.RaisedAt), Utc(a.ResolvedAt));

    public static string KindName(AlertKind kind) => kind switch
    {
        AlertKind.SupplyLow => "supplyLow",
        AlertKind.SupplyRunOut => "supplyRunOut",
        AlertKind.ErrorState => "errorState",
        AlertKind.DeviceSilent => "deviceSilent",
        AlertKind.AgentSilent => "agentSilent",
        _ => "counterBackwards",
    };

    public static string StateName(AlertState state) => state switch
    {
        AlertState.Pending => "pending",
        AlertState.Raised => "raised",
        _ => "resolved",
    };

    private static DateTime Utc(DateTime at) => DateTime.SpecifyKind(at, DateTimeKind.Utc);

    private static DateTime? Utc(DateTime? at) => at is { } v ? Utc(v) : null;
}
