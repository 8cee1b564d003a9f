using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace OneStopPi.Agent.Lan.Http;

/// <summary>
/// The status page at <c>/</c>: one server-rendered HTML document, no script, readable on a phone
/// (tables turn into cards under 40em). Every value goes through the HTML encoder.
/// </summary>
public static class StatusPage
{
    private const string Style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f4f6f8;color:#1b1f23}
        header{background:#1f4e79;color:#fff;padding:1em}
        header h1{margin:0;font-size:1.4em}header p{margin:.3em 0 0;opacity:.9}
        main{padding:.5em 1em 2em;max-width:60em;margin:auto}
        h2{font-size:1.1em;margin:1.4em 0 .5em}
        .tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(10em,1fr));gap:.6em}
        .tile{background:#fff;border-radius:.5em;padding:.7em;box-shadow:0 1px 2px #0002}
        .tile b{display:block;font-size:.8em;color:#57606a;font-weight:600}
        .ok{color:#1a7f37}.bad{color:#cf222e}.unknown{color:#9a6700}
        table{width:100%;border-collapse:collapse;background:#fff;border-radius:.5em;overflow:hidden;box-shadow:0 1px 2px #0002}
        th,td{text-align:left;padding:.45em .6em;border-bottom:1px solid #eaeef2}th{background:#eaeef2;font-size:.85em}
        @media (max-width:40em){table,thead,tbody,tr,td{display:block}thead{display:none}
          tr{margin-bottom:.6em;border-radius:.5em;background:#fff}td{border:0;padding:.2em .6em}
          td::before{content:attr(data-label) ": ";font-weight:600;color:#57606a}}
        footer{font-size:.8em;color:#57606a;padding:1em}
        """;

    public static string Render(StatusReport status, IReadOnlyList<LocalDevice> devices)
    {
        HtmlEncoder e = HtmlEncoder.Default;
        var html = new StringBuilder(8192);
        html.Append(CultureInfo.InvariantCulture, $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="30">
            <title>{e.Encode(status.MdnsName)} · OneStopPi</title>
            <style>{Style}</style></head>
            <body><header><h1>OneStopPi {e.Encode(status.MdnsName)}</h1>
            <p>version {e.Encode(status.Version)} · host {e.Encode(status.Hostname)} · agent {e.Encode(status.AgentId ?? "not enrolled")}</p></header>
            <main>
            <section class="tiles" id="health">
            """);
        Tile(html, "Enrolment", status.Enrolment.Enrolled ? (status.Enrolment.Assigned ? "enrolled, assigned" : "enrolled, not assigned") : "not enrolled",
            status.Enrolment.Enrolled && status.Enrolment.Assigned ? "ok" : "unknown");
        Tile(html, "Portal", status.Portal.Reachable switch { true => "reachable", false => "unreachable", null => "no contact yet" }
            + (status.Portal.LastContact is { } contact ? $" (last {When(contact)})" : ""),
            status.Portal.Reachable switch { true => "ok", false => "bad", null => "unknown" });
        Tile(html, "Clock", status.ClockSynchronised ? $"synchronised ({status.ClockSource})" : "not synchronised", status.ClockSynchronised ? "ok" : "bad");
        Tile(html, "Outbox", string.Create(CultureInfo.InvariantCulture, $"{status.Outbox.Depth} batch(es) waiting")
            + (status.Outbox.StatusPaused ? "; full: status readings not queued" : ""), status.Outbox.StatusPaused ? "bad" : status.Outbox.Depth < 10 ? "ok" : "unknown");
        Tile(html, "Stages", status.Stages.Stalled is { } stalled ? $"{stalled} stalled"
            : string.Create(CultureInfo.InvariantCulture, $"{status.Stages.Restarts} restart(s)"), status.Stages.Stalled is not null ? "bad" : status.Stages.Restarts == 0 ? "ok" : "unknown");
        Tile(html, "Uptime", Duration(TimeSpan.FromSeconds(status.UptimeSeconds)), "ok");
        Tile(html, "Known devices", status.Scans.KnownDevices.ToString(CultureInfo.InvariantCulture), "ok");
        html.Append("</section>\n<h2>Scans</h2>\n<table id=\"scans\"><thead><tr><th>Scan</th><th>Last</th><th>Devices</th><th>Answered</th></tr></thead><tbody>\n");
        ScanRow(html, "Discovery", status.Scans.Discovery);
        ScanRow(html, "Meter", status.Scans.Meter);
        ScanRow(html, "Status", status.Scans.Status);
        html.Append("</tbody></table>\n");
        html.Append(CultureInfo.InvariantCulture, $"<h2>Devices ({devices.Count})</h2>\n");
        html.Append("<table id=\"devices\"><thead><tr><th>Model</th><th>Serial</th><th>IP</th><th>Last reading</th><th>Total pages</th><th>Lowest supply</th></tr></thead><tbody>\n");
        foreach (LocalDevice device in devices)
        {
            html.Append("<tr>");
            Cell(html, "Model", device.Model ?? device.Vendor ?? "unknown");
            Cell(html, "Serial", device.Serial ?? "");
            Cell(html, "IP", device.Ip);
            Cell(html, "Last reading", device.LastReading is { } at ? When(at) : "");
            Cell(html, "Total pages", device.TotalPages?.ToString("N0", CultureInfo.InvariantCulture) ?? "");
            Cell(html, "Lowest supply", device.LowestSupply is { } supply
                ? supply.Percent is { } percent ? string.Create(CultureInfo.InvariantCulture, $"{supply.Name} {percent}%") : supply.Name
                : "");
            html.Append("</tr>\n");
        }

        if (devices.Count == 0)
        {
            html.Append("<tr><td colspan=\"6\">No device known yet: the first meter scan finds them.</td></tr>\n");
        }

        html.Append("</tbody></table>\n<h2>Network</h2>\n<table id=\"network\"><thead><tr><th>Interface</th><th>Address</th><th>MAC</th></tr></thead><tbody>\n");
        foreach (InterfaceReport nic in status.Network)
        {
            html.Append("<tr>");
            Cell(html, "Interface", nic.Name);
            Cell(html, "Address", nic.Address);
            Cell(html, "MAC", nic.Mac ?? "");
            html.Append("</tr>\n");
        }

        html.Append(CultureInfo.InvariantCulture, $"""
            </tbody></table>
            </main><footer>Discovery probes: {status.Discovery.Probes} received, {status.Discovery.Answered} answered, {status.Discovery.RateLimited} rate-limited, {status.Discovery.Malformed} ignored · <a href="/status">/status</a> · <a href="/devices">/devices</a> · <a href="/openapi/v1.json">OpenAPI</a></footer>
            </body></html>
            """);
        return html.ToString();
    }

    private static void Tile(StringBuilder html, string label, string value, string state) =>
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"tile\"><b>{HtmlEncoder.Default.Encode(label)}</b><span class=\"{state}\">{HtmlEncoder.Default.Encode(value)}</span></div>\n");

    private static void Cell(StringBuilder html, string label, string value) =>
        html.Append(CultureInfo.InvariantCulture, $"<td data-label=\"{HtmlEncoder.Default.Encode(label)}\">{HtmlEncoder.Default.Encode(value)}</td>");

    private static void ScanRow(StringBuilder html, string name, ScanReport scan)
    {
        html.Append("<tr>");
        Cell(html, "Scan", name);
        Cell(html, "Last", scan.Finished is { } at ? When(at) + (scan.Failed == true ? " (failed)" : "") : "not yet");
        Cell(html, "Devices", scan.Devices?.ToString(CultureInfo.InvariantCulture) ?? "");
        Cell(html, "Answered", scan.Answered?.ToString(CultureInfo.InvariantCulture) ?? "");
        html.Append("</tr>\n");
    }

    private static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Duration(TimeSpan span) =>
        span.TotalDays >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalDays} d {span.Hours} h")
        : span.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.Hours} h {span.Minutes} min")
        : string.Create(CultureInfo.InvariantCulture, $"{span.Minutes} min {span.Seconds} s");
}
