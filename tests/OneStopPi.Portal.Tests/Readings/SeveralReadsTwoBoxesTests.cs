using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.EntityFrameworkCore;
using OneStopPi.Contracts;
using OneStopPi.Portal.Api;
using OneStopPi.Portal.Tests.Support;
using static OneStopPi.Portal.Tests.Support.ReadingXml;

namespace OneStopPi.Portal.Tests.Readings;

/// <summary>
/// Several meter reads a day and two boxes on one site, through the real portal: the list of times set by API and by
/// the site page's form and handed to agents, one reading per device per scheduled slot however many boxes read it,
/// which box saw each device, a box gone silent, and the billing export's choice of reading (last of the day, closest
/// to a time) in the site's time zone.
/// </summary>
[NonParallelizable]
public sealed class SeveralReadsTwoBoxesTests
{
    private PortalServer _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        _server = await PortalServer.StartAsync(new Dictionary<string, string?> { ["Portal:AgentSilentAfter"] = "00:10:00" });

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    private static string Utc(DateTime value) => value.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A meter scan document of a scheduled slot, as an agent of this version writes it.</summary>
    private static XElement SlotScan(TestAgent agent, int siteId, DateTime slot, DateTime end, params XElement[] devices)
    {
        XElement scan = Scan(agent.Id, siteId, end, devices);
        scan.SetAttributeValue("slot", Utc(slot));
        return scan;
    }

    private static async Task UploadAsync(TestAgent agent, XElement document)
    {
        string batch = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        using var response = await PortalServer.UploadAsync(agent.Client, batch, Zip(("meter.xml", Bytes(document))));
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
    }

    private async Task<SiteConfigView> PatchAsync(int siteId, object update, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await _server.Operator.PatchAsJsonAsync($"/api/operator/v1/sites/{siteId}/config", update);
        Assert.That(response.StatusCode, Is.EqualTo(expected), await response.Content.ReadAsStringAsync());
        return expected == HttpStatusCode.OK ? (await response.Content.ReadFromJsonAsync<SiteConfigView>())! : null!;
    }

    private async Task<SiteConfigView> ConfigAsync(int siteId) =>
        (await _server.Operator.GetFromJsonAsync<SiteConfigView>($"/api/operator/v1/sites/{siteId}/config"))!;

    [Test]
    public async Task The_list_of_meter_times_is_set_by_api_and_reaches_agents_old_and_new()
    {
        var (site, agent) = await _server.SiteWithAgentAsync("Three reads");
        SiteConfigView view = await PatchAsync(site.SiteId, new { meterTimes = new[] { "17:30", "07:30", "12:30" } });
        Assert.That(view.Schedule.MeterTimes, Is.EqualTo(new[] { "07:30", "12:30", "17:30" }));
        Assert.That(view.Schedule.MeterTime, Is.EqualTo("07:30"));

        AgentConfig config = (await agent.Client.GetFromJsonAsync<AgentConfig>("/api/agent/v1/config"))!;
        Assert.That(config.Schedule.MeterTimes, Is.EqualTo(new[] { "07:30", "12:30", "17:30" }));
        Assert.That(config.Schedule.MeterTime, Is.EqualTo("07:30"), "an agent before several reads a day reads once, at the first");

        await PatchAsync(site.SiteId, new { meterTimes = new[] { "07:30", "25:00" } }, HttpStatusCode.BadRequest);
        await PatchAsync(site.SiteId, new { meterTimes = Array.Empty<string>() }, HttpStatusCode.BadRequest);
        await PatchAsync(site.SiteId, new { meterTimes = new[] { "07:30", "07:30" } }, HttpStatusCode.BadRequest);
        await PatchAsync(site.SiteId, new { meterTime = "06:00", meterTimes = new[] { "07:30" } }, HttpStatusCode.BadRequest);

        // An operator tool before the list sets one time: the site reads once a day again.
        view = await PatchAsync(site.SiteId, new { meterTime = "06:15" });
        Assert.That(view.Schedule.MeterTimes, Is.EqualTo(new[] { "06:15" }));
        config = (await agent.Client.GetFromJsonAsync<AgentConfig>("/api/agent/v1/config"))!;
        Assert.That((config.Schedule.MeterTime, config.Schedule.AllMeterTimes()), Is.EqualTo(("06:15", (IReadOnlyList<string>)["06:15"])));
    }

