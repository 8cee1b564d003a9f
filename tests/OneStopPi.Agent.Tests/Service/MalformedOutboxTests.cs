using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// The field report behind issue 16, end to end: with the agent stopped, a file
/// <c>0.commandresult.abc.zip</c> is put in its outbox; the agent starts again. It used to kill the
/// uploader for good (FormatException) while the process stayed up; now the file is quarantined with
/// an error and the next scan's readings reach the portal. The LAN face is on, on 127.0.0.1:18571 (TCP)
/// and 18572 (UDP), no mDNS, so <c>/status</c> can be read.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed partial class MalformedOutboxTests
{
    private const int HttpPort = 18571;
    private const int DiscoveryPort = 18572;
    private AgentHome _home = null!;
    private AgentProcess? _agent;

    [SetUp]
    public void SetUp() => _home = new AgentHome("malformed");

    [TearDown]
    public async Task TearDown()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        _home.Dispose();
    }

    [Test]
    public async Task A_malformed_outbox_file_is_quarantined_and_the_next_scan_still_uploads()
    {
        await ServicePeers.FleetAsync();
        PortalProcess portal = await ServicePeers.PortalAsync();
        SiteCreated site = await SiteSetup.CreateSiteAsync(portal, "Malformed outbox", SiteSetup.FleetConfig(meterTime: SiteSetup.JustPassedMeterTime()));
        _home.Configure(portal, site.EnrolmentKey);
        _home.EnableLanOnLoopback(HttpPort, DiscoveryPort);
        _home.ClockSynchronised();
        Directory.CreateDirectory(_home.OutboxDirectory);
        string malformed = Path.Combine(_home.OutboxDirectory, "0.commandresult.abc.zip");
        await File.WriteAllBytesAsync(malformed, [0x50, 0x4b, 0x05, 0x06]);

        _agent = _home.Start();
        await SiteSetup.AssignWhenEnrolledAsync(portal, _home, _agent, site);
        Match uploaded = await _agent.WaitForLogAsync(MeterUploaded());

        IReadOnlyList<StoredBatch> batches = await portal.Database.BatchesAsync(_home.HardwareId);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}/") };
        JsonNode status = await Eventually.ValueAsync(async () =>
            JsonNode.Parse(await http.GetStringAsync("status")) is { } s && (int)s["outbox"]!["depth"]! == 0 ? s : null,
            TimeSpan.FromSeconds(20), "an empty outbox in /status", _agent.Tail);
        Assert.Multiple(() =>
        {
            Assert.That(batches.Single(b => b.BatchKey == uploaded.Groups["batch"].Value).ReadingRows, Is.EqualTo(5), "the scan's readings reached the portal");
            Assert.That(File.Exists(malformed), Is.False);
            Assert.That(File.Exists(Path.Combine(_home.OutboxDirectory, "quarantine", "0.commandresult.abc.zip")), Is.True, "kept aside for a technician");
            Assert.That(_agent.Output, Does.Contain("0.commandresult.abc.zip is not a batch that can be sent"));
            Assert.That(_agent.Output, Does.Not.Contain("BackgroundService failed").And.Not.Contain("FormatException"));
            Assert.That(_agent.Output, Does.Not.Contain("' failed; restarting it"), "no stage needed a restart");
            JsonNode stages = status["stages"]!;
            Assert.That((int)stages["restarts"]!, Is.Zero);
            Assert.That(stages["stalled"], Is.Null);
            Assert.That(stages["each"]!.AsArray().Select(s => (string?)s!["name"]),
                Is.EquivalentTo(new[] { "scheduler", "scan worker", "uploader", "portal sync", "commands", "LAN face" }));
            Assert.That((bool)status["outbox"]!["statusPaused"]!, Is.False);
        });
        Assert.That(await _agent.TerminateAsync(), Is.Zero, _agent.Tail());
    }

    [GeneratedRegex(@"Uploaded Meter batch (?<batch>[0-9a-f]{32}): (?<readings>\d+) reading")]
    private static partial Regex MeterUploaded();
}
