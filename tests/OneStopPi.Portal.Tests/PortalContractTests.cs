using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Xml.Linq;
using Microsoft.EntityFrameworkCore;
using OneStopPi.Contracts;
using OneStopPi.Portal.Api;
using OneStopPi.Portal.Data;
using OneStopPi.Portal.Tests.Support;
using static OneStopPi.Portal.Tests.Support.ReadingXml;

namespace OneStopPi.Portal.Tests;

/// <summary>
/// The agent↔portal protocol and the operator API against a real portal (Kestrel, HTTPS on loopback).
/// Runs once per database: <see cref="SqlitePortalTests"/>, <see cref="PostgresPortalTests"/>.
/// Every test makes its own site and agent, so they share one server.
/// </summary>
public abstract class PortalContractTests
{
    private protected PortalServer Server { get; private set; } = null!;

    private protected abstract Task<PortalServer> StartServerAsync();

    [OneTimeSetUp]
    public async Task StartAsync() => Server = await StartServerAsync();

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    private protected static DateTime Morning { get; } = new(2026, 3, 2, 6, 5, 0, DateTimeKind.Utc);

    private protected static XElement Printer(int n, long total, int black = 80) => Device(
        $"10.1.0.{n}", $"SER{n:D5}", $"00:17:c8:00:00:{n:x2}",
        [("total", total), ("mono", total * 3 / 4), ("colour", total - (total * 3 / 4)), ("copy", total / 2)],
        [("black", black), ("cyan", 55)]);

    // ---- enrolment and configuration -------------------------------------------------------

    [Test]
    public async Task Enrolment_gives_an_unassigned_agent_an_empty_configuration_until_an_operator_assigns_it()
    {
        var site = await Server.CreateSiteAsync();
        await ConfigureAsync(site.SiteId, new SiteConfigUpdate(["10.1.0.0/24"], ["10.1.0.1"], ["public", "s3cret-community"], null, "05:30", null, 10, 60, "debug"));
        var agent = await Server.EnrolAsync(site);

        var before = await agent.Client.GetFromJsonAsync<AgentConfig>("/api/agent/v1/config");
        Assert.That(before!.Assigned, Is.False);
        Assert.That(before.Ranges, Is.Empty);
        Assert.That(before.Snmp.Communities, Is.Empty);
        Assert.That(before.AgentId, Is.EqualTo(agent.Id));

        await Server.AssignAsync(agent, site.SiteId);
        var after = await agent.Client.GetFromJsonAsync<AgentConfig>("/api/agent/v1/config");
        Assert.Multiple(() =>
        {
            Assert.That(after!.Assigned, Is.True);
            Assert.That(after.SiteId, Is.EqualTo(site.SiteId));
            Assert.That(after.Ranges, Is.EqualTo(new[] { "10.1.0.0/24" }));
            Assert.That(after.Exclusions, Is.EqualTo(new[] { "10.1.0.1" }));
            Assert.That(after.Snmp.Communities, Is.EqualTo(new[] { "public", "s3cret-community" }));
            Assert.That(after.Schedule with { MeterTimes = null }, Is.EqualTo(new ScheduleConfig("05:30", "Europe/Berlin", 10, 60)));
            Assert.That(after.Schedule.MeterTimes, Is.EqualTo(new[] { "05:30" }), "one meterTime set: a list of one");
            Assert.That(after.LogMode, Is.EqualTo("debug"));
        });
    }