    [Test]
    public async Task The_site_pages_form_sets_the_times_and_refuses_a_bad_list()
    {
        var (site, _) = await _server.SiteWithAgentAsync("Form reads");
        using HttpClient browser = await SignedInAsync();
        long before = (await ConfigAsync(site.SiteId)).Version;

        using var saved = await browser.PostAsync($"/sites/{site.SiteId}/meter-times", new FormUrlEncodedContent([new("times", "12:30, 07:30 17:30")]));
        Assert.That(saved.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        SiteConfigView view = await ConfigAsync(site.SiteId);
        Assert.That(view.Schedule.MeterTimes, Is.EqualTo(new[] { "07:30", "12:30", "17:30" }));
        Assert.That(view.Version, Is.GreaterThan(before), "agents fetch the new configuration");
        string page = await browser.GetStringAsync($"/sites/{site.SiteId}");
        Assert.That(page, Does.Contain("<p id=meter-times>07:30, 12:30, 17:30 (Europe/Berlin)</p>"));

        using var refused = await browser.PostAsync($"/sites/{site.SiteId}/meter-times", new FormUrlEncodedContent([new("times", "7:3")]));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("meter time &#39;7:3&#39; must be HH:mm").Or.Contain("meter time '7:3' must be HH:mm"));
        Assert.That((await ConfigAsync(site.SiteId)).Schedule.MeterTimes, Is.EqualTo(new[] { "07:30", "12:30", "17:30" }), "unchanged");
    }

    [Test]
    public async Task Two_boxes_reading_one_slot_leave_one_reading_per_device_and_each_sighting()
    {
        SiteCreated site = await _server.CreateSiteAsync("Two boxes");
        TestAgent boxA = await _server.EnrolAsync(site, "pi-box-a");
        TestAgent boxB = await _server.EnrolAsync(site, "pi-box-b");
        await _server.AssignAsync(boxA, site.SiteId);
        await _server.AssignAsync(boxB, site.SiteId);
        var slot = new DateTime(2026, 11, 25, 6, 30, 0, DateTimeKind.Utc);

        // Both read X and Y; only B reaches Z. B's firmware reports X's serial in lower case and Y without a MAC.
        await UploadAsync(boxA, SlotScan(boxA, site.SiteId, slot, slot.AddMinutes(2),
            Device("10.9.0.1", "XSER1", "00:17:c8:09:00:01", [("total", 1000)]),
            Device("10.9.0.2", "YSER2", "00:17:c8:09:00:02", [("total", 2000)])));
        await UploadAsync(boxB, SlotScan(boxB, site.SiteId, slot, slot.AddMinutes(3),
            Device("10.9.0.1", "xser1", "00:17:c8:09:00:01", [("total", 1001)]),
            Device("10.9.0.2", "YSER2", null, [("total", 2001)]),
            Device("10.9.0.3", "ZSER3", "00:17:c8:09:00:03", [("total", 3000)])));
        // The same slot read again by A (a re-run after a crash) adds nothing either.
        await UploadAsync(boxA, SlotScan(boxA, site.SiteId, slot, slot.AddMinutes(9), Device("10.9.0.1", "XSER1", "00:17:c8:09:00:01", [("total", 1002)])));

        var stored = await _server.DbAsync(db => db.Readings.Where(r => r.SiteId == site.SiteId)
            .Select(r => new { r.DeviceId, r.Slot, Total = r.Counters.Single(c => c.Name == "total").Value, r.Scan!.AgentId }).ToListAsync());
        Assert.That(stored.Select(r => r.DeviceId).Distinct().Count(), Is.EqualTo(3), "merged by serial + MAC");
        Assert.That(stored, Has.Count.EqualTo(3), "one reading per device for the slot");
        Assert.That(stored.All(r => r.Slot == slot));
        Assert.That(stored.Select(r => (r.Total, r.AgentId)), Is.EquivalentTo(new[] { (1000L, boxA.Id), (2000L, boxA.Id), (3000L, boxB.Id) }), "the first box's reading kept");

        string csv = await _server.Operator.GetStringAsync($"/api/operator/v1/sites/{site.SiteId}/meters.csv?from=2026-11-25T00:00:00Z&to=2026-11-26T00:00:00Z");
        Assert.That(csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(4), "three devices, none counted twice:\n" + csv);

        DeviceView[] devices = (await _server.Operator.GetFromJsonAsync<DeviceView[]>($"/api/operator/v1/sites/{site.SiteId}/devices"))!;
        DeviceView x = devices.Single(d => d.Serial == "XSER1");
        Assert.That(x.SeenBy!.Select(s => (s.Box, s.LastSeenAt)), Is.EqualTo(new[] { ("onestoppi-test", slot.AddMinutes(9)), ("onestoppi-test", slot.AddMinutes(3)) }));
        Assert.That(x.SeenBy!.Select(s => s.AgentId), Is.EqualTo(new[] { boxA.Id, boxB.Id }), "newest first");
        Assert.That(devices.Single(d => d.Serial == "ZSER3").SeenBy!.Select(s => s.AgentId), Is.EqualTo(new[] { boxB.Id }));
        Guid? lastSeenBy = await _server.DbAsync(db => db.Devices.Where(d => d.Serial == "ZSER3").Select(d => d.LastSeenByAgentId).SingleAsync());
        Assert.That(lastSeenBy, Is.EqualTo(boxB.Id));
    }

