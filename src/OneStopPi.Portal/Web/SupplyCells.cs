using System.Globalization;
using System.Text;
using OneStopPi.Portal.Api;
using static OneStopPi.Portal.Web.Html;

namespace OneStopPi.Portal.Web;

/// <summary>How a supply and its forecast read on a page: a bar only where a percentage is known, words otherwise.</summary>
internal static class SupplyCells
{
    /// <summary>Percent full, from the printer's percent or level/maximum; null where no maximum makes it one.</summary>
    public static int? Percent(SupplyView s) => s.Percent ?? (s is { Level: >= 0, Max: > 0 } ? (int)Math.Min(100, (long)s.Level.Value * 100 / s.Max.Value) : null);

    /// <summary>What is known of the level in words: "63%", "level 3, no maximum given", "some remaining", ...</summary>
    public static string LevelText(SupplyView s) => (s.Level, s.Max, Percent(s)) switch
    {
        (_, _, { } p) => $"{p}%",
        (-3, _, _) => "some remaining",
        (-2, _, _) or (null, _, _) => "level unknown",
        (-1, _, _) => "no limit",
        ({ } level, _, _) => string.Create(CultureInfo.InvariantCulture, $"level {level:N0}{(s.Unit is { Length: > 0 } u ? " " + u : "")}, no maximum given"),
    };

    public static string Name(SupplyView s) => s.Colour is { Length: > 0 } c && s.Description is { Length: > 0 } d && !d.Contains(c, StringComparison.OrdinalIgnoreCase)
        ? $"{c} {d}" : s.Description ?? s.Colour ?? "supply";

    /// <summary>The bar (only with a percentage), name and level; the site page's one line per supply.</summary>
    public static string Line(SupplyView s)
    {
        var html = new StringBuilder("<div class=supply>");
        if (Percent(s) is { } pct)
        {
            html.Append($"<span class=\"bar c-{E(s.Colour?.ToLowerInvariant())}\"><i class=\"w{pct / 5 * 5}\"></i></span>");
        }

        html.Append($"{E(s.Colour ?? s.Description)} {E(LevelText(s))}");
        if (s.Forecast is { } f)
        {
            html.Append(' ').Append(Short(f));
        }

        return html.Append("</div>").ToString();
    }

    /// <summary>"out in ~12 d" with the range as a tooltip, or the outcome in a word or two.</summary>
    public static string Short(SupplyForecastView f) => f.Outcome switch
    {
        "runOut" => $"<span class=\"fc {Urgency(f.DaysLeft)}\" title=\"{E(Range(f))}\">out in ~{E(Days(f.DaysLeft))}</span>",
        "empty" => "<span class=\"fc bad\">empty</span>",
        "notPrinting" => $"<span class=\"fc muted\" title=\"{E(f.Reason)}\">not printing</span>",
        _ => $"<span class=\"fc muted\" title=\"{E(f.Reason)}\">no forecast</span>",
    };

    /// <summary>The forecast in full: date, days left, range and why (device and fleet pages).</summary>
    public static string Full(SupplyForecastView? f) => f is null ? "" : f.Outcome switch
    {
        "runOut" => $"<span class=\"fc {Urgency(f.DaysLeft)}\">{E(Date(f.RunOutAt))}, in {E(Days(f.DaysLeft))}</span><br><span class=muted>80 % range {E(Date(f.Earliest))} to {E(Date(f.Latest))}; {E(f.Reason)}</span>",
        "empty" => $"<span class=\"fc bad\">empty</span> <span class=muted>{E(f.Reason)}</span>",
        _ => $"<span class=\"fc muted\">{E(f.Outcome switch { "notPrinting" => "not printing", "beyondHorizon" => "not within two years", _ => "no forecast" })}</span><br><span class=muted>{E(f.Reason)}</span>",
    };

    public static string Date(DateTime? at) => at?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";

    public static string Days(double? days) => days is { } d ? string.Create(CultureInfo.InvariantCulture, $"{d:0.#} d") : "";

    private static string Range(SupplyForecastView f) => $"{Date(f.RunOutAt)} (80 % range {Date(f.Earliest)} to {Date(f.Latest)}): {f.Reason}";

    private static string Urgency(double? days) => days switch { < 7 => "bad", < 21 => "warn", _ => "" };
}
