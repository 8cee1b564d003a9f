namespace OneStopPi.Portal.Api;

// Wire records of the supply forecasts (operator API, docs/portal-api.md "Supply forecasts").

/// <summary>
/// Outcome: runOut, empty, notPrinting, notFalling, someRemaining, unknown, noLimit, noMaximum, notEnoughHistory,
/// beyondHorizon. RunOutAt/DaysLeft and the 80 % range Earliest..Latest only for runOut (and empty).
/// </summary>
public sealed record SupplyForecastView(
    string Outcome,
    string Reason,
    DateTime? RunOutAt,
    double? DaysLeft,
    DateTime? Earliest,
    DateTime? Latest,
    double? WeekdayPagesPerDay,
    double? WeekendPagesPerDay);

/// <summary>One supply of one device of any site, with its forecast (the fleet-wide list, soonest run-out first).</summary>
public sealed record FleetSupplyView(
    int SiteId,
    string Site,
    long DeviceId,
    string Vendor,
    string? Model,
    string? Serial,
    string Ip,
    DateTime ReadAt,
    SupplyView Supply);