    [Test]
    public async Task A_box_gone_silent_is_shown_on_the_agents_the_site_and_the_device()
    {
        SiteCreated site = await _server.CreateSiteAsync("One box dies");
        TestAgent boxA = await _server.EnrolAsync(site, "pi-quiet-a");
        TestAgent boxB = await _server.EnrolAsync(site, "pi-quiet-b");
        await _server.AssignAsync(boxA, site.SiteId);
        await _server.AssignAsync(boxB, site.SiteId);
        DateTime now = _server.Time.GetUtcNow().UtcDateTime;
        await UploadAsync(boxA, Scan(boxA.Id, site.SiteId, now, Device("10.9.1.1", "QSER1", "00:17:c8:09:01:01", [("total", 10)])));
        await UploadAsync(boxB, Scan(boxB.Id, site.SiteId, now, Device("10.9.1.1", "QSER1", "00:17:c8:09:01:01", [("total", 11)])));

        // B dies; A carries on for eleven minutes (silent after ten).
        _server.Time.Advance(TimeSpan.FromMinutes(11));
        await UploadAsync(boxA, Scan(boxA.Id, site.SiteId, _server.Time.GetUtcNow().UtcDateTime, Device("10.9.1.1", "QSER1", "00:17:c8:09:01:01", [("total", 12)])));

        AgentView[] agents = (await _server.Operator.GetFromJsonAsync<AgentView[]>("/api/operator/v1/agents"))!;
        Assert.That(agents.Single(a => a.Id == boxA.Id).Silent, Is.False);
        Assert.That(agents.Single(a => a.Id == boxB.Id).Silent, Is.True);
        Assert.That(agents.Single(a => a.Id == boxB.Id).LastSeenAt, Is.LessThan(agents.Single(a => a.Id == boxA.Id).LastSeenAt!.Value.AddMinutes(-10)),
            "per-agent last heard, what an \"agent silent for N minutes\" rule reads");

        using HttpClient browser = await SignedInAsync();
        string sitePage = await browser.GetStringAsync($"/sites/{site.SiteId}");
        Assert.That(sitePage, Does.Contain("<span class=bad>silent</span> since"), "the agents table");
        long deviceId = await _server.DbAsync(db => db.Devices.Where(d => d.Serial == "QSER1").Select(d => d.Id).SingleAsync());
        string devicePage = await browser.GetStringAsync($"/devices/{deviceId}");
        string seenBy = devicePage[devicePage.IndexOf("id=seen-by>", StringComparison.Ordinal)..];
        seenBy = seenBy[..seenBy.IndexOf("</td>", StringComparison.Ordinal)];
        Assert.That(seenBy.Split("<br>"), Has.Length.EqualTo(2));
        Assert.That(seenBy.Split("<br>")[0], Does.Not.Contain("silent"), "A saw it last and is heard");
        Assert.That(seenBy.Split("<br>")[1], Does.Contain("silent"), "B saw it before and went quiet");
    }

