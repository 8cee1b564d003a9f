namespace OneStopPi.Portal.Forecast;

/// <summary>One reading of a supply: its level and maximum as the printer reported them (Printer-MIB -1/-2/-3 included).</summary>
public readonly record struct LevelPoint(DateTime At, int? Level, int? Max);

/// <summary>One reading of a device's total page counter.</summary>
public readonly record struct PagePoint(DateTime At, long Pages);

/// <summary>What a forecast could say.</summary>
public enum ForecastOutcome
{
    /// <summary>A run-out date with a range.</summary>
    RunOut,

    /// <summary>The supply reads empty already.</summary>
    Empty,

    /// <summary>The device printed nothing lately: nothing runs out.</summary>
    NotPrinting,

    /// <summary>The level is not falling while pages are printed (or no page counter and a flat level).</summary>
    NotFalling,

    /// <summary>Printer-MIB -3: only "some remaining" is known.</summary>
    SomeRemaining,

    /// <summary>Printer-MIB -2, or no level read.</summary>
    Unknown,

    /// <summary>Printer-MIB -1: no restriction on this supply.</summary>
    NoLimit,

    /// <summary>A level without a maximum: a percentage is not known.</summary>
    NoMaximum,

    /// <summary>Too few readings, or too little of the current cartridge used yet, with no earlier cartridge to learn from.</summary>
    NotEnoughHistory,

    /// <summary>Further out than the forecast looks (<see cref="SupplyForecaster.Horizon"/>).</summary>
    BeyondHorizon,
}

/// <summary>
/// A supply's forecast. RunOutAt/DaysLeft are the middle estimate, Earliest/Latest the range that holds the
/// truth with <see cref="SupplyForecaster.RangeProbability"/>; Reason says in words what is known and why.
/// </summary>
public sealed record SupplyForecast(
    ForecastOutcome Outcome,
    string Reason,
    DateTime? RunOutAt = null,
    double? DaysLeft = null,
    DateTime? Earliest = null,
    DateTime? Latest = null,
    double? WeekdayPagesPerDay = null,
    double? WeekendPagesPerDay = null,
    double? PagesLeft = null)
{
    /// <summary>The outcome as the API and CSV spell it (camelCase).</summary>
    public string OutcomeName => Outcome switch
    {
        ForecastOutcome.RunOut => "runOut",
        ForecastOutcome.Empty => "empty",
        ForecastOutcome.NotPrinting => "notPrinting",
        ForecastOutcome.NotFalling => "notFalling",
        ForecastOutcome.SomeRemaining => "someRemaining",
        ForecastOutcome.Unknown => "unknown",
        ForecastOutcome.NoLimit => "noLimit",
        ForecastOutcome.NoMaximum => "noMaximum",
        ForecastOutcome.NotEnoughHistory => "notEnoughHistory",
        _ => "beyondHorizon",
    };
}
