using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// Two boxes on one site: two <c>onestoppi run</c> processes enrolled to the same site read the same simulated fleet
/// (snmpsim serving the service tests' five recordings on 127.0.98.1-5:161, this fixture's own) and upload to a
/// reference portal process of their own (127.0.0.1:18565, a box silent after 8 s). Both read the site's scheduled slot: the portal keeps one reading per device for it and
/// notes that both boxes saw every printer. Then box B is killed (SIGKILL): the site keeps reporting through box A,
/// on its next scheduled slot, and the portal shows which box saw what last and that B went silent.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed partial class TwoBoxesTests
{
    private const int Port = 18565;
    private static readonly TimeSpan SilentAfter = TimeSpan.FromSeconds(8);
    private readonly List<AgentHome> _homes = [];
    private readonly List<AgentProcess> _agents = [];
    private const string Range = "127.0.98.1-127.0.98.5";
    private PortalProcess? _portal;
    private SnmpsimFleet? _fleet;

    [TearDown]
    public async Task TearDown()
    {
        foreach (AgentProcess agent in _agents)
        {
            await agent.DisposeAsync();
        }

        if (_portal is not null)
        {
            await _portal.DisposeAsync();
        }

        if (_fleet is not null)
        {
            await _fleet.DisposeAsync();
        }

        foreach (AgentHome home in _homes)
        {
            home.Dispose();
        }
    }

    [Test]
    public async Task Both_boxes_read_one_slot_once_then_one_dies_and_the_site_keeps_reporting()
    {
        Prerequisite.RequireRoot("the agents scan port 161, which the simulated fleet can bind only as root");
        Prerequisite.RequireSnmpPeers();
        _fleet = await SnmpsimFleet.StartAsync("v2c", "127.0.98.1",
            [.. ServicePeers.Recordings.Select(r => Path.Combine(RepoPaths.SampleWalks, r + ".snmprec"))], 161);
        _portal = await PortalProcess.StartAsync(Port, [$"--Portal:AgentSilentAfter={SilentAfter:c}"]);
        string firstSlot = SiteSetup.JustPassedMeterTime();
        SiteCreated site = await SiteSetup.CreateSiteAsync(_portal, "Two boxes",
            SiteSetup.FleetConfig() with { Ranges = [Range], MeterTime = null, MeterTimes = [firstSlot, Later(firstSlot, 12 * 60)] });

        AgentHome homeA = Home("box-a", site);
        AgentHome homeB = Home("box-b", site);
        AgentProcess boxA = Start(homeA);
        AgentProcess boxB = Start(homeB);
        Guid idA = await SiteSetup.AssignWhenEnrolledAsync(_portal, homeA, boxA, site);
        Guid idB = await SiteSetup.AssignWhenEnrolledAsync(_portal, homeB, boxB, site);

        // Both run the slot that has just passed, on time, and upload.
        foreach (AgentProcess box in new[] { boxA, boxB })
        {
            Match due = await box.WaitForLogAsync(MeterDue(), TimeSpan.FromSeconds(120));
            Assert.That(due.Groups["missed"].Value, Is.EqualTo("False"), box.Tail());
            await box.WaitForLogAsync(MeterUploaded(), TimeSpan.FromSeconds(120));
        }

        IReadOnlyList<SlotReading> slot1 = await _portal.Database.SlotReadingsAsync(site.SiteId);
        TestContext.Out.WriteLine($"slot 1: {string.Join(", ", slot1.Select(r => $"device {r.DeviceId} by {r.HardwareId}"))}");
        Assert.That(slot1.Select(r => r.DeviceId), Is.Unique, "one reading per device for the slot, though two boxes read it");
        Assert.That(slot1, Has.Count.EqualTo(5), "every printer once");
        DeviceView[] devices = await _portal.Operator.DevicesAsync(site.SiteId);
        Assert.That(devices, Has.Length.EqualTo(5), "the two boxes' printers merged by identity");
        Assert.That(devices.Select(d => d.SeenBy!.Select(s => s.AgentId).Order()), Is.All.EquivalentTo(new[] { idA, idB }), "both boxes saw every printer");

        // Box B dies. The operator moves the second read of the day to two minutes from now: A alone reads it.
        DateTime killedAt = DateTime.UtcNow;
        await boxB.KillAsync();
        string secondSlot = Later(DateTime.UtcNow.ToString("HH:mm", CultureInfo.InvariantCulture), 2);
        await _portal.Operator.ConfigureAsync(site.SiteId, new SiteConfigUpdate(MeterTimes: [firstSlot, secondSlot]));
        await Eventually.TrueAsync(async () => (await _portal.Database.SlotReadingsAsync(site.SiteId)).Count >= 10, TimeSpan.FromMinutes(5),
            $"box A's read of the {secondSlot} slot", () => boxA.Tail());

        IReadOnlyList<SlotReading> all = await _portal.Database.SlotReadingsAsync(site.SiteId);
        SlotReading[] slot2 = [.. all.Where(r => !slot1.Contains(r))];
        Assert.Multiple(() =>
        {
            Assert.That(slot2.Select(r => r.DeviceId), Is.Unique.And.EquivalentTo(slot1.Select(r => r.DeviceId)), "the site keeps reporting every printer");
            Assert.That(slot2.Select(r => r.HardwareId).Distinct(), Is.EqualTo(new[] { homeA.HardwareId }), "read by the box still alive");
        });

        AgentView[] agents = await Eventually.ValueAsync(async () => await _portal.Operator.AgentsAsync() is var list
                && list.Single(a => a.Id == idB).Silent == true ? list : null,
            TimeSpan.FromSeconds(60), "box B shown silent");
        Assert.That(agents.Single(a => a.Id == idA).Silent, Is.False, "box A is heard");
        Assert.That(agents.Single(a => a.Id == idB).LastSeenAt, Is.LessThanOrEqualTo(killedAt.AddSeconds(1)), "B last heard before it was killed");

        devices = await _portal.Operator.DevicesAsync(site.SiteId);
        foreach (DeviceView device in devices)
        {
            DeviceSightingView[] seen = [.. device.SeenBy!];
            Assert.That(seen.Select(s => (s.AgentId, s.Silent)), Is.EqualTo(new[] { (idA, false), (idB, true) }), $"device {device.Ip}: A last, B silent");
            Assert.That(seen[0].LastSeenAt, Is.GreaterThan(killedAt), device.Ip);
            Assert.That(seen[1].LastSeenAt, Is.LessThan(killedAt), device.Ip);
        }

        // The pages say the same: the site's agents table and each device's "Seen by".
        using HttpClient browser = await SignedInAsync(_portal);
        string sitePage = await browser.GetStringAsync($"/sites/{site.SiteId}");
        Assert.That(Regex.Matches(sitePage, "<span class=bad>silent</span> since"), Has.Count.EqualTo(1), "one box silent on the site page");
        Assert.That(sitePage, Does.Contain(idB.ToString()), "the silent box named by its id");
        string devicePage = await browser.GetStringAsync($"/devices/{devices[0].Id}");
        string seenBy = devicePage[devicePage.IndexOf("id=seen-by>", StringComparison.Ordinal)..];
        string[] boxes = seenBy[..seenBy.IndexOf("</td>", StringComparison.Ordinal)].Split("<br>");
        Assert.That(boxes, Has.Length.EqualTo(2), devicePage);
        Assert.That((boxes[0].Contains("silent", StringComparison.Ordinal), boxes[1].Contains("silent", StringComparison.Ordinal)), Is.EqualTo((false, true)),
            "A saw the printer last; B, silent, before");

        Assert.That(await boxA.TerminateAsync(), Is.Zero, boxA.Tail());
    }

    private AgentHome Home(string name, SiteCreated site)
    {
        var home = new AgentHome(name);
        _homes.Add(home);
        home.Configure(_portal!, site.EnrolmentKey);
        home.ClockSynchronised();
        return home;
    }

    private AgentProcess Start(AgentHome home)
    {
        AgentProcess agent = home.Start();
        _agents.Add(agent);
        return agent;
    }

    /// <summary>HH:mm plus minutes, round the clock.</summary>
    private static string Later(string time, int minutes) =>
        TimeOnly.ParseExact(time, "HH:mm", CultureInfo.InvariantCulture).AddMinutes(minutes).ToString("HH:mm", CultureInfo.InvariantCulture);

    private static async Task<HttpClient> SignedInAsync(PortalProcess portal)
    {
        var handler = new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        string pin = portal.CertificateSha256;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, c, _, _) =>
            c is not null && string.Equals(c.GetCertHashString(HashAlgorithmName.SHA256), pin, StringComparison.OrdinalIgnoreCase);
        var browser = new HttpClient(handler) { BaseAddress = portal.Url };
        using HttpResponseMessage login = await browser.PostAsync("/login", new FormUrlEncodedContent([new("token", portal.OperatorToken)]));
        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        return browser;
    }

    [GeneratedRegex(@"Daily meter scan for \S+ is due \(slot [^,]+, missed: (?<missed>True|False)\)")]
    private static partial Regex MeterDue();

    [GeneratedRegex(@"Uploaded ""?Meter""? batch (?<batch>[0-9a-f]{32})")]
    private static partial Regex MeterUploaded();
}