    [Test]
    public async Task The_billing_export_picks_the_last_reading_of_each_site_day_or_the_one_closest_to_a_time()
    {
        var (site, agent) = await _server.SiteWithAgentAsync("Pick reads"); // Europe/Berlin, UTC+1 in November
        // Site day 25th: 07:30, 12:30, 23:30 local. Site day 26th: 00:30 local (still the 25th in UTC), 12:30.
        DateTime[] localTimes =
        [
            new(2026, 11, 25, 7, 30, 0), new(2026, 11, 25, 12, 30, 0), new(2026, 11, 25, 23, 30, 0),
            new(2026, 11, 26, 0, 30, 0), new(2026, 11, 26, 12, 30, 0),
        ];
        for (int i = 0; i < localTimes.Length; i++)
        {
            DateTime utc = localTimes[i].AddHours(-1);
            var reading = Device("10.9.2.1", "PSER1", "00:17:c8:09:02:01", [("total", 100 * (i + 1))]);
            await UploadAsync(agent, SlotScan(agent, site.SiteId, DateTime.SpecifyKind(utc, DateTimeKind.Utc), DateTime.SpecifyKind(utc.AddMinutes(1), DateTimeKind.Utc), reading));
        }

        async Task<string[]> TotalsAsync(string query)
        {
            string csv = await _server.Operator.GetStringAsync($"/api/operator/v1/sites/{site.SiteId}/meters.csv?{query}");
            string[] lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            int column = Array.IndexOf(lines[0].Split(','), "total");
            return [.. lines.Skip(1).Select(l => l.Split(',')[column])];
        }

        Assert.That(await TotalsAsync("from=2026-11-24T00:00:00Z&to=2026-11-27T00:00:00Z"), Is.EqualTo(new[] { "100", "200", "300", "400", "500" }));
        Assert.That(await TotalsAsync("from=2026-11-24T00:00:00Z&to=2026-11-27T00:00:00Z&pick=last"), Is.EqualTo(new[] { "300", "500" }),
            "the site's day: 23:30 local is the 25th's last; 00:30 local belongs to the 26th");
        Assert.That(await TotalsAsync("pick=last"), Is.EqualTo(new[] { "300", "500" }), "without a period: every site day");
        Assert.That(await TotalsAsync("pick=closest&at=12:00"), Is.EqualTo(new[] { "200", "500" }));
        Assert.That(await TotalsAsync("pick=closest&at=06:00"), Is.EqualTo(new[] { "100", "400" }));
        Assert.That(await TotalsAsync("pick=closest&at=10:00"), Is.EqualTo(new[] { "100", "500" }), "07:31 is 2 h 29 min away, 12:31 2 h 31 min");

        foreach (string bad in new[] { "pick=closest", "pick=first", "pick=last&at=12:00", "pick=closest&at=noon" })
        {
            using var response = await _server.Operator.GetAsync($"/api/operator/v1/sites/{site.SiteId}/meters.csv?{bad}");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), bad);
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