    [Test]
    public async Task Enrolment_with_an_unknown_key_is_refused_and_creates_no_agent()
    {
        using var client = Server.CreateClient();
        var hardwareId = $"pi-{Guid.NewGuid():N}";
        using var response = await client.PostAsJsonAsync("/api/agent/v1/enrol",
            new EnrolRequest(OneStopPi.Portal.Security.Secrets.Create(), hardwareId, null, "x", "0.1.0"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await Server.DbAsync(db => db.Agents.CountAsync(a => a.HardwareId == hardwareId)), Is.Zero);
    }

    [Test]
    public async Task Re_enrolment_keeps_the_agent_id_replaces_the_token_and_waits_for_assignment_again()
    {
        var (site, agent) = await Server.SiteWithAgentAsync();
        var hardwareId = await Server.DbAsync(db => db.Agents.Where(a => a.Id == agent.Id).Select(a => a.HardwareId).SingleAsync());
        var again = await Server.EnrolAsync(site, hardwareId);

        Assert.That(again.Id, Is.EqualTo(agent.Id));
        using var old = await agent.Client.GetAsync("/api/agent/v1/config");
        Assert.That(old.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the old token must stop working");
        var config = await again.Client.GetFromJsonAsync<AgentConfig>("/api/agent/v1/config");
        Assert.That(config!.Assigned, Is.False);
    }

    [Test]
    public async Task Config_carries_an_etag_answers_304_while_unchanged_and_200_after_a_change()
    {
        var (site, agent) = await Server.SiteWithAgentAsync();
        using var first = await agent.Client.GetAsync("/api/agent/v1/config");
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var etag = first.Headers.ETag;
        Assert.That(etag, Is.Not.Null);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/api/agent/v1/config");
        conditional.Headers.IfNoneMatch.Add(etag!);
        using var notModified = await agent.Client.SendAsync(conditional);
        Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
        Assert.That(notModified.Headers.ETag, Is.EqualTo(etag));
        Assert.That(await notModified.Content.ReadAsByteArrayAsync(), Is.Empty);

        await ConfigureAsync(site.SiteId, new SiteConfigUpdate(["192.168.7.0/24"], null, null, null, null, null, null, null, null));
        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/agent/v1/config");
        again.Headers.IfNoneMatch.Add(etag!);
        using var changed = await agent.Client.SendAsync(again);
        Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(changed.Headers.ETag, Is.Not.EqualTo(etag));
        var config = await changed.Content.ReadFromJsonAsync<AgentConfig>();
        Assert.That(config!.Ranges, Is.EqualTo(new[] { "192.168.7.0/24" }));
    }

    [Test]
    public async Task Snmp_credentials_are_protected_at_rest_hidden_from_operators_and_sent_only_to_their_sites_agents()
    {
        var (site, agent) = await Server.SiteWithAgentAsync("Credentials Inc");
        var (_, stranger) = await Server.SiteWithAgentAsync("Other Customer");
        var v3 = new SnmpV3User("mpsreader", "SHA256", "auth-pass-8274", "AES", "priv-pass-9911", "ctx");
        var view = await ConfigureAsync(site.SiteId, new SiteConfigUpdate(null, null, ["community-4471"], [v3], null, null, null, null, null));

        Assert.That(view.Communities, Is.EqualTo(1));
        Assert.That(view.V3Users, Is.EqualTo(new[] { "mpsreader" }));
        var stored = await Server.DbAsync(db => db.Sites.Where(s => s.Id == site.SiteId).Select(s => s.CredentialsProtected).SingleAsync());
        Assert.That(stored, Does.Not.Contain("community-4471").And.Not.Contain("auth-pass-8274").And.Not.Contain("mpsreader"));

        var own = await agent.Client.GetFromJsonAsync<AgentConfig>("/api/agent/v1/config");
        Assert.That(own!.Snmp.V3Users, Is.EqualTo(new[] { v3 }));
        var other = await stranger.Client.GetStringAsync("/api/agent/v1/config");
        Assert.That(other, Does.Not.Contain("community-4471").And.Not.Contain("auth-pass-8274"));
    }

    [Test]
    public async Task Invalid_site_settings_are_refused()
    {
        var site = await Server.CreateSiteAsync();
        foreach (var bad in new[]
        {
            new SiteConfigUpdate(["10.0.0.0/8"], null, null, null, null, null, null, null, null),
            new SiteConfigUpdate(["10.0.0.9-10.0.0.1"], null, null, null, null, null, null, null, null),
            new SiteConfigUpdate(null, null, null, null, "25:00", null, null, null, null),
            new SiteConfigUpdate(null, null, null, null, null, "Mars/Olympus", null, null, null),
            new SiteConfigUpdate(null, null, null, [new SnmpV3User("u", "SHA256", "short", null, null, null)], null, null, null, null, null),
            new SiteConfigUpdate(null, null, null, null, null, null, null, -1, null),
        })
        {
            using var response = await Server.Operator.PatchAsJsonAsync($"/api/operator/v1/sites/{site.SiteId}/config", bad);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), bad.ToString());
        }

        Assert.That(await Server.DbAsync(db => db.Sites.Where(s => s.Id == site.SiteId).Select(s => s.ConfigVersion).SingleAsync()), Is.EqualTo(1));
    }

    // ---- readings upload --------------------------------------------------------------------

