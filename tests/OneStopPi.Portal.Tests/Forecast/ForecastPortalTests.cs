using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Xml.Linq;
using OneStopPi.Portal.Api;
using OneStopPi.Portal.Tests.Support;
using OneStopPi.TestSupport;
using static OneStopPi.Portal.Tests.Support.ReadingXml;

namespace OneStopPi.Portal.Tests.Forecast;

/// <summary>
/// Four weeks of daily readings through the agent API, then the forecasts in the operator API and CSV, and the
/// device, site and fleet pages, read over HTTP and rendered by headless Chromium.
/// </summary>
[NonParallelizable]
public sealed class ForecastPortalTests
{
    private PortalServer _server = null!;
    private SiteCreated _site = null!;
    private long _printing, _idle;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _server = await PortalServer.StartAsync();
        (_site, var agent) = await _server.SiteWithAgentAsync("Forecast & Co");
        DateTime first = _server.Time.GetUtcNow().UtcDateTime.Date.AddDays(-28).AddHours(6);
        for (int d = 0; d < 28; d++)
        {
            // FC001 prints 200 pages a day, 1 % of black per 100 pages; its cyan says only "some remains" and its
            // waste box has a level without a maximum. FC002 stopped printing ten days ago.
            var busy = Device("10.7.0.1", "FC001", "00:17:c8:07:00:01", [("total", 10_000 + (200 * d)), ("mono", 9000 + (150 * d)), ("colour", 1000 + (50 * d))],
                [("black", 90 - (2 * d))]);
            busy.Add(Supply("cyan toner", "cyan", -3, -2), Supply("waste toner box", null, 3, -2));
            if (d == 27)
            {
                var status = busy.Element(Ns + "status")!;
                status.Add(new XElement(Ns + "error", "lowToner"),
                    new XElement(Ns + "alert", new XAttribute("severity", "warning"), new XAttribute("group", "markerSupplies"), new XAttribute("code", 1101), new XAttribute("description", "Toner low (black)")));
            }

            int printed = Math.Min(d, 18);
            var idle = Device("10.7.0.2", "FC002", "00:17:c8:07:00:02", [("total", 50_000 + (100 * printed))], [("black", 80 - printed)]);
            using var response = await PortalServer.UploadAsync(agent.Client, Guid.NewGuid().ToString(), Zip(Scan(agent.Id, _site.SiteId, first.AddDays(d), busy, idle)));
            Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
        }

        var devices = (await _server.Operator.GetFromJsonAsync<DeviceView[]>($"/api/operator/v1/sites/{_site.SiteId}/devices"))!;
        _printing = devices.Single(d => d.Serial == "FC001").Id;
        _idle = devices.Single(d => d.Serial == "FC002").Id;
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private static XElement Supply(string description, string? colour, int level, int max) =>
        new(Ns + "supply", new XAttribute("description", description), new XAttribute("type", "toner"), colour is null ? null : new XAttribute("colour", colour),
            new XAttribute("level", level), new XAttribute("max", max), new XAttribute("state", "ok"));

