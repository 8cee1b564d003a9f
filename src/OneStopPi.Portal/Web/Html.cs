using System.Globalization;
using System.Net;
using System.Text;

namespace OneStopPi.Portal.Web;

/// <summary>Tiny HTML helpers: every value goes through <see cref="E"/>.</summary>
internal static class Html
{
    public static readonly string Css = BaseCss + string.Concat(Enumerable.Range(0, 21).Select(i => $".w{i * 5}{{width:{i * 5}%}}"));

    private const string BaseCss = """
        body{font:16px/1.4 system-ui,sans-serif;margin:0;padding:0 .75rem 2rem;color:#222;background:#fafafa}
        header{display:flex;gap:1rem;align-items:baseline;flex-wrap:wrap;border-bottom:1px solid #ddd;margin-bottom:1rem}
        header a{color:#0b5cad;text-decoration:none}h1{font-size:1.3rem;margin:.6rem 0}h2{font-size:1.1rem;margin:1.2rem 0 .4rem}
        .scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;background:#fff;font-size:.92rem}
        th,td{padding:.35rem .5rem;border-bottom:1px solid #eee;text-align:left;white-space:nowrap}th{background:#f0f0f0}
        td.n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#777}.warn{color:#a15c00}.bad{color:#b00020}
        .bar{display:inline-block;width:4.5rem;height:.7rem;background:#e5e5e5;border-radius:3px;vertical-align:middle;margin-right:.3rem}
        .bar i{display:block;height:100%;border-radius:3px;background:#555}
        .c-black i{background:#222}.c-cyan i{background:#00a3d9}.c-magenta i{background:#d6007e}.c-yellow i{background:#e6c200}
        header form.inline{display:inline;margin-left:auto}
        @media (max-width:640px){table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:auto}
        table.cards tr:first-child{display:none}table.cards tr{background:#fff;border:1px solid #ddd;border-radius:6px;margin:.5rem 0;padding:.3rem .5rem}
        table.cards td{border:0;padding:.15rem 0;white-space:normal;text-align:left}
        table.cards td[data-l]::before{content:attr(data-l) ": ";color:#777}}
        .supply{white-space:nowrap}.fc{font-weight:600}svg.spark{vertical-align:middle}table.kv th{width:9rem}td.forecast{white-space:normal;min-width:14rem}
        form{display:flex;flex-direction:column;gap:.6rem;max-width:24rem}input,button{font-size:1rem;padding:.5rem}
        """;

    public static string E(string? value) => WebUtility.HtmlEncode(value ?? "");

    public static string E(long? value) => value?.ToString("N0", CultureInfo.InvariantCulture) ?? "";

    public static string When(DateTime? value) =>
        value is { } v ? v.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC" : "<span class=muted>never</span>";

    public static string Page(string title, string body, bool signedIn = true)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=en><head><meta charset=utf-8>")
            .Append("<meta name=viewport content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(E(title)).Append(" - OneStopPi portal</title>")
            .Append("<link rel=stylesheet href=\"/static/site.css\"></head><body><header><h1>").Append(E(title)).Append("</h1>");
        if (signedIn)
        {
            html.Append("<a href=\"/\">Sites</a><a href=\"/agents\">Agents</a><a href=\"/supplies\">Supplies</a><a href=\"/alerts\">Alerts</a>")
                .Append("<form class=inline method=post action=\"/logout\"><button>Sign out</button></form>");
        }

        return html.Append("</header>").Append(body).Append("</body></html>").ToString();
    }
}