    [Test]
    public async Task A_batch_is_stored_and_devices_show_their_latest_counters_and_supplies()
    {
        var (site, agent) = await Server.SiteWithAgentAsync();
        var day1 = Zip(Scan(agent.Id, site.SiteId, Morning, Printer(1, 1000), Printer(2, 5000), Unanswered("10.1.0.9", "timeout")));
        var day2 = Zip(Scan(agent.Id, site.SiteId, Morning.AddDays(1), Printer(1, 1250, black: 8), Printer(2, 5100)));

        using (var r1 = await PortalServer.UploadAsync(agent.Client, Guid.NewGuid().ToString(), day1))
        {
            Assert.That(r1.StatusCode, Is.EqualTo(HttpStatusCode.Created), await r1.Content.ReadAsStringAsync());
            var accepted = await r1.Content.ReadFromJsonAsync<BatchAccepted>();
            Assert.That(accepted, Is.EqualTo(accepted! with { Duplicate = false, Documents = 1, Readings = 3 }));
        }

        using (var r2 = await PortalServer.UploadAsync(agent.Client, Guid.NewGuid().ToString(), day2))
        {
            Assert.That(r2.StatusCode, Is.EqualTo(HttpStatusCode.Created), await r2.Content.ReadAsStringAsync());
        }

        var devices = await Server.Operator.GetFromJsonAsync<DeviceView[]>($"/api/operator/v1/sites/{site.SiteId}/devices");
        Assert.That(devices, Has.Length.EqualTo(2), "same vendor+serial on day 2 is the same device; the unanswered IP makes none");
        var first = devices!.Single(d => d.Serial == "SER00001");
        Assert.Multiple(() =>
        {
            Assert.That(first.Counters.Single(c => c.Name == "total").Value, Is.EqualTo(1250));
            Assert.That(first.Counters.Single(c => c.Name == "total").Oid, Is.EqualTo(CounterOids["total"]));
            Assert.That(first.MetersAt, Is.EqualTo(Morning.AddDays(1)));
            Assert.That(first.Supplies.Single(s => s.Colour == "black").Percent, Is.EqualTo(8));
            Assert.That(first.Supplies.Single(s => s.Colour == "black").State, Is.EqualTo("low"));
            Assert.That(first.Mac, Is.EqualTo("00:17:c8:00:00:01"));
            Assert.That(first.HrDeviceStatus, Is.EqualTo(2));
        });

        var history = await Server.Operator.GetFromJsonAsync<CounterHistoryPoint[]>($"/api/operator/v1/devices/{first.Id}/history");
        Assert.That(history!.Select(h => h.Counters.Single(c => c.Name == "total").Value), Is.EqualTo(new long[] { 1000, 1250 }));
        Assert.That(await Server.CountsAsync(agent.Id), Is.EqualTo((2, 5, 2)));
    }

    [Test]
    public async Task A_device_without_a_serial_is_known_by_its_mac_and_keeps_its_history_once_the_serial_appears()
    {
        var (site, agent) = await Server.SiteWithAgentAsync();
        var noSerial = Device("10.1.0.50", null, "00:00:aa:bb:cc:dd", [("total", 10)]);
        var withSerial = Device("10.1.0.51", "LATE-SERIAL", "00:00:aa:bb:cc:dd", [("total", 20)]);
        (await PortalServer.UploadAsync(agent.Client, Guid.NewGuid().ToString(), Zip(Scan(agent.Id, site.SiteId, Morning, noSerial)))).Dispose();
        (await PortalServer.UploadAsync(agent.Client, Guid.NewGuid().ToString(), Zip(Scan(agent.Id, site.SiteId, Morning.AddDays(1), withSerial)))).Dispose();

        var devices = await Server.Operator.GetFromJsonAsync<DeviceView[]>($"/api/operator/v1/sites/{site.SiteId}/devices");
        Assert.That(devices!.Select(d => (d.Serial, d.Ip, d.Counters.Single().Value)), Is.EqualTo(new[] { ("LATE-SERIAL", "10.1.0.51", 20L) }));
    }

    [Test]
    public async Task The_same_batch_sent_three_times_is_stored_once()
    {
        var (site, agent) = await Server.SiteWithAgentAsync();
        var zip = Zip(Scan(agent.Id, site.SiteId, Morning, Printer(1, 100), Printer(2, 200)));
        var batchId = Guid.NewGuid().ToString();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await PortalServer.UploadAsync(agent.Client, batchId, zip);
            statuses.Add(response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<BatchAccepted>();
            Assert.That(body!.Duplicate, Is.EqualTo(i > 0));
            Assert.That(body.Readings, Is.EqualTo(2));
        }

        Assert.That(statuses, Is.EqualTo(new[] { HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.OK }));
        Assert.That(await Server.CountsAsync(agent.Id), Is.EqualTo((1, 2, 2)));
    }