    [Test]
    public async Task The_operator_api_lists_every_supply_soonest_first_with_a_range_or_the_reason_for_none()
    {
        var supplies = (await _server.Operator.GetFromJsonAsync<FleetSupplyView[]>($"/api/operator/v1/supplies?siteId={_site.SiteId}"))!;
        Assert.That(supplies, Has.Length.EqualTo(4));

        // 36 % left at 2 % a day: 18 days from the last reading (this morning, 06:00).
        var black = supplies[0];
        Assert.That((black.Serial, black.Supply.Colour, black.Supply.Forecast!.Outcome), Is.EqualTo(("FC001", "black", "runOut")));
        DateTime lastRead = _server.Time.GetUtcNow().UtcDateTime.Date.AddDays(-1).AddHours(6);
        Assert.That(black.Supply.Forecast.RunOutAt, Is.EqualTo(lastRead.AddDays(18)).Within(TimeSpan.FromDays(1)));
        Assert.That(black.Supply.Forecast.Earliest, Is.LessThan(black.Supply.Forecast.RunOutAt));
        Assert.That(black.Supply.Forecast.Latest, Is.GreaterThan(black.Supply.Forecast.RunOutAt));
        Assert.That(black.Supply.Forecast.WeekdayPagesPerDay, Is.EqualTo(200).Within(10));

        var byName = supplies.ToDictionary(s => (s.Serial, s.Supply.Description));
        Assert.That(byName[("FC001", "cyan toner")].Supply.Forecast!.Outcome, Is.EqualTo("someRemaining"));
        Assert.That(byName[("FC001", "waste toner box")].Supply.Forecast!.Reason, Does.StartWith("level 3, no maximum given"));
        Assert.That(byName[("FC002", "black toner")].Supply.Forecast!.Outcome, Is.EqualTo("notPrinting"));
        Assert.That(byName[("FC002", "black toner")].Supply.Forecast!.RunOutAt, Is.Null);

        var site = (await _server.Operator.GetFromJsonAsync<DeviceView[]>($"/api/operator/v1/sites/{_site.SiteId}/devices"))!;
        Assert.That(site.Single(d => d.Id == _printing).Supplies[0].Forecast!.Outcome, Is.EqualTo("runOut"), "the device list carries the forecasts too");
        using var missing = await _server.Operator.GetAsync("/api/operator/v1/supplies?siteId=999999");
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task The_csv_export_has_a_row_per_supply_with_the_date_and_range()
    {
        var csv = await _server.Operator.GetStringAsync($"/api/operator/v1/sites/{_site.SiteId}/supplies.csv");
        string[] lines = csv.TrimEnd().Split("\r\n");
        Assert.That(lines[0], Does.StartWith("site_id,site,device_id,vendor,model,serial,ip,read_at_utc,supply,colour,level,max,unit,percent,state,forecast,run_out_utc,days_left,earliest_utc,latest_utc"));
        Assert.That(lines, Has.Length.EqualTo(5));
        Assert.That(lines[1], Does.Contain(",FC001,").And.Contain(",black,").And.Contain(",runOut,"));
        Assert.That(lines.Single(l => l.Contains("waste toner box", StringComparison.Ordinal)), Does.Contain("noMaximum").And.Contain("level 3, no maximum given"));
        var fleet = await _server.Operator.GetStringAsync("/api/operator/v1/supplies.csv");
        Assert.That(fleet, Does.Contain("Forecast & Co"));
    }

    [Test]
    public async Task The_pages_show_the_whole_reading_the_forecasts_and_what_is_known_of_a_level_without_a_maximum()
    {
        using var browser = await SignedInAsync();
        var sitePage = await browser.GetStringAsync($"/sites/{_site.SiteId}");
        Assert.That(sitePage, Does.Contain("level 3, no maximum given").And.Contain("out in ~").And.Contain("some remaining").And.Not.Contain("known"));
        var sorted = await browser.GetStringAsync($"/sites/{_site.SiteId}?sort=runout");
        Assert.That(sorted.IndexOf("FC001", StringComparison.Ordinal), Is.LessThan(sorted.IndexOf("FC002", StringComparison.Ordinal)));

        var fleet = await browser.GetStringAsync("/supplies");
        Assert.That(fleet, Does.Contain("id=fleet-supplies").And.Contain("Forecast &amp; Co").And.Contain("not printing"));
        var byLevel = await browser.GetStringAsync("/supplies?sort=level");
        Assert.That(byLevel.IndexOf("36%", StringComparison.Ordinal), Is.LessThan(byLevel.IndexOf("62%", StringComparison.Ordinal)).And.GreaterThan(0));

        var device = await browser.GetStringAsync($"/devices/{_printing}");
        Assert.That(device, Does.Contain("lowToner").And.Contain("Toner low (black)").And.Contain("markerSupplies"));
        Assert.That(device, Does.Contain("running").And.Contain("idle"), "hrDeviceStatus and hrPrinterStatus by name");
        Assert.That(device, Does.Contain("by <span class=box>onestoppi-test</span>"), "which box read it");
        Assert.That(device, Does.Contain("80 % range").And.Contain("level 3, no maximum given").And.Contain("only says some remains"));
        foreach (string counter in new[] { "total", "mono", "colour" })
        {
            Assert.That(device, Does.Contain($"<code>{counter}</code>"));
        }

        Assert.That(device.Split("<svg class=spark").Length - 1, Is.EqualTo(3), "a chart per counter");
        Assert.That(device, Does.Contain("15,400"), "the latest total");
        Assert.That(device, Does.Not.Contain("<script"));
    }

    [Test]
    public async Task Chromium_renders_the_device_page_with_its_charts_and_forecast()
    {
        Prerequisite.RequireFile("/usr/bin/chromium", "chromium");
        using var browser = await SignedInAsync();
        // Chromium cannot sign in from the command line: a loopback proxy adds the session cookie.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var http = new HttpListener();
        http.Prefixes.Add($"http://127.0.0.1:{port}/");
        http.Start();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var proxy = ProxyAsync(http, browser, stop.Token);
        try
        {
            ProcessResult dom = await RunChromiumAsync("--window-size=1280,2000", "--dump-dom", $"http://127.0.0.1:{port}/devices/{_printing}");
            Assert.That(dom.ExitCode, Is.Zero, dom.ToString());
            string html = dom.StandardOutput;
            Assert.That(html, Does.Contain("<polyline"), "the inline SVG charts are in the rendered page");
            Assert.That(html, Does.Contain("Toner low (black)").And.Contain("80 % range").And.Contain("level 3, no maximum given"));
            Assert.That(html, Does.Contain("id=\"counters\"").And.Contain("id=\"supplies\"").And.Contain("id=\"readings\""));

            ProcessResult site = await RunChromiumAsync("--window-size=412,915", "--dump-dom", $"http://127.0.0.1:{port}/sites/{_site.SiteId}?sort=runout");
            Assert.That(site.StandardOutput, Does.Contain("level 3, no maximum given").And.Contain("out in ~"));
        }
        finally
        {
            await stop.CancelAsync();
            http.Stop();
            await proxy;
        }
    }

    private static async Task<ProcessResult> RunChromiumAsync(params string[] arguments)
    {
        string profile = Directory.CreateTempSubdirectory("onestoppi-chromium-").FullName;
        try
        {
            return await ExternalProcess.RunAsync("/usr/bin/chromium",
                ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-default-apps", "--disable-extensions", "--hide-scrollbars", $"--user-data-dir={profile}", .. arguments],
                timeout: TimeSpan.FromSeconds(90));
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }

    /// <summary>Answers each GET with the portal's answer to the same path, fetched by the signed-in client.</summary>
    private static async Task ProxyAsync(HttpListener http, HttpClient browser, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await http.GetContextAsync().WaitAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var answer = await browser.GetAsync(context.Request.Url!.PathAndQuery, cancellationToken);
            context.Response.StatusCode = (int)answer.StatusCode;
            context.Response.ContentType = answer.Content.Headers.ContentType?.ToString();
            byte[] body = await answer.Content.ReadAsByteArrayAsync(cancellationToken);
            try
            {
                await context.Response.OutputStream.WriteAsync(body, cancellationToken);
                context.Response.Close();
            }
            catch (HttpListenerException)
            {
                // Chromium went away first (it exits once the DOM is dumped, with its favicon request still open):
                // that request has no one to answer; the page's own request decides the test.
                context.Response.Abort();
            }
        }
    }

    private async Task<HttpClient> SignedInAsync()
    {
        var handler = new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        var pin = _server.CertificateSha256;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, c, _, _) => c?.GetCertHashString(HashAlgorithmName.SHA256) == pin;
        var browser = new HttpClient(handler) { BaseAddress = _server.BaseAddress };
        using var login = await browser.PostAsync("/login", new FormUrlEncodedContent([new("token", _server.OperatorToken)]));
        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        return browser;
    }
}
