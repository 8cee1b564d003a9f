using System.Globalization;

namespace OneStopPi.Portal.Api;

/// <summary>What the billing export takes of a site that reads its meters several times a day.</summary>
internal enum MeterPickMode
{
    /// <summary>Every meter reading (one per device per scheduled slot).</summary>
    All,

    /// <summary>Per device, the last reading of each site day.</summary>
    LastOfDay,

    /// <summary>Per device and site day, the reading closest to a site time (the earlier on a tie).</summary>
    Closest,
}

/// <summary>The export's choice: ?pick=all|last|closest&amp;at=HH:mm (at only with closest).</summary>
internal sealed record MeterPick(MeterPickMode Mode, TimeOnly At = default)
{
    public static readonly MeterPick All = new(MeterPickMode.All);

    /// <summary>Null when the two parameters do not make a choice.</summary>
    public static MeterPick? Parse(string? pick, string? at)
    {
        switch (pick?.Trim().ToLowerInvariant())
        {
            case null or "" or "all" when at is null:
                return All;
            case "last" when at is null:
                return new MeterPick(MeterPickMode.LastOfDay);
            case "closest" when TimeOnly.TryParseExact(at, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time):
                return new MeterPick(MeterPickMode.Closest, time);
            default:
                return null;
        }
    }

    /// <summary>
    /// One device's readings (any order) narrowed to what the dealer asked for; <paramref name="at"/> gives a reading's
    /// time (UTC), each compared in the site's <paramref name="zone"/>.
    /// </summary>
    public IEnumerable<T> Choose<T>(IEnumerable<T> readings, Func<T, DateTime> at, TimeZoneInfo zone)
    {
        if (Mode == MeterPickMode.All)
        {
            return readings;
        }

        return readings
            .Select(r => (Reading: r, Local: TimeZoneInfo.ConvertTimeFromUtc(at(r), zone), Utc: at(r)))
            .GroupBy(r => DateOnly.FromDateTime(r.Local))
            .OrderBy(day => day.Key)
            .Select(day => Mode == MeterPickMode.LastOfDay
                ? day.MaxBy(r => r.Utc).Reading
                : day.OrderBy(r => (r.Local.TimeOfDay - At.ToTimeSpan()).Duration()).ThenBy(r => r.Utc).First().Reading);
    }
}