    [Test]
    public async Task The_same_batch_sent_three_times_concurrently_is_stored_once()
    {
        var (site, agent) = await Server.SiteWithAgentAsync();
        var devices = Enumerable.Range(1, 60).Select(n => Printer(n, n * 1000L)).ToArray();
        var zip = Zip(Scan(agent.Id, site.SiteId, Morning, devices));
        var batchId = Guid.NewGuid().ToString();
        // Separate clients: separate connections, so the three really overlap on the server.
        var clients = Enumerable.Range(0, 3).Select(_ => Server.CreateClient(agent.Token, agent.Id)).ToArray();
        using var start = new SemaphoreSlim(0);
        var uploads = clients.Select(async c =>
        {
            await start.WaitAsync();
            using var response = await PortalServer.UploadAsync(c, batchId, zip);
            return (response.StatusCode, Body: await response.Content.ReadFromJsonAsync<BatchAccepted>());
        }).ToArray();
        start.Release(3);
        var results = await Task.WhenAll(uploads);

        Assert.That(results.Count(r => r.StatusCode == HttpStatusCode.Created), Is.EqualTo(1), string.Join(", ", results.Select(r => r.StatusCode)));
        Assert.That(results.Count(r => r.StatusCode == HttpStatusCode.OK && r.Body!.Duplicate), Is.EqualTo(2));
        Assert.That(await Server.CountsAsync(agent.Id), Is.EqualTo((1, 60, 60)));
    }

    [Test]
    public async Task A_batch_id_reused_with_other_content_is_a_conflict()
    {
        var (site, agent) = await Server.SiteWithAgentAsync();
        var batchId = Guid.NewGuid().ToString();
        (await PortalServer.UploadAsync(agent.Client, batchId, Zip(Scan(agent.Id, site.SiteId, Morning, Printer(1, 1))))).Dispose();
        using var response = await PortalServer.UploadAsync(agent.Client, batchId, Zip(Scan(agent.Id, site.SiteId, Morning, Printer(1, 2))));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(await Server.CountsAsync(agent.Id), Is.EqualTo((1, 1, 1)));
    }

    [Test]
    public async Task An_unassigned_agent_cannot_upload()
    {
        var site = await Server.CreateSiteAsync();
        var agent = await Server.EnrolAsync(site);
        using var response = await PortalServer.UploadAsync(agent.Client, Guid.NewGuid().ToString(), Zip(Scan(agent.Id, site.SiteId, Morning, Printer(1, 1))));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(await Server.DbAsync(db => db.Batches.CountAsync(b => b.AgentId == agent.Id)), Is.Zero);
    }

