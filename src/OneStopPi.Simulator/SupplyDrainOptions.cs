namespace OneStopPi.Simulator;

/// <summary>
/// How simulated supplies drain with the pages printed (<see cref="DrainingDevice"/>). Each device draws its own
/// volume, weekend share, colour share and cartridge yields from <see cref="Seed"/> and its index, so a run is
/// reproducible and independent of the order in which devices are asked.
/// </summary>
public sealed record SupplyDrainOptions
{
    /// <summary>Everything random in the model is a hash of this seed, the device index, the supply and the day.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Weekday pages per day, drawn log-uniformly per device between these two.</summary>
    public double MinPagesPerDay { get; init; } = 40;

    public double MaxPagesPerDay { get; init; } = 800;

    /// <summary>A weekend day's volume as a share of a weekday's, drawn uniformly per device between these two.</summary>
    public double MinWeekendShare { get; init; } = 0.02;

    public double MaxWeekendShare { get; init; } = 0.25;

    /// <summary>Day-to-day spread of the volume: the sigma of a mean-one log-normal factor per day.</summary>
    public double DailyNoise { get; init; } = 0.35;

    /// <summary>Day-to-day spread of the toner per page (coverage): the sigma of a mean-one log-normal factor.</summary>
    public double CoverageNoise { get; init; } = 0.15;

    /// <summary>Pages a full cartridge lasts (of the pages that use it), drawn log-uniformly per device and supply.</summary>
    public double MinPagesPerCartridge { get; init; } = 2500;

    public double MaxPagesPerCartridge { get; init; } = 20000;

    /// <summary>Share of the pages printed in colour, drawn uniformly per device; colour supplies drain with those only.</summary>
    public double MinColourShare { get; init; } = 0.1;

    public double MaxColourShare { get; init; } = 0.4;

    /// <summary>An empty supply is replaced (back to full) after a delay drawn uniformly between these two.</summary>
    public TimeSpan MinSwapDelay { get; init; } = TimeSpan.FromHours(4);

    public TimeSpan MaxSwapDelay { get; init; } = TimeSpan.FromDays(3);

    /// <summary>Pages are printed between these UTC hours on every day (weekend volume is smaller, not elsewhere).</summary>
    public int FirstPrintingHour { get; init; } = 8;

    public int EndPrintingHour { get; init; } = 18;

    /// <summary>A clear message for the first value out of range, or null.</summary>
    public string? Validate()
    {
        static bool Bad(double low, double high) => double.IsNaN(low) || double.IsNaN(high) || low < 0 || high < low || double.IsInfinity(high);
        return Bad(MinPagesPerDay, MaxPagesPerDay) || MinPagesPerDay <= 0 ? "pages per day: 0 < min <= max"
            : Bad(MinWeekendShare, MaxWeekendShare) || MaxWeekendShare > 1 ? "weekend share: 0 <= min <= max <= 1"
            : Bad(MinColourShare, MaxColourShare) || MaxColourShare > 1 ? "colour share: 0 <= min <= max <= 1"
            : Bad(MinPagesPerCartridge, MaxPagesPerCartridge) || MinPagesPerCartridge < 1 ? "pages per cartridge: 1 <= min <= max"
            : Bad(DailyNoise, DailyNoise) || DailyNoise > 2 || Bad(CoverageNoise, CoverageNoise) || CoverageNoise > 2 ? "noise: 0 to 2"
            : MinSwapDelay < TimeSpan.Zero || MaxSwapDelay < MinSwapDelay ? "swap delay: 0 <= min <= max"
            : FirstPrintingHour is < 0 or > 23 || EndPrintingHour <= FirstPrintingHour || EndPrintingHour > 24 ? "printing hours: 0 <= first < end <= 24"
            : null;
    }
}
