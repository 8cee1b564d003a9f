using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OneStopPi.Agent.Commands;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.Readings;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Agent.State;
using OneStopPi.Agent.Upload;
using OneStopPi.Collection.Readings;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// The portal down for 72 hours, then back. A process cannot fake time, so the agent's outbox,
/// uploader and portal client run in this process on a <see cref="FakeTimeProvider"/> (production
/// back-off: 5 s doubling to 30 min), against a real portal process that is stopped and started
/// again (on 127.0.0.1:18501). The "agent" scans every 15 minutes and reads meters daily.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class PortalOutageTests
{
    private const int Port = 18501;
    private static readonly TimeSpan StatusInterval = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan Outage = TimeSpan.FromHours(72);
    private PortalProcess _portal = null!;
    private Agent? _agent;

    [OneTimeSetUp]
    public async Task StartPortalAsync() => _portal = await PortalProcess.StartAsync(Port);

    [OneTimeTearDown]
    public async Task StopPortalAsync() => await _portal.DisposeAsync();

    [TearDown]
    public async Task TearDown()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
            _agent = null;
        }

        if (!_portal.IsRunning)
        {
            await _portal.StartAgainAsync();
        }
    }

    [Test]
    public async Task Seventy_two_hours_down_then_back_loses_no_reading_keeps_the_order_and_the_disk_bounded()
    {
        var limits = new OutboxLimits(); // the product's: 256 MiB, 90 days
        Agent agent = _agent = await Agent.StartAsync(_portal, "outage", limits);
        await agent.ScanAsync(ScanKind.Status);
        await agent.WaitForEmptyOutboxAsync();

        await _portal.StopAsync();
        long largest = await agent.RunWithoutPortalAsync(Outage);

        Assert.Multiple(() =>
        {
            Assert.That(agent.Outbox.Count, Is.EqualTo(agent.Produced.Count - 1), "every scan of the outage waits in the outbox");
            Assert.That(agent.Outbox.Dropped, Is.Zero);
            Assert.That(largest, Is.LessThanOrEqualTo(limits.MaxBytes));
            Assert.That(largest, Is.EqualTo(agent.Produced.Skip(1).Sum(p => p.Bytes)), "the disk holds the batches and nothing else");
            Assert.That(Directory.GetFiles(agent.Paths.OutboxDirectory, "*", SearchOption.AllDirectories), Has.Length.EqualTo(agent.Outbox.Count));
            // Backing off to 30 minutes: a try every 15 minutes on average, not every few seconds.
            Assert.That(agent.UploadRetries, Is.InRange(100, 400), "retries during 72 hours");
        });

        await _portal.StartAgainAsync();
        await agent.WaitForEmptyOutboxAsync();

        IReadOnlyList<StoredBatch> stored = await _portal.Database.BatchesAsync(agent.HardwareId);
        Assert.That(stored.Select(b => b.BatchKey), Is.EqualTo(agent.Produced.Select(p => p.Key)), "every batch, oldest first");
        Assert.That(stored.Sum(b => b.ReadingRows), Is.EqualTo(agent.Produced.Sum(p => p.Readings)));
        Assert.That(agent.Produced.Count(p => p.Kind == ScanKind.Meter), Is.EqualTo(3), "three daily meter readings in 72 hours");
    }

    [Test]
    public async Task Over_a_tight_disk_bound_status_readings_go_first_and_every_meter_reading_arrives_in_order()
    {
        // Room for about 40 batches: the outage's 291 cannot all stay.
        Agent probe = _agent = await Agent.StartAsync(_portal, "outage-size", new OutboxLimits());
        long batchSize = await probe.ScanAsync(ScanKind.Status);
        await probe.DisposeAsync();
        var limits = new OutboxLimits { MaxBytes = 40 * (batchSize + 64) };
        Agent agent = _agent = await Agent.StartAsync(_portal, "outage-bounded", limits);

        await _portal.StopAsync();
        long largest = await agent.RunWithoutPortalAsync(Outage);
        await _portal.StartAgainAsync();
        await agent.WaitForEmptyOutboxAsync();

        IReadOnlyList<StoredBatch> stored = await _portal.Database.BatchesAsync(agent.HardwareId);
        string[] meters = [.. agent.Produced.Where(p => p.Kind == ScanKind.Meter).Select(p => p.Key)];
        string[] statuses = [.. agent.Produced.Where(p => p.Kind == ScanKind.Status).Select(p => p.Key)];
        string[] storedKeys = [.. stored.Select(b => b.BatchKey)];
        string[] keptStatuses = [.. statuses.Intersect(storedKeys)];
        Assert.Multiple(() =>
        {
            Assert.That(largest, Is.LessThanOrEqualTo(limits.MaxBytes), "the bound holds throughout");
            Assert.That(meters.Except(storedKeys), Is.Empty, "no meter reading dropped");
            Assert.That(storedKeys, Is.EqualTo(agent.Produced.Select(p => p.Key).Where(storedKeys.Contains)), "stored oldest first");
            Assert.That(keptStatuses, Is.EqualTo(statuses.TakeLast(keptStatuses.Length)), "the oldest status readings went first");
            Assert.That(agent.Outbox.Dropped, Is.EqualTo(statuses.Length - keptStatuses.Length), "every drop is counted (the heartbeat reports it)");
            Assert.That(agent.OutboxLog.WithId(2003).Count(), Is.EqualTo(agent.Outbox.Dropped), "every drop is logged");
            Assert.That(keptStatuses, Has.Length.InRange(30, 50), "the newest status readings that fit");
        });
    }

    /// <summary>The agent's outbox, uploader and portal client, enrolled and assigned, on fake time.</summary>
    private sealed class Agent : IAsyncDisposable
    {
        private readonly HttpClient _http;
        private readonly Uploader _uploader;
        private readonly ListLogger<Uploader> _uploaderLog = new();
        private readonly SiteCreated _site;
        private long _total = 1000;
        private DateOnly? _meterDay;

        private Agent(PortalProcess portal, string name, OutboxLimits limits, SiteCreated site)
        {
            _site = site;
            HardwareId = $"test-{name}-{Guid.NewGuid():N}";
            string root = Directory.CreateTempSubdirectory($"osp-svc-{name}-").FullName;
            Paths = new AgentPaths(Path.Combine(root, "state"), Path.Combine(root, "logs"), Path.Combine(root, "config"));
            Paths.EnsureCreated();
            var settings = new AgentSettings { PortalUrl = portal.Url, EnrolmentKey = site.EnrolmentKey, PinnedSha256 = portal.CertificateSha256 };
            _http = new HttpClient(PortalHttpHandler.Create(settings)) { Timeout = TimeSpan.FromSeconds(30) };
            Client = new PortalClient(_http);
            Link = new PortalLink(settings, Paths, Client, new HardwareIdentity(HardwareId, null, "test"), "0.0.0-test", Time, NullLogger<PortalLink>.Instance);
            Outbox = new FileOutbox(Paths.OutboxDirectory, limits, Time, OutboxLog);
            _uploader = new Uploader(Outbox, Link, Client, Time, new Random(72), _uploaderLog, new AgentStages(Time));
        }

        /// <summary>05:00 UTC four days ago, so every reading of the test lies in the portal's past.</summary>
        public FakeTimeProvider Time { get; } = new(new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-4).AddHours(5), TimeSpan.Zero));

        public string HardwareId { get; }

        public AgentPaths Paths { get; }

        public PortalClient Client { get; }

        public PortalLink Link { get; }

        public FileOutbox Outbox { get; }

        public ListLogger<FileOutbox> OutboxLog { get; } = new();

        public List<(string Key, ScanKind Kind, int Readings, long Bytes)> Produced { get; } = [];

        /// <summary>Upload attempts that failed and were scheduled again.</summary>
        public int UploadRetries => _uploaderLog.WithId(4002).Count();

        public static async Task<Agent> StartAsync(PortalProcess portal, string name, OutboxLimits limits)
        {
            SiteCreated site = await portal.Operator.CreateSiteAsync($"{name} {Guid.NewGuid():N}");
            var agent = new Agent(portal, name, limits, site);
            Assert.That(await agent.Link.EnsureEnrolledAsync(CancellationToken.None), Is.True);
            await portal.Operator.AssignAsync(agent.Link.Session!.AgentId, site.SiteId);
            await agent.Link.RefreshConfigAsync(CancellationToken.None);
            await agent._uploader.StartAsync(CancellationToken.None);
            return agent;
        }

        /// <summary>A scan of two printers into the outbox, as the pipeline writes it; returns the batch's size.</summary>
        public async Task<long> ScanAsync(ScanKind kind)
        {
            DateTimeOffset now = Time.GetUtcNow();
            _total += 17;
            DeviceReading[] readings =
            [
                Printer("10.9.0.5", "OUT-0001", "00:17:c8:00:00:01", _total),
                Printer("10.9.0.6", "OUT-0002", "00:17:c8:00:00:02", _total * 2),
            ];
            byte[] document = ReadingDocumentWriter.Write(Link.Session!.AgentId.ToString(), _site.SiteId.ToString(CultureInfo.InvariantCulture), kind, false,
                now, now.AddSeconds(20), readings);
            string batchId = Guid.CreateVersion7(now).ToString("N");
            byte[] zip = InMemoryZip.Of([($"{kind.ToString().ToLowerInvariant()}-{batchId}.xml", document)]);
            await Outbox.AppendAsync(kind == ScanKind.Meter ? OutboxItemKind.Meter : OutboxItemKind.Status, batchId, zip);
            Produced.Add((batchId, kind, readings.Length, zip.Length));
            return zip.Length;
        }

        /// <summary>Time passes with the portal unreachable: a status scan every 15 minutes, the meter scan daily at 06:00 UTC. Returns the largest outbox seen on disk.</summary>
        public async Task<long> RunWithoutPortalAsync(TimeSpan duration)
        {
            long largest = 0;
            for (TimeSpan passed = TimeSpan.Zero; passed < duration; passed += StatusInterval)
            {
                for (int step = 0; step < 3; step++)
                {
                    Time.Advance(StatusInterval / 3);
                    await Task.Delay(1); // the uploader's retries run on the thread pool
                }

                DateTimeOffset now = Time.GetUtcNow();
                if (now.TimeOfDay >= TimeSpan.FromHours(6) && _meterDay != DateOnly.FromDateTime(now.UtcDateTime))
                {
                    _meterDay = DateOnly.FromDateTime(now.UtcDateTime);
                    await ScanAsync(ScanKind.Meter);
                }

                await ScanAsync(ScanKind.Status);
                largest = Math.Max(largest, new DirectoryInfo(Paths.OutboxDirectory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length));
            }

            return largest;
        }

        /// <summary>Lets time pass (the back-off can be 30 minutes) until the uploader has emptied the outbox.</summary>
        public async Task WaitForEmptyOutboxAsync()
        {
            // A hang guard on the real clock: the uploads themselves are real HTTP to the portal process, slow on a
            // busy machine, while fake time goes on a minute per turn (so a count of fake minutes is no bound).
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (Outbox.Count > 0)
            {
                Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromMinutes(20)), $"the outbox is not drained ({Outbox.Count} left)");
                Time.Advance(TimeSpan.FromMinutes(1));
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

        private static DeviceReading Printer(string ip, string serial, string mac, long total) => new()
        {
            Ip = ip,
            Port = 161,
            Vendor = "Kyocera",
            Model = "TASKalfa 3253ci",
            Serial = serial,
            Mac = mac,
            Counters = new Dictionary<string, PageCounter> { [CounterNames.Total] = new(total, "1.3.6.1.2.1.43.10.2.1.4.1.1") },
        };
    }
}
