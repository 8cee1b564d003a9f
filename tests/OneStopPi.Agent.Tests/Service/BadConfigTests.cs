using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.State;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// A configuration from the portal that the agent cannot run on is refused whole: the last good one
/// stays in force (and on disk), and the reason is logged, once per refused version. End to end with
/// the real portal for what its operator API lets through, and in-process (PortalLink against a
/// stub portal) for what only a broken or newer portal would send.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed partial class BadConfigTests
{
    private const string AuthPassword = "authpass-S3cret";
    private const string PrivPassword = "privpass-S3cret";
    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("osp-svc-badconfig-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task A_configuration_the_portal_lets_through_but_the_agent_cannot_use_is_refused_and_the_old_one_kept()
    {
        await ServicePeers.FleetAsync();
        PortalProcess portal = await ServicePeers.PortalAsync();
        SiteCreated site = await SiteSetup.CreateSiteAsync(portal, "Bad config", SiteSetup.FleetConfig());
        using var home = new AgentHome("badconfig");
        home.Configure(portal, site.EnrolmentKey);
        await using AgentProcess agent = home.Start();
        Guid agentId = await SiteSetup.AssignWhenEnrolledAsync(portal, home, agent, site);
        long goodVersion = ConfigVersionOnDisk(home);

        // The operator API refuses an unknown v3 protocol outright…
        (HttpStatusCode status, _) = await portal.Operator.TryConfigureAsync(site.SiteId,
            new SiteConfigUpdate(V3Users: [new V3User("mps", "SHA3-256", AuthPassword, null, null)]));
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));

        // … but not a user name longer than SNMPv3 allows (32 octets, RFC 3414 2.4), and the same change narrows the ranges.
        string longUser = new('u', 40);
        SiteConfigView badVersion = await portal.Operator.ConfigureAsync(site.SiteId, new SiteConfigUpdate(
            Ranges: [ServicePeers.Address("utax")], V3Users: [new V3User(longUser, "SHA", AuthPassword, "AES", PrivPassword)]));

        Match refused = await agent.WaitForLogAsync(ConfigRefused());
        Assert.That(refused.Groups["version"].Value, Is.EqualTo(badVersion.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(refused.Groups["reason"].Value, Does.Contain($"v3 user '{longUser}'").And.Contain("at most 32 octets"));

        // Still scanning on the old configuration: all five printers, not the one of the refused ranges.
        CommandView scan = await portal.Operator.QueueCommandAsync(agentId, 2);
        Assert.That((await portal.Operator.WaitForCommandAsync(agentId, scan.Id)).Message, Does.StartWith("scan done: 5 device(s)"));
        Assert.That(ConfigVersionOnDisk(home), Is.EqualTo(goodVersion), "the cached configuration is the last good one");
        await Task.Delay(TimeSpan.FromSeconds(3)); // three heartbeats, each saying the configuration changed
        Assert.That(ConfigRefused().Matches(home.LogText()), Has.Count.EqualTo(1), "refused once, not at every heartbeat");
        Assert.That(home.LogText(), Does.Not.Contain(AuthPassword).And.Not.Contain(PrivPassword));

        // The operator puts it right: the next version is taken.
        SiteConfigView fixedVersion = await portal.Operator.ConfigureAsync(site.SiteId, new SiteConfigUpdate(V3Users: [new V3User("mps", "SHA", AuthPassword, "AES", PrivPassword)]));
        await agent.WaitForLogAsync(new Regex($@"Configuration version {fixedVersion.Version} applied: assigned True, 1 range\(s\), 2 credential\(s\)"));
        CommandView narrowed = await portal.Operator.QueueCommandAsync(agentId, 2);
        Assert.That((await portal.Operator.WaitForCommandAsync(agentId, narrowed.Id)).Message, Does.StartWith("scan done: 1 device(s)"));
        Assert.That(await agent.TerminateAsync(), Is.Zero);
    }

    /// <summary>Configurations only a broken (or newer) portal would send, and the reason the agent gives.</summary>
    public static IEnumerable<TestCaseData> BadConfigurations()
    {
        static TestCaseData Case(string name, Func<AgentConfig, AgentConfig> spoil, string reason) =>
            new TestCaseData(spoil, reason).SetArgDisplayNames(name);

        SnmpV3User user = GoodUser;
        yield return Case("unknown v3 auth protocol", c => c with { Snmp = c.Snmp with { V3Users = [user with { AuthProtocol = "SHA3-256" }] } },
            "v3 user 'mps': unknown authentication protocol 'SHA3-256'");
        yield return Case("unknown v3 privacy protocol", c => c with { Snmp = c.Snmp with { V3Users = [user with { PrivProtocol = "AES512" }] } },
            "v3 user 'mps': unknown privacy protocol 'AES512'");
        yield return Case("v3 privacy without authentication", c => c with { Snmp = c.Snmp with { V3Users = [user with { AuthProtocol = null }] } },
            "v3 user 'mps': Privacy needs authentication");
        yield return Case("unknown time zone", c => c with { Schedule = c.Schedule with { TimeZone = "Mars/Olympus_Mons" } },
            "unknown time zone 'Mars/Olympus_Mons'");
        yield return Case("meter time not HH:mm", c => c with { Schedule = c.Schedule with { MeterTime = "6am" } }, "meter time '6am' is not HH:mm");
        yield return Case("negative status interval", c => c with { Schedule = c.Schedule with { StatusIntervalMinutes = -1 } }, "status interval -1 min is outside");
        yield return Case("command poll over a day", c => c with { Schedule = c.Schedule with { CommandPollSeconds = 100000 } }, "command poll interval 100000 s is outside");
        yield return Case("unknown log mode", c => c with { LogMode = "chatty" }, "unknown log mode 'chatty'");
        yield return Case("empty community", c => c with { Snmp = c.Snmp with { Communities = ["public", ""] } }, "an empty community");
        yield return Case("empty range", c => c with { Ranges = ["10.1.0.0/24", " "] }, "range ' ' is empty or too long");
    }

    [TestCaseSource(nameof(BadConfigurations))]
    public async Task A_bad_configuration_is_refused_whole_and_the_last_good_one_stays_on_disk_and_in_force(Func<AgentConfig, AgentConfig> spoil, string reason)
    {
        using var portal = new StubConfigPortal(Json(GoodConfig));
        var log = new ListLogger<PortalLink>();
        PortalLink link = Link(portal, log);
        await link.RefreshConfigAsync(CancellationToken.None);
        SitePlan good = link.Plan!;
        byte[] cached = await File.ReadAllBytesAsync(Path.Combine(_root, "state", "portal-config.json"));
        Assert.That(good.Ranges, Is.EqualTo(new[] { "10.1.0.0/24" }));

        portal.Serve(Json(spoil(GoodConfig with { Version = 2, Ranges = ["10.2.0.0/24"] })));
        await link.RefreshConfigAsync(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(link.Plan, Is.SameAs(good), "the plan in force");
            Assert.That(link.Cached!.Config.Version, Is.EqualTo(1));
            Assert.That(File.ReadAllBytes(Path.Combine(_root, "state", "portal-config.json")), Is.EqualTo(cached), "the last good configuration on disk");
            LogEntry refusal = log.WithId(3005).Single();
            Assert.That(refusal.Level, Is.EqualTo(LogLevel.Error));
            Assert.That(refusal.Message, Does.StartWith("Configuration version 2 refused, keeping the previous one: ").And.Contain(reason));
            Assert.That(refusal.Message, Does.Not.Contain(AuthPassword).And.Not.Contain(PrivPassword));
        });

        // Asked again (every heartbeat sees another ETag): a 304 for the refused version, not a second refusal.
        await link.RefreshConfigAsync(CancellationToken.None);
        await link.RefreshConfigAsync(CancellationToken.None);
        Assert.That(log.WithId(3005).Count(), Is.EqualTo(1));
        Assert.That(portal.NotModifiedAnswers, Is.EqualTo(2));

        // After a restart the agent starts on the last good configuration.
        Assert.That(Link(portal, new ListLogger<PortalLink>()).Plan!.Ranges, Is.EqualTo(new[] { "10.1.0.0/24" }));

        // The portal's next version is good again: taken.
        portal.Serve(Json(GoodConfig with { Version = 3, Ranges = ["10.3.0.0/24"] }));
        await link.RefreshConfigAsync(CancellationToken.None);
        Assert.That(link.Plan!.Ranges, Is.EqualTo(new[] { "10.3.0.0/24" }));
    }

    [Test]
    public async Task An_unreadable_answer_is_a_portal_problem_and_the_old_configuration_stays()
    {
        using var portal = new StubConfigPortal(Json(GoodConfig));
        var log = new ListLogger<PortalLink>();
        PortalLink link = Link(portal, log);
        await link.RefreshConfigAsync(CancellationToken.None);
        SitePlan good = link.Plan!;

        portal.Serve("{\"agentId\": \"not a config");
        await link.RefreshConfigAsync(CancellationToken.None);

        Assert.That(link.Plan, Is.SameAs(good));
        Assert.That(log.WithId(3004).Single().Message, Does.Contain("Portal unavailable for configuration").And.Contain("unreadable answer"));
    }

    private static readonly SnmpV3User GoodUser = new("mps", "SHA256", AuthPassword, "AES", PrivPassword, null);

    private static readonly AgentConfig GoodConfig = new(Guid.Parse("0193a6c2-3c1e-7b9a-9f4e-6d2f0e1a2b3c"), 3, true, 1, ["10.1.0.0/24"], [],
        new SnmpConfig(["public"], [GoodUser]), new ScheduleConfig("06:00", "Europe/Berlin", 15, 300), "normal");

    private static string Json(AgentConfig config) => JsonSerializer.Serialize(config, ContractsJsonContext.Default.AgentConfig);

    private static long ConfigVersionOnDisk(AgentHome home)
    {
        using JsonDocument cached = JsonDocument.Parse(File.ReadAllText(Path.Combine(home.StateDirectory, "portal-config.json")));
        return cached.RootElement.GetProperty("config").GetProperty("version").GetInt64();
    }

    private PortalLink Link(StubConfigPortal portal, ListLogger<PortalLink> log)
    {
        var paths = new AgentPaths(Path.Combine(_root, "state"), Path.Combine(_root, "logs"), Path.Combine(_root, "config"));
        paths.EnsureCreated();
        var portalUrl = new Uri("https://portal.invalid/");
        var enrolment = new JsonStateFile<EnrolmentState>(paths.State("enrolment.json"), AgentJsonContext.Default.EnrolmentState);
        if (!File.Exists(enrolment.Path))
        {
            enrolment.SaveAsync(new EnrolmentState(GoodConfig.AgentId, "agent-token", portalUrl)).GetAwaiter().GetResult();
        }

        return new PortalLink(new AgentSettings { PortalUrl = portalUrl }, paths, new PortalClient(new HttpClient(portal, disposeHandler: false)),
            new HardwareIdentity("test", null, "test"), "0.0.0-test", new FakeTimeProvider(), log);
    }

    [GeneratedRegex(@"Configuration version (?<version>\d+) refused, keeping the previous one: (?<reason>.*)")]
    private static partial Regex ConfigRefused();

    /// <summary>The portal's GET /config, serving one body under an ETag of its content, with 304 for that ETag.</summary>
    private sealed class StubConfigPortal : HttpMessageHandler
    {
        private string _body = "";
        private string _etag = "";

        public StubConfigPortal(string body) => Serve(body);

        public int NotModifiedAnswers { get; private set; }

        public void Serve(string body)
        {
            _body = body;
            _etag = $"\"{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(body)))[..16]}\"";
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Assert.That(request.RequestUri!.AbsolutePath, Is.EqualTo("/api/agent/v1/config"));
            HttpResponseMessage response;
            if (request.Headers.TryGetValues("If-None-Match", out IEnumerable<string>? tags) && tags.Contains(_etag))
            {
                NotModifiedAnswers++;
                response = new HttpResponseMessage(HttpStatusCode.NotModified);
            }
            else
            {
                response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(_body, Encoding.UTF8, "application/json") };
            }

            response.Headers.ETag = new EntityTagHeaderValue(_etag);
            response.RequestMessage = request;
            return Task.FromResult(response);
        }
    }
}
