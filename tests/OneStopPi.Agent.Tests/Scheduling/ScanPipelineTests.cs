using System.IO.Compression;
using System.Net;
using System.Xml.Linq;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.Readings;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Agent.State;
using OneStopPi.Collection;
using OneStopPi.Collection.Discovery;
using OneStopPi.Collection.Readings;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Agent.Tests.Scheduling;

/// <summary>
/// The scan pipeline on its own: a fake sweep and a fake collector stand for the network, a real outbox and registry
/// in a temporary directory take what it writes. What is read, with which credential first, and what is queued.
/// </summary>
public sealed class ScanPipelineTests
{
    private static readonly XNamespace Ns = ReadingDocumentWriter.Namespace;
    private string _root = null!;
    private AgentPaths _paths = null!;
    private FakeTimeProvider _time = null!;
    private FakeCollector _collector = null!;
    private FakeScanner _scanner = null!;
    private FileOutbox _outbox = null!;

    [SetUp]
    public async Task SetUp()
    {
        _root = Directory.CreateTempSubdirectory("scanpipeline-").FullName;
        _paths = new AgentPaths(Path.Combine(_root, "state"), Path.Combine(_root, "logs"), Path.Combine(_root, "etc"));
        _paths.EnsureCreated();
        await new JsonStateFile<EnrolmentState>(_paths.State("enrolment.json"), AgentJsonContext.Default.EnrolmentState)
            .SaveAsync(new EnrolmentState(Guid.NewGuid(), "token", new Uri("https://portal.invalid/")));
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 6, 0, 0, TimeSpan.Zero));
        _collector = new FakeCollector();
        _scanner = new FakeScanner();
        _outbox = new FileOutbox(_paths.OutboxDirectory, new OutboxLimits(), _time, NullLogger<FileOutbox>.Instance);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task A_meter_scan_reads_the_printers_the_sweep_found_with_the_first_credential_that_answers()
    {
        _collector.Answers["198.18.0.10"] = "second";
        _collector.Answers["198.18.0.9"] = "first";
        _scanner.Found = [Printer("198.18.0.10", "SN10"), Printer("198.18.0.9", "SN9"), Other("198.18.0.50")];

        ScanOutcome outcome = await Pipeline().RunAsync(Job(ScanKind.Meter), Plan("first", "second"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(_scanner.Sweeps, Is.EqualTo(1));
            Assert.That(outcome.Devices, Is.EqualTo(2), "the non-printer is not read");
            Assert.That(outcome.Answered, Is.EqualTo(2));
            Assert.That(_collector.AttemptsAt("198.18.0.10"), Is.EqualTo(new[] { "first", "second" }), "the site's order, no preference known yet");
            Assert.That(_collector.AttemptsAt("198.18.0.50"), Is.Empty);
            Assert.That(Batches().Single().Kind, Is.EqualTo(OutboxItemKind.Meter));
            Assert.That(Batches().Single().Ips, Is.EqualTo(new[] { "198.18.0.9", "198.18.0.10" }), "address order, not text order");
        });
        DeviceRegistry registry = await RegistryFile.LoadAsync(_paths.State("devices.json"));
        Assert.That(registry.PreferredCredential(IPAddress.Parse("198.18.0.10")), Is.EqualTo(1), "the credential that answered is remembered");
    }

    [Test]
    public async Task A_status_scan_reads_the_known_printers_without_a_sweep_the_last_good_credential_first()
    {
        _collector.Answers["198.18.0.10"] = "second";
        _scanner.Found = [Printer("198.18.0.10", "SN10")];
        await Pipeline().RunAsync(Job(ScanKind.Meter), Plan("first", "second"), CancellationToken.None);
        _collector.Attempts.Clear();

        ScanOutcome outcome = await Pipeline().RunAsync(Job(ScanKind.Status), Plan("first", "second"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(_scanner.Sweeps, Is.EqualTo(1), "no sweep for a status scan whose devices all answered");
            Assert.That(_collector.AttemptsAt("198.18.0.10"), Is.EqualTo(new[] { "second" }));
            Assert.That(outcome.Answered, Is.EqualTo(1));
            Assert.That(Batches().Select(b => b.Kind), Is.EqualTo(new[] { OutboxItemKind.Meter, OutboxItemKind.Status }));
        });
    }

    [Test]
    public async Task A_site_without_credentials_is_read_with_public()
    {
        _collector.Answers["198.18.0.10"] = "public";
        _scanner.Found = [Printer("198.18.0.10", "SN10")];

        ScanOutcome outcome = await Pipeline().RunAsync(Job(ScanKind.Meter), Plan(), CancellationToken.None);

        Assert.That(_collector.AttemptsAt("198.18.0.10"), Is.EqualTo(new[] { "public" }));
        Assert.That(outcome.Answered, Is.EqualTo(1));
    }

    [Test]
    public async Task A_silent_printer_is_in_the_batch_unanswered_after_every_credential_was_tried()
    {
        _scanner.Found = [Printer("198.18.0.10", "SN10")];

        ScanOutcome outcome = await Pipeline().RunAsync(Job(ScanKind.Meter), Plan("first", "second"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Devices, Is.EqualTo(1));
            Assert.That(outcome.Answered, Is.Zero);
            Assert.That(_collector.AttemptsAt("198.18.0.10"), Is.EqualTo(new[] { "first", "second" }));
            Assert.That(Batches().Single().Errors, Is.EqualTo(new[] { "no answer" }));
        });
    }

    [Test]
    public async Task A_status_scan_re_finds_a_printer_that_moved_and_lists_it_once_at_its_new_address()
    {
        _collector.Answers["198.18.0.10"] = "first";
        _scanner.Found = [Printer("198.18.0.10", "SN10")];
        await Pipeline().RunAsync(Job(ScanKind.Meter), Plan("first"), CancellationToken.None);
        _collector.Answers.Remove("198.18.0.10");
        _collector.Answers["198.18.0.77"] = "first";
        _scanner.Found = [Printer("198.18.0.77", "SN10")];

        ScanOutcome outcome = await Pipeline().RunAsync(Job(ScanKind.Status), Plan("first"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(_scanner.Sweeps, Is.EqualTo(2), "one re-find sweep");
            Assert.That(outcome.Devices, Is.EqualTo(1));
            Assert.That(outcome.Answered, Is.EqualTo(1));
            Assert.That(Batches()[1].Ips, Is.EqualTo(new[] { "198.18.0.77" }));
        });
        DeviceRegistry registry = await RegistryFile.LoadAsync(_paths.State("devices.json"));
        Assert.That(registry.Devices.Single().Ip, Is.EqualTo("198.18.0.77"));
    }

    [Test]
    public async Task A_large_scan_goes_to_the_outbox_in_bounded_batches_in_address_order_each_under_its_own_key()
    {
        _scanner.Found = [.. Enumerable.Range(1, 5).Reverse().Select(i => Printer($"198.18.0.{i}", $"SN{i}"))];
        foreach (DiscoveredDevice device in _scanner.Found)
        {
            _collector.Answers[device.Ip] = "first";
        }

        ScanOutcome outcome = await Pipeline(devicesPerBatch: 2).RunAsync(Job(ScanKind.Meter), Plan("first"), CancellationToken.None);

        var batches = Batches();
        Assert.Multiple(() =>
        {
            Assert.That(batches.Select(b => b.Ips), Is.EqualTo(new[]
            {
                new[] { "198.18.0.1", "198.18.0.2" }, new[] { "198.18.0.3", "198.18.0.4" }, new[] { "198.18.0.5" },
            }));
            Assert.That(batches.Select(b => b.Kind), Has.All.EqualTo(OutboxItemKind.Meter));
            Assert.That(_outbox.Snapshot().Select(i => i.Key).Distinct().Count(), Is.EqualTo(3));
            Assert.That(outcome.Batches, Is.EqualTo(3));
            Assert.That(outcome.BatchId, Is.EqualTo(_outbox.Snapshot().MinBy(i => i.Sequence)!.Key));
            Assert.That(outcome.Devices, Is.EqualTo(5));
            Assert.That(outcome.Summaries!.Select(d => d.Ip), Is.EquivalentTo(_scanner.Found.Select(d => d.Ip)), "the LAN page's summaries, every device");
            Assert.That(outcome.Summaries!.Select(d => d.Serial), Has.All.StartWith("SN"));
        });
    }

    [Test]
    public async Task A_scan_that_read_nothing_still_queues_its_batch()
    {
        ScanOutcome outcome = await Pipeline().RunAsync(Job(ScanKind.Meter), Plan("first"), CancellationToken.None);

        Assert.That(Batches().Single().Ips, Is.Empty);
        Assert.That(outcome.BatchId, Is.Not.Null);
    }

    [Test]
    public async Task A_missing_printer_that_is_not_found_again_is_in_the_status_batch_unanswered()
    {
        _collector.Answers["198.18.0.10"] = "first";
        _collector.Answers["198.18.0.11"] = "first";
        _scanner.Found = [Printer("198.18.0.10", "SN10"), Printer("198.18.0.11", "SN11")];
        await Pipeline().RunAsync(Job(ScanKind.Meter), Plan("first"), CancellationToken.None);
        _collector.Answers.Remove("198.18.0.10");
        _scanner.Found = [Printer("198.18.0.11", "SN11")];

        ScanOutcome outcome = await Pipeline().RunAsync(Job(ScanKind.Status), Plan("first"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Devices, Is.EqualTo(2));
            Assert.That(outcome.Answered, Is.EqualTo(1));
            Assert.That(Batches()[1].Ips, Is.EquivalentTo(new[] { "198.18.0.10", "198.18.0.11" }));
            Assert.That(Batches()[1].Errors, Is.EqualTo(new[] { "no answer" }));
        });
    }

    private ScanPipeline Pipeline(int devicesPerBatch = ScanPipeline.DefaultDevicesPerBatch) => new(_collector, _scanner, Link(), _outbox, new AgentStages(_time), _paths, new AgentSettings(), new AgentTimings(), _time,
        NullLogger<ScanPipeline>.Instance) { DevicesPerBatch = devicesPerBatch };

    private PortalLink Link() => new(new AgentSettings(), _paths, new PortalClient(new HttpClient()), new HardwareIdentity("test", null, "test"), "0.0.0-test", _time,
        NullLogger<PortalLink>.Instance);

    private static ScanJob Job(ScanKind kind) => new(kind, false, null, "test");

    private static SitePlan Plan(params string[] communities) => new(true, 7, ["198.18.0.0/24"], [],
        [.. communities.Select(c => (SnmpCredentials)new CommunityCredentials(SnmpVersion.V2c, c))], [new TimeOnly(6, 0)], TimeZoneInfo.Utc,
        TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1), "normal");

    private static DiscoveredDevice Printer(string ip, string serial) =>
        new() { Ip = ip, Printer = true, Snmp = true, Reason = "Printer-MIB", Vendor = "Acme", Model = "Laser 1", Serial = serial, CredentialIndex = 0 };

    private static DiscoveredDevice Other(string ip) => new() { Ip = ip, Icmp = true, Reason = "answers ping only" };

    /// <summary>The queued batches in sequence order: kind, the devices' addresses and errors in document order.</summary>
    private List<(OutboxItemKind Kind, string[] Ips, string[] Errors)> Batches() =>
    [
        .. _outbox.Snapshot().OrderBy(i => i.Sequence).Select(item =>
        {
            using ZipArchive zip = ZipFile.OpenRead(item.Path);
            using Stream xml = zip.Entries.Single().Open();
            XElement[] devices = [.. XDocument.Load(xml).Root!.Elements(Ns + "device")];
            return (item.Kind,
                devices.Select(d => (string)d.Attribute("ip")!).ToArray(),
                devices.Select(d => (string?)d.Attribute("error")).OfType<string>().ToArray());
        }),
    ];

    /// <summary>Answers at the addresses in <see cref="Answers"/> with the community given there; silence elsewhere.</summary>
    private sealed class FakeCollector : IDeviceCollector
    {
        private readonly Lock _gate = new();

        public Dictionary<string, string> Answers { get; } = [];

        public List<(string Ip, string Community)> Attempts { get; } = [];

        public string[] AttemptsAt(string ip)
        {
            lock (_gate)
            {
                return [.. Attempts.Where(a => a.Ip == ip).Select(a => a.Community)];
            }
        }

        public Task<DeviceReading> ReadAsync(SnmpTarget target, bool knownAlive, CancellationToken cancellationToken = default)
        {
            string ip = target.EndPoint.Address.ToString();
            string community = ((CommunityCredentials)target.Credentials).Community;
            bool answers;
            lock (_gate)
            {
                Attempts.Add((ip, community));
                answers = Answers.GetValueOrDefault(ip) == community;
            }

            return Task.FromResult(answers
                ? new DeviceReading { Ip = ip, Port = target.EndPoint.Port, Vendor = "Acme", Model = "Laser 1", Serial = "SN" + ip.Split('.')[^1], Requests = 4 }
                : new DeviceReading { Ip = ip, Port = target.EndPoint.Port, Answered = false, Error = "no answer", Requests = 1 });
        }
    }

    private sealed class FakeScanner : IDiscoveryScanner
    {
        public IReadOnlyList<DiscoveredDevice> Found { get; set; } = [];

        public int Sweeps { get; private set; }

        public Task<IReadOnlyList<DiscoveredDevice>> ScanAsync(TargetRangeSet ranges, DiscoveryOptions options, DiscoveryProgress? progress = null,
            CancellationToken cancellationToken = default)
        {
            Sweeps++;
            return Task.FromResult(Found);
        }
    }
}