    [TestCase(BadUpload.NotAZip, 400)]
    [TestCase(BadUpload.WrongContentType, 415)]
    [TestCase(BadUpload.ZipBombDeclared, 413)]
    [TestCase(BadUpload.ZipBombLyingHeader, 413)]
    [TestCase(BadUpload.CrcMismatch, 400)]
    [TestCase(BadUpload.TooManyEntries, 413)]
    [TestCase(BadUpload.PathTraversal, 400)]
    [TestCase(BadUpload.AbsolutePath, 400)]
    [TestCase(BadUpload.BackslashPath, 400)]
    [TestCase(BadUpload.NotXmlEntry, 400)]
    [TestCase(BadUpload.InvalidXml, 400)]
    [TestCase(BadUpload.Dtd, 400)]
    [TestCase(BadUpload.SchemaInvalid, 422)]
    [TestCase(BadUpload.WrongNamespace, 422)]
    [TestCase(BadUpload.YearTenThousand, 422)]
    [TestCase(BadUpload.OtherAgentsReading, 422)]
    [TestCase(BadUpload.OneBadDocumentAmongGood, 422)]
    [TestCase(BadUpload.Oversized, 413)]
    [TestCase(BadUpload.UnknownAgent, 401)]
    [TestCase(BadUpload.WrongToken, 401)]
    [TestCase(BadUpload.NoToken, 401)]
    [TestCase(BadUpload.BadBatchId, 400)]
    public async Task A_bad_upload_gets_a_clear_4xx_and_nothing_is_stored(BadUpload kind, int expected)
    {
        var (site, agent) = await Server.SiteWithAgentAsync();
        var good = Bytes(Scan(agent.Id, site.SiteId, Morning, Printer(1, 100)));
        var client = agent.Client;
        var batchId = Guid.NewGuid().ToString();
        var contentType = "application/zip";
        byte[] body;
        switch (kind)
        {
            case BadUpload.NotAZip:
                body = Encoding.UTF8.GetBytes("this is not a zip archive at all");
                break;
            case BadUpload.WrongContentType:
                body = Zip(("a.xml", good));
                contentType = "text/plain";
                break;
            case BadUpload.ZipBombDeclared:
                body = Zip(("bomb.xml", new byte[80 * 1024 * 1024])); // 80 MiB of zeros zips to ~80 KiB
                break;
            case BadUpload.ZipBombLyingHeader:
                body = ZipTamper.UnderstateSize(Zip(("bomb.xml", new byte[8 * 1024 * 1024])), 1000);
                break;
            case BadUpload.CrcMismatch:
                body = ZipTamper.WrongCrc(Zip(("a.xml", good)));
                break;
            case BadUpload.TooManyEntries:
                body = Zip([.. Enumerable.Range(0, 1001).Select(i => ($"s{i}.xml", good))]);
                break;
            case BadUpload.PathTraversal:
                body = Zip(("../../etc/cron.d/evil.xml", good));
                break;
            case BadUpload.AbsolutePath:
                body = Zip(("/tmp/evil.xml", good));
                break;
            case BadUpload.BackslashPath:
                body = Zip(("..\\evil.xml", good));
                break;
            case BadUpload.NotXmlEntry:
                body = Zip(("run.sh", good));
                break;
            case BadUpload.InvalidXml:
                body = Zip(("a.xml", Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?>\n<scan xmlns=\"urn:onestoppi:readings:1\" schemaVersion=\"1\" agentId=")));
                break;
            case BadUpload.Dtd:
                body = Zip(("a.xml", Encoding.UTF8.GetBytes(
                    "<?xml version=\"1.0\"?><!DOCTYPE scan [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><scan xmlns=\"urn:onestoppi:readings:1\">&x;</scan>")));
                break;
            case BadUpload.SchemaInvalid:
                var invalid = Scan(agent.Id, site.SiteId, Morning, Printer(1, 100));
                invalid.Element(Ns + "device")!.Element(Ns + "counter")!.SetAttributeValue("value", "-5");
                body = Zip(("a.xml", Bytes(invalid)));
                break;
            case BadUpload.YearTenThousand:
                var future = Scan(agent.Id, site.SiteId, Morning, Printer(1, 100));
                future.SetAttributeValue("end", "10000-01-01T00:00:00Z");
                body = Zip(("a.xml", Bytes(future)));
                break;
            case BadUpload.WrongNamespace:
                body = Zip(("a.xml", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(good).Replace("urn:onestoppi:readings:1", "urn:other", StringComparison.Ordinal))));
                break;
            case BadUpload.OtherAgentsReading:
                body = Zip(Scan(Guid.NewGuid(), site.SiteId, Morning, Printer(1, 100)));
                break;
            case BadUpload.OneBadDocumentAmongGood:
                var bad = Scan(agent.Id, site.SiteId, Morning, Printer(2, 100));
                bad.SetAttributeValue("kind", "weekly");
                body = Zip(("a.xml", good), ("b.xml", Bytes(Scan(agent.Id, site.SiteId, Morning.AddHours(1), Printer(3, 5)))), ("c.xml", Bytes(bad)));
                break;
            case BadUpload.Oversized:
                body = new byte[17 * 1024 * 1024];
                Random.Shared.NextBytes(body);
                break;
            case BadUpload.UnknownAgent:
                client = Server.CreateClient(agent.Token, Guid.NewGuid());
                body = Zip(("a.xml", good));
                break;
            case BadUpload.WrongToken:
                client = Server.CreateClient(OneStopPi.Portal.Security.Secrets.Create(), agent.Id);
                body = Zip(("a.xml", good));
                break;
            case BadUpload.NoToken:
                client = Server.CreateClient(null, agent.Id);
                body = Zip(("a.xml", good));
                break;
            case BadUpload.BadBatchId:
                batchId = "x";
                body = Zip(("a.xml", good));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }

        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/agent/v1/batches/{batchId}") { Content = content };
        request.Headers.ExpectContinue = kind == BadUpload.Oversized;
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.That((int)response.StatusCode, Is.EqualTo(expected), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(text, Does.Contain("\"detail\"").And.Not.Contain(" at OneStopPi").And.Not.Contain("Exception"));
        Assert.That(await Server.CountsAsync(agent.Id), Is.EqualTo((0, 0, 0)), "nothing of a refused batch may be stored");
        Assert.That(await Server.DbAsync(db => db.Scans.CountAsync(s => s.AgentId == agent.Id)), Is.Zero);

        // The refusal left the agent fully usable: a good batch with the same id goes through.
        using var retry = await PortalServer.UploadAsync(agent.Client, Guid.NewGuid().ToString(), Zip(("a.xml", good)));
        Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.Created));
    }

    public enum BadUpload
    {
        NotAZip, WrongContentType, ZipBombDeclared, ZipBombLyingHeader, CrcMismatch, TooManyEntries, PathTraversal, AbsolutePath, BackslashPath,
        NotXmlEntry, InvalidXml, Dtd, SchemaInvalid, WrongNamespace, YearTenThousand, OtherAgentsReading, OneBadDocumentAmongGood, Oversized,
        UnknownAgent, WrongToken, NoToken, BadBatchId,
    }

    // ---- heartbeat and commands ------------------------------------------------------------------

    [Test]
    public async Task A_heartbeat_is_recorded_and_tells_the_agent_its_config_etag_and_pending_commands()
    {
        var (_, agent) = await Server.SiteWithAgentAsync();
        await QueueAsync(agent.Id, new QueueCommandRequest(2, null));
        var lastMeter = Morning.AddHours(-1);
        using var response = await agent.Client.PostAsJsonAsync("/api/agent/v1/heartbeat",
            new HeartbeatRequest("0.2.0", 86_400 * 3, lastMeter, Morning, 7, 2, StageRestarts: 3, OutboxFull: true, ClockSource: ClockSources.Portal));
        var heartbeat = await response.Content.ReadFromJsonAsync<HeartbeatResponse>();
        using var config = await agent.Client.GetAsync("/api/agent/v1/config");

        Assert.That(heartbeat!.PendingCommands, Is.EqualTo(1));
        Assert.That(heartbeat.ConfigEtag, Is.EqualTo(config.Headers.ETag!.Tag));
        Assert.That(heartbeat.ServerTime, Is.EqualTo(Server.Time.GetUtcNow().UtcDateTime).Within(TimeSpan.FromSeconds(1)), "the portal's clock, an agent's time source where NTP is blocked");
        var view = (await Server.Operator.GetFromJsonAsync<AgentView[]>("/api/operator/v1/agents"))!.Single(a => a.Id == agent.Id);
        Assert.Multiple(() =>
        {
            Assert.That(view.Version, Is.EqualTo("0.2.0"));
            Assert.That(view.UptimeSeconds, Is.EqualTo(86_400 * 3));
            Assert.That(view.OutboxDepth, Is.EqualTo(7));
            Assert.That(view.DroppedReadings, Is.EqualTo(2));
            Assert.That(view.LastMeterScanAt, Is.EqualTo(lastMeter));
            Assert.That(view.LastHeartbeatAt, Is.EqualTo(Server.Time.GetUtcNow().UtcDateTime).Within(TimeSpan.FromSeconds(1)));
            Assert.That((view.StageRestarts, view.OutboxFull, view.ClockSource), Is.EqualTo(((int?)3, (bool?)true, "portal")), "the stages' and the outbox's health, the clock trusted");
        });

        // The next heartbeat replaces them: a healthy agent again.
        (await agent.Client.PostAsJsonAsync("/api/agent/v1/heartbeat", new HeartbeatRequest("0.2.1", 60, null, null, 0, 0, ClockSource: ClockSources.Ntp))).Dispose();
        view = (await Server.Operator.GetFromJsonAsync<AgentView[]>("/api/operator/v1/agents"))!.Single(a => a.Id == agent.Id);
        Assert.That((view.Version, view.StageRestarts, view.OutboxFull, view.ClockSource), Is.EqualTo(("0.2.1", (int?)0, (bool?)false, "ntp")));
        using var negative = await agent.Client.PostAsJsonAsync("/api/agent/v1/heartbeat", new HeartbeatRequest("0.2.1", 60, null, null, 0, 0, StageRestarts: -1));
        Assert.That(negative.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task A_heartbeat_with_a_setup_key_shows_it_to_operators_and_stores_it_protected()
    {
        var (_, agent) = await Server.SiteWithAgentAsync();
        const string Key = "7QK3-M9XD-2HTV-5RWP";
        using (var response = await agent.Client.PostAsJsonAsync("/api/agent/v1/heartbeat", new HeartbeatRequest("0.2.0", 60, null, null, 0, 0, Key)))
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var view = (await Server.Operator.GetFromJsonAsync<AgentView[]>("/api/operator/v1/agents"))!.Single(a => a.Id == agent.Id);
        Assert.That(view.SetupKey, Is.EqualTo(Key));
        var stored = await Server.DbAsync(db => db.Agents.Where(a => a.Id == agent.Id).Select(a => a.SetupKeyProtected).SingleAsync());
        Assert.That(stored, Is.Not.Null.And.Not.Contain(Key));

        using (var response = await agent.Client.PostAsJsonAsync("/api/agent/v1/heartbeat", new HeartbeatRequest("0.2.0", 120, null, null, 0, 0)))
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        view = (await Server.Operator.GetFromJsonAsync<AgentView[]>("/api/operator/v1/agents"))!.Single(a => a.Id == agent.Id);
        Assert.That(view.SetupKey, Is.EqualTo(Key), "a heartbeat without a key (LAN face off) keeps the last one reported");
        using var tooLong = await agent.Client.PostAsJsonAsync("/api/agent/v1/heartbeat", new HeartbeatRequest("0.2.0", 60, null, null, 0, 0, new string('K', 65)));
        Assert.That(tooLong.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task A_command_goes_queued_delivered_acknowledged_completed_with_its_result_zip()
    {
        var (_, agent) = await Server.SiteWithAgentAsync();
        var walk = await QueueAsync(agent.Id, new QueueCommandRequest(6, "10.1.0.7 1.3.6.1.2.1.43"));
        var restart = await QueueAsync(agent.Id, new QueueCommandRequest(1, null));
        Assert.That(walk.State, Is.EqualTo("queued"));

        var polled = await agent.Client.GetFromJsonAsync<PendingCommand[]>("/api/agent/v1/commands");
        Assert.That(polled!.Select(c => (c.Id, c.Type, c.Parameter)), Is.EqualTo(new[] { (walk.Id, CommandType.WalkMib, (string?)"10.1.0.7 1.3.6.1.2.1.43"), (restart.Id, CommandType.RestartAgent, null) }));
        var again = await agent.Client.GetFromJsonAsync<PendingCommand[]>("/api/agent/v1/commands");
        Assert.That(again!.Select(c => c.Id), Is.EqualTo(new[] { walk.Id, restart.Id }), "unacknowledged commands are delivered again");
        Assert.That((await CommandsAsync(agent.Id)).Single(c => c.Id == walk.Id).State, Is.EqualTo("delivered"));

        using (var ack = await agent.Client.PostAsync($"/api/agent/v1/commands/{walk.Id}/ack", null))
        {
            Assert.That(ack.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        using (var ack = await agent.Client.PostAsync($"/api/agent/v1/commands/{restart.Id}/ack", null))
        {
            Assert.That(ack.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        Assert.That(await agent.Client.GetFromJsonAsync<PendingCommand[]>("/api/agent/v1/commands"), Is.Empty);

        var walkZip = Zip(("walk-10.1.0.7.txt", Encoding.ASCII.GetBytes(".1.3.6.1.2.1.43.10.2.1.4.1.1 = Counter32: 12345\n")));
        var content = new ByteArrayContent(walkZip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        using (var result = await agent.Client.PutAsync($"/api/agent/v1/commands/{walk.Id}/result", content))
        {
            Assert.That(result.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await result.Content.ReadAsStringAsync());
        }

        using (var done = await agent.Client.PostAsJsonAsync($"/api/agent/v1/commands/{restart.Id}/complete", new CommandOutcome(true, "restarting")))
        {
            Assert.That(done.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        var views = await CommandsAsync(agent.Id);
        Assert.That(views.Single(c => c.Id == walk.Id), Has.Property(nameof(CommandView.State)).EqualTo("completed")
            .And.Property(nameof(CommandView.ResultSize)).EqualTo(walkZip.Length));
        Assert.That(views.Single(c => c.Id == restart.Id).Message, Is.EqualTo("restarting"));
        var downloaded = await Server.Operator.GetByteArrayAsync($"/api/operator/v1/commands/{walk.Id}/result");
        Assert.That(downloaded, Is.EqualTo(walkZip));

        using var late = await agent.Client.PostAsync($"/api/agent/v1/commands/{walk.Id}/ack", null);
        Assert.That(late.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task Commands_are_checked_and_belong_to_one_agent()
    {
        var (_, agent) = await Server.SiteWithAgentAsync();
        var (_, other) = await Server.SiteWithAgentAsync();
        foreach (var bad in new[] { new QueueCommandRequest(0, null), new QueueCommandRequest(7, null), new QueueCommandRequest(5, "loud"), new QueueCommandRequest(6, "not-an-ip") })
        {
            using var response = await Server.Operator.PostAsJsonAsync($"/api/operator/v1/agents/{agent.Id}/commands", bad);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), bad.ToString());
        }

        var logs = await QueueAsync(agent.Id, new QueueCommandRequest(5, "debug"));
        // The walk's parameter by the contract's parser, the agent's own: a printer's agent on another port is walked too.
        var walk = await QueueAsync(agent.Id, new QueueCommandRequest(6, "10.1.0.7:1161 1.3.6.1.2.1.43"));
        Assert.That(walk.State, Is.EqualTo("queued"));
        using var foreign = await other.Client.PostAsync($"/api/agent/v1/commands/{logs.Id}/ack", null);
        Assert.That(foreign.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await other.Client.GetFromJsonAsync<PendingCommand[]>("/api/agent/v1/commands"), Is.Empty);
        var content = new ByteArrayContent(Zip(("x.txt", [1])));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        using var noFile = await agent.Client.PutAsync($"/api/agent/v1/commands/{logs.Id}/result", content);
        Assert.That(noFile.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "set-log-mode has no result file");
    }

    // ---- operator API ---------------------------------------------------------------------------

    [TestCase("GET", "/api/operator/v1/sites")]
    [TestCase("GET", "/api/operator/v1/agents")]
    [TestCase("POST", "/api/operator/v1/sites")]
    [TestCase("GET", "/api/operator/v1/sites/1/meters.csv")]
    public async Task The_operator_api_refuses_no_token_a_wrong_token_and_an_agent_token(string method, string path)
    {
        var (_, agent) = await Server.SiteWithAgentAsync();
        var sitesBefore = await Server.DbAsync(db => db.Sites.CountAsync());
        foreach (var client in new[] { Server.CreateClient(), Server.CreateClient(OneStopPi.Portal.Security.Secrets.Create()), Server.CreateClient("garbage"), agent.Client })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method == "POST")
            {
                request.Content = JsonContent.Create(new CreateSiteRequest("Intruder", null));
            }

            using var response = await client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        Assert.That(await Server.DbAsync(db => db.Sites.CountAsync()), Is.EqualTo(sitesBefore));
        using var agentApiWithOperatorToken = Server.CreateClient(Server.OperatorToken, agent.Id);
        using var refused = await agentApiWithOperatorToken.GetAsync("/api/agent/v1/config");
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the operator token is not an agent token either");
    }

    [Test]
    public async Task The_meter_csv_has_one_row_per_device_with_its_latest_counters_or_every_reading_of_a_period()
    {
        // One column per counter name the exported readings carry: the vocabulary in its order, then extras.
        var (site, agent) = await Server.SiteWithAgentAsync("Billing, \"Quoted\" GmbH");
        var odd = Device("10.1.0.77", "=HYPERLINK(1)", "00:17:c8:00:00:77",
            [("total", 42), ("mono", 40), ("colour", 2), ("scanToEmail", 5), ("copyMono", 7)], model: "Model, with comma");
        (await PortalServer.UploadAsync(agent.Client, Guid.NewGuid().ToString(), Zip(Scan(agent.Id, site.SiteId, Morning, Printer(1, 1000), odd)))).Dispose();
        (await PortalServer.UploadAsync(agent.Client, Guid.NewGuid().ToString(), Zip(Scan(agent.Id, site.SiteId, Morning.AddDays(1), Printer(1, 1300))))).Dispose();

        using var response = await Server.Operator.GetAsync($"/api/operator/v1/sites/{site.SiteId}/meters.csv");
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/csv"));
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var deviceId = (await Server.Operator.GetFromJsonAsync<DeviceView[]>($"/api/operator/v1/sites/{site.SiteId}/devices"))!.Single(d => d.Serial == "SER00001").Id;
        Assert.That(lines, Is.EqualTo(new[]
        {
            "site_id,site,device_id,vendor,model,serial,mac,ip,read_at_utc,total,mono,colour,copy,copyMono,scanToEmail",
            $"{site.SiteId},\"Billing, \"\"Quoted\"\" GmbH\",{deviceId},Kyocera,TASKalfa 3253ci,SER00001,00:17:c8:00:00:01,10.1.0.1,2026-03-03T06:05:00Z,1300,975,325,650,,",
            $"{site.SiteId},\"Billing, \"\"Quoted\"\" GmbH\",{deviceId + 1},Kyocera,\"Model, with comma\",'=HYPERLINK(1),00:17:c8:00:00:77,10.1.0.77,2026-03-02T06:05:00Z,42,40,2,,7,5",
        }));

        var period = await Server.Operator.GetStringAsync($"/api/operator/v1/sites/{site.SiteId}/meters.csv?from=2026-03-01T00:00:00Z&to=2026-03-04T00:00:00Z");
        var totals = period.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')[^6]).ToList();
        Assert.That(totals, Is.EquivalentTo(new[] { "1000", "1300", "42" }));
        var empty = await Server.Operator.GetStringAsync($"/api/operator/v1/sites/{site.SiteId}/meters.csv?from=2026-04-01T00:00:00Z");
        Assert.That(empty.Split("\r\n", StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task A_malformed_request_gets_a_4xx_problem_without_internals()
    {
        using var client = Server.CreateClient();
        using var content = new StringContent("{\"enrolmentKey\": 12, ", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/api/agent/v1/enrol", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(400), text);
        Assert.That(text, Does.Not.Contain("   at ").And.Not.Contain("Exception"));
    }

    private protected async Task<SiteConfigView> ConfigureAsync(int siteId, SiteConfigUpdate update)
    {
        using var response = await Server.Operator.PatchAsJsonAsync($"/api/operator/v1/sites/{siteId}/config", update);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<SiteConfigView>())!;
    }

    private async Task<CommandView> QueueAsync(Guid agentId, QueueCommandRequest request)
    {
        using var response = await Server.Operator.PostAsJsonAsync($"/api/operator/v1/agents/{agentId}/commands", request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CommandView>())!;
    }

    private async Task<CommandView[]> CommandsAsync(Guid agentId) =>
        (await Server.Operator.GetFromJsonAsync<CommandView[]>($"/api/operator/v1/agents/{agentId}/commands"))!;
}
