using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OneStopPi.Contracts;
using OneStopPi.Agent.Commands;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.Readings;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Agent.State;
using OneStopPi.Agent.Tests.Portal;
using OneStopPi.Agent.Upload;
using OneStopPi.Collection.Readings;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// The agent behind a site's HTTP proxy (docs/reliability.md, "Proxy"): the agent's own handler
/// (<see cref="PortalHttpHandler"/>, the proxy from agent.json) reaches a real portal process (127.0.0.1:18563)
/// through <see cref="ConnectProxy"/> on loopback: enrolment, configuration, uploads and commands; a proxy
/// that wants a login; and one that resets the open tunnels, refuses new ones for a while, then cuts tunnels
/// mid-exchange, where every batch must still be stored exactly once. The outbox and uploader run in this process on fake time (the back-off is minutes).
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class ProxyTests
{
    private const int Port = 18563;
    private PortalProcess _portal = null!;

    [OneTimeSetUp]
    public async Task StartPortalAsync() => _portal = await PortalProcess.StartAsync(Port);

    [OneTimeTearDown]
    public async Task StopPortalAsync() => await _portal.DisposeAsync();

    [Test]
    public async Task Through_a_proxy_with_a_login_the_agent_enrols_uploads_and_runs_commands()
    {
        await using var proxy = new ConnectProxy("box-7", "pr0xy p@ss:word");
        var url = new Uri($"http://box-7:{Uri.EscapeDataString("pr0xy p@ss:word")}@127.0.0.1:{proxy.Port}/");
        await using var agent = await ProxiedAgent.StartAsync(_portal, "proxy-login", url);

        for (int i = 0; i < 3; i++)
        {
            await agent.ScanAsync();
        }

        await agent.WaitForEmptyOutboxAsync();
        var stored = await _portal.Database.BatchesAsync(agent.HardwareId);
        Assert.That(stored.Select(b => b.BatchKey), Is.EqualTo(agent.Produced));

        var queued = await _portal.Operator.QueueCommandAsync(agent.Link.Session!.AgentId, 1);
        PendingCommand[] commands = await agent.Client.PollCommandsAsync(agent.Link.Session!, CancellationToken.None);
        Assert.That(commands.Select(c => c.Id), Does.Contain(queued.Id));
        await agent.Client.AcknowledgeCommandAsync(agent.Link.Session!, queued.Id, CancellationToken.None);
        await agent.Client.CompleteCommandAsync(agent.Link.Session!, queued.Id, new CommandOutcome(true, "done through the proxy"), CancellationToken.None);
        Assert.That((await _portal.Operator.CommandAsync(agent.Link.Session!.AgentId, queued.Id)).State, Is.EqualTo("completed"));

        Assert.Multiple(() =>
        {
            Assert.That(proxy.Connects, Is.GreaterThanOrEqualTo(1), "the agent went through the proxy");
            Assert.That(proxy.Targets.Distinct(), Is.EqualTo(new[] { $"127.0.0.1:{Port}" }), "to the portal and nowhere else");
            Assert.That(proxy.Refused407, Is.GreaterThanOrEqualTo(1), "the proxy asked for the login, and the agent answered it");
            Assert.That(proxy.Forbidden, Is.Zero);
        });
    }

    [Test]
    public async Task A_wrong_proxy_login_keeps_the_agent_unenrolled_and_retrying_without_leaking_the_password()
    {
        await using var proxy = new ConnectProxy("box-7", "right-password");
        var url = new Uri($"http://box-7:wrong-password-5150@127.0.0.1:{proxy.Port}/");
        var log = new ListLogger<PortalLink>();
        await using var agent = await ProxiedAgent.CreateAsync(_portal, "proxy-wrong", url, log);

        Assert.That(await agent.Link.EnsureEnrolledAsync(CancellationToken.None), Is.False);
        Assert.That(agent.Link.Session, Is.Null);
        Assert.That(proxy.Refused407, Is.GreaterThanOrEqualTo(1));
        Assert.That(proxy.Connects, Is.Zero);
        string logged = string.Join("\n", log.Entries.Select(e => e.Message));
        Assert.That(logged, Does.Contain("407").Or.Contain("Proxy").IgnoreCase, "the log says the proxy refused");
        Assert.That(logged, Does.Not.Contain("wrong-password-5150"));
    }

    [Test]
    public async Task A_proxy_that_cuts_tunnels_and_refuses_new_ones_delays_the_uploads_but_loses_and_doubles_no_batch()
    {
        await using var proxy = new ConnectProxy(seed: 1717);
        await using var agent = await ProxiedAgent.StartAsync(_portal, "proxy-cuts", new Uri($"http://127.0.0.1:{proxy.Port}/"));
        await agent.ScanAsync();
        await agent.WaitForEmptyOutboxAsync();

        // 1. The portal stores a batch, its answer is held in the proxy and the tunnel then reset: the agent never hears
        // it and sends the batch again, which the portal answers "already stored" (stored once).
        proxy.HoldAnswers();
        await agent.ScanAsync();
        await agent.AdvanceUntilAsync(() => proxy.AnswersHeld >= 1, "an answer held in the proxy");
        for (int wait = 0; (await _portal.Database.BatchesAsync(agent.HardwareId)).Count < 2; wait++)
        {
            Assert.That(wait, Is.LessThan(600), "the portal stored the batch whose answer is held");
            await Task.Delay(50);
        }

        Assert.That(proxy.DropHeldAnswers(), Is.GreaterThanOrEqualTo(1), "the tunnel that carried the upload is cut");
        await agent.WaitForEmptyOutboxAsync();
        Assert.That(agent.DuplicatesAcknowledged, Is.EqualTo(1), "the batch went up again, and the portal said it had it");

        // 2. The proxy goes away: the tunnel the agent keeps pooled is reset, and so is every new connection.
        proxy.Refusing = true;
        Assert.That(proxy.CutOpenTunnels(), Is.GreaterThanOrEqualTo(1), "the agent's pooled tunnel was open, and is cut");
        for (int i = 0; i < 3; i++)
        {
            await agent.ScanAsync();
        }

        int failuresBefore = agent.UploadFailures;
        await agent.AdvanceUntilAsync(() => agent.UploadFailures >= failuresBefore + 4, "four failed tries while the proxy refuses");
        Assert.That(agent.Outbox.Count, Is.EqualTo(3), "nothing leaves the outbox while the proxy refuses");
        int failuresWhileRefusing = agent.UploadFailures - failuresBefore;

        // 3. It comes back flaky: a tunnel is cut half-way through a relayed chunk, either way (the request half sent, or
        // the portal's answer half delivered after the batch was stored), at a seeded 20 % chance per chunk.
        proxy.Refusing = false;
        proxy.CutChance = 0.2;
        for (int i = 0; i < 6; i++)
        {
            await agent.ScanAsync();
            await agent.AdvanceAsync(steps: 10);
        }

        await agent.AdvanceUntilAsync(() => proxy.CutsUp + proxy.CutsDown >= 6 || agent.Outbox.Count == 0, "tunnels cut mid-exchange");

        // 4. It behaves again: everything goes up.
        proxy.CutChance = 0;
        await agent.WaitForEmptyOutboxAsync();

        var stored = await _portal.Database.BatchesAsync(agent.HardwareId);
        TestContext.Progress.WriteLine(
            $"proxy cuts: {proxy.Resets} resets, {proxy.CutsUp} cut while the agent sent, {proxy.CutsDown} while the portal answered; " +
            $"{agent.UploadFailures} failed tries ({failuresWhileRefusing} while refusing), {agent.DuplicatesAcknowledged} batch(es) answered " +
            $"'already stored' (their first answer was cut), {stored.Count} stored of {agent.Produced.Count}");
        Assert.Multiple(() =>
        {
            Assert.That(stored.Select(b => b.BatchKey), Is.EqualTo(agent.Produced), "every batch stored once, in order: none lost, none twice");
            Assert.That(proxy.CutsUp + proxy.CutsDown, Is.GreaterThanOrEqualTo(1), "the flaky proxy did cut tunnels mid-exchange");
            Assert.That(agent.UploadFailures, Is.GreaterThan(failuresBefore + failuresWhileRefusing), "the cuts failed uploads, which were tried again");
            Assert.That(agent.RetryMessages, Has.All.Contain("retrying in"), "each failure is logged with its next try");
        });
    }

    /// <summary>The agent's portal link, outbox and uploader, with the proxy in its settings, on fake time.</summary>
    private sealed class ProxiedAgent : IAsyncDisposable
    {
        private readonly HttpClient _http;
        private readonly Uploader _uploader;
        private readonly ListLogger<Uploader> _uploaderLog = new();
        private readonly SiteCreated _site;
        private long _total = 5000;

        private ProxiedAgent(PortalProcess portal, string name, Uri proxy, SiteCreated site, ListLogger<PortalLink>? linkLog)
        {
            _site = site;
            HardwareId = $"test-{name}-{Guid.NewGuid():N}";
            string root = Directory.CreateTempSubdirectory($"osp-svc-{name}-").FullName;
            Paths = new AgentPaths(Path.Combine(root, "state"), Path.Combine(root, "logs"), Path.Combine(root, "config"));
            Paths.EnsureCreated();
            var settings = new AgentSettings { PortalUrl = portal.Url, EnrolmentKey = site.EnrolmentKey, PinnedSha256 = portal.CertificateSha256, Proxy = proxy };
            _http = new HttpClient(PortalHttpHandler.Create(settings)) { Timeout = TimeSpan.FromSeconds(30) };
            Client = new PortalClient(_http);
            Link = new PortalLink(settings, Paths, Client, new HardwareIdentity(HardwareId, null, "test"), "0.0.0-test", Time,
                (Microsoft.Extensions.Logging.ILogger<PortalLink>?)linkLog ?? NullLogger<PortalLink>.Instance);
            Outbox = new FileOutbox(Paths.OutboxDirectory, new OutboxLimits(), Time, NullLogger<FileOutbox>.Instance);
            _uploader = new Uploader(Outbox, Link, Client, Time, new Random(7), _uploaderLog, new AgentStages(Time));
        }

        public FakeTimeProvider Time { get; } = new(new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-1).AddHours(5), TimeSpan.Zero));

        public string HardwareId { get; }

        public AgentPaths Paths { get; }

        public PortalClient Client { get; }

        public PortalLink Link { get; }

        public FileOutbox Outbox { get; }

        public List<string> Produced { get; } = [];

        public static async Task<ProxiedAgent> CreateAsync(PortalProcess portal, string name, Uri proxy, ListLogger<PortalLink>? linkLog = null)
        {
            SiteCreated site = await portal.Operator.CreateSiteAsync($"{name} {Guid.NewGuid():N}");
            return new ProxiedAgent(portal, name, proxy, site, linkLog);
        }

        public static async Task<ProxiedAgent> StartAsync(PortalProcess portal, string name, Uri proxy)
        {
            var agent = await CreateAsync(portal, name, proxy);
            Assert.That(await agent.Link.EnsureEnrolledAsync(CancellationToken.None), Is.True, "enrolled through the proxy");
            await portal.Operator.AssignAsync(agent.Link.Session!.AgentId, agent._site.SiteId);
            await agent.Link.RefreshConfigAsync(CancellationToken.None);
            Assert.That(agent.Link.Plan, Is.Not.Null, "the configuration came through the proxy");
            await agent._uploader.StartAsync(CancellationToken.None);
            return agent;
        }

        /// <summary>A status scan of one printer into the outbox, as the pipeline writes it.</summary>
        public async Task ScanAsync()
        {
            DateTimeOffset now = Time.GetUtcNow();
            _total += 11;
            DeviceReading reading = new()
            {
                Ip = "10.9.0.7",
                Port = 161,
                Vendor = "Kyocera",
                Model = "TASKalfa 3253ci",
                Serial = "PRX-0001",
                Mac = "00:17:c8:00:00:07",
                Counters = new Dictionary<string, PageCounter> { [CounterNames.Total] = new(_total, "1.3.6.1.2.1.43.10.2.1.4.1.1") },
            };
            byte[] document = ReadingDocumentWriter.Write(Link.Session!.AgentId.ToString(), _site.SiteId.ToString(CultureInfo.InvariantCulture), ScanKind.Status, false,
                now, now.AddSeconds(5), [reading]);
            string batchId = Guid.CreateVersion7(now).ToString("N");
            await Outbox.AppendAsync(OutboxItemKind.Status, batchId, InMemoryZip.Of([($"status-{batchId}.xml", document)]));
            Produced.Add(batchId);
        }

        /// <summary>Upload tries that failed and were logged with their retry (event 4002).</summary>
        public int UploadFailures => _uploaderLog.WithId(4002).Count();

        public IReadOnlyList<string> RetryMessages => [.. _uploaderLog.WithId(4002).Select(e => e.Message)];

        /// <summary>Uploads the portal answered "already stored before" (the first try's answer never arrived).</summary>
        public int DuplicatesAcknowledged => _uploaderLog.WithId(4001).Count(e => e.Message.EndsWith("True", StringComparison.Ordinal));

        public async Task AdvanceAsync(int steps)
        {
            for (int i = 0; i < steps; i++)
            {
                Time.Advance(TimeSpan.FromSeconds(30));
                await Task.Delay(50);
            }
        }

        /// <summary>Lets fake time pass in 30 s steps until <paramref name="done"/>; bounded in steps (and so in real time).</summary>
        public async Task AdvanceUntilAsync(Func<bool> done, string what, int maxSteps = 1200)
        {
            for (int step = 0; !done(); step++)
            {
                Assert.That(step, Is.LessThan(maxSteps), $"not reached: {what}");
                Time.Advance(TimeSpan.FromSeconds(30));
                await Task.Delay(50);
            }
        }

        /// <summary>Lets fake time pass (the back-off) until the uploader has emptied the outbox; real time bounded too.</summary>
        public async Task WaitForEmptyOutboxAsync()
        {
            for (int step = 0; Outbox.Count > 0; step++)
            {
                Assert.That(step, Is.LessThan(1200), $"the outbox is not drained ({Outbox.Count} left)");
                Time.Advance(TimeSpan.FromSeconds(30));
                await Task.Delay(50);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _uploader.StopAsync(CancellationToken.None);
            _uploader.Dispose();
            _http.Dispose();
            Directory.Delete(Path.GetDirectoryName(Paths.StateDirectory)!, recursive: true);
        }
    }
}
