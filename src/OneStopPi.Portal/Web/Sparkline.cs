using System.Globalization;
using System.Text;

namespace OneStopPi.Portal.Web;

/// <summary>A small line chart as inline SVG, drawn on the server: no script, no external file (the CSP allows neither).</summary>
internal static class Sparkline
{
    public const int Width = 180;
    public const int Height = 36;

    /// <summary>The points scaled into the box (time across, value up); null with fewer than two points.</summary>
    public static string? Svg(IReadOnlyList<(DateTime At, double Value)> points, string label)
    {
        if (points.Count < 2)
        {
            return null;
        }

        long t0 = points[0].At.Ticks, t1 = points[^1].At.Ticks;
        double min = points.Min(p => p.Value), max = points.Max(p => p.Value);
        double spanT = Math.Max(1, t1 - t0), spanV = max > min ? max - min : 1;
        var path = new StringBuilder();
        foreach (var (at, value) in points)
        {
            double x = 1 + ((Width - 2) * (at.Ticks - t0) / spanT);
            double y = Height - 2 - ((Height - 4) * (value - min) / spanV);
            path.Append(path.Length == 0 ? "" : " ").Append(string.Create(CultureInfo.InvariantCulture, $"{x:0.#},{y:0.#}"));
        }

        return $"<svg class=spark role=img width={Width} height={Height} viewBox=\"0 0 {Width} {Height}\"><title>{Html.E(label)}</title>"
            + $"<polyline fill=none stroke=\"#0b5cad\" stroke-width=1.5 points=\"{path}\"/></svg>";
    }
}
