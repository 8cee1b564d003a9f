using System.Text.RegularExpressions;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// The whole product on loopback: <c>onestoppi run</c> enrols with the reference portal, waits to be
/// assigned, takes the site's configuration, runs the daily scan at the site's meter time over the
/// simulated fleet, and uploads; the portal then shows every printer with its meters.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed partial class FullCycleTests
{
    private AgentHome _home = null!;
    private AgentProcess? _agent;

    [SetUp]
    public void SetUp() => _home = new AgentHome("cycle");

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
    public async Task Enrol_config_scheduled_scan_upload_and_the_portal_has_the_readings()
    {
        await ServicePeers.FleetAsync();
        PortalProcess portal = await ServicePeers.PortalAsync();
        SiteCreated site = await SiteSetup.CreateSiteAsync(portal, "Full cycle", SiteSetup.FleetConfig(meterTime: SiteSetup.JustPassedMeterTime()));
        _home.Configure(portal, site.EnrolmentKey);
        _home.ClockSynchronised();

        _agent = _home.Start();
        await _agent.WaitForLogAsync("Enrolled with the portal as agent");
        Assert.That(_agent.Output, Does.Contain("assigned to a site: False"), "a new agent starts unassigned");
        Guid agentId = await SiteSetup.AssignWhenEnrolledAsync(portal, _home, _agent, site);

        Match due = await _agent.WaitForLogAsync(MeterDue());
        Assert.That(due.Groups["missed"].Value, Is.EqualTo("False"), "the scan runs at its time, not as a missed one");
        Match uploaded = await _agent.WaitForLogAsync(MeterUploaded());
        DeviceView[] devices = await Eventually.ValueAsync(
            async () => await portal.Operator.DevicesAsync(site.SiteId) is { Length: 5 } d ? d : null, TimeSpan.FromSeconds(30), "five devices in the portal");

        Assert.Multiple(() =>
        {
            Assert.That(devices.Select(d => d.Ip).Order(), Is.EqualTo(ServicePeers.Recordings.Select(ServicePeers.Address)));
            Assert.That(devices.Single(d => d.Ip == ServicePeers.Address("ricoh_mpc3002")).Serial, Is.EqualTo("W492KB03439"));
            Assert.That(devices.Single(d => d.Ip == ServicePeers.Address("sharp")).Serial, Is.EqualTo("6509415X00"));
            Assert.That(devices.Single(d => d.Ip == ServicePeers.Address("utax")).Mac, Is.EqualTo("00:17:c8:94:5f:14"));
            foreach (string meterPrinter in new[] { "jetdirect_m130nw", "ricoh_mpc3002", "sharp", "utax" })
            {
                DeviceView device = devices.Single(d => d.Ip == ServicePeers.Address(meterPrinter));
                Assert.That(device.Counters.Select(c => c.Name), Does.Contain("total"), meterPrinter);
                Assert.That(device.MetersAt, Is.Not.Null, meterPrinter);
            }
        });

        IReadOnlyList<StoredBatch> batches = await portal.Database.BatchesAsync(_home.HardwareId);
        Assert.That(batches.Select(b => b.BatchKey), Does.Contain(uploaded.Groups["batch"].Value));
        StoredBatch meter = batches.Single(b => b.BatchKey == uploaded.Groups["batch"].Value);
        Assert.Multiple(() =>
        {
            Assert.That(meter.ReadingRows, Is.EqualTo(5));
            Assert.That(meter.MissedMeter, Is.False);
        });

        // The heartbeat tells the portal about the scan; nothing is left waiting in the outbox.
        AgentView seen = await Eventually.ValueAsync(
            async () => (await portal.Operator.AgentsAsync()).SingleOrDefault(a => a.Id == agentId && a.LastMeterScanAt is not null && a.OutboxDepth == 0),
            TimeSpan.FromSeconds(20), "a heartbeat reporting the scan");
        Assert.That(seen.SiteId, Is.EqualTo(site.SiteId));
        Assert.That(Directory.GetFiles(_home.OutboxDirectory), Is.Empty);
        Assert.That(await _agent.TerminateAsync(), Is.Zero, _agent.Tail());
    }

    [Test]
    public async Task A_box_that_was_off_at_the_scan_time_reads_once_when_back_and_the_reading_says_missed()
    {
        await ServicePeers.FleetAsync();
        PortalProcess portal = await ServicePeers.PortalAsync();
        string halfAnHourAgo = DateTime.UtcNow.AddMinutes(-30).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        SiteCreated site = await SiteSetup.CreateSiteAsync(portal, "Missed", SiteSetup.FleetConfig(meterTime: halfAnHourAgo));
        _home.Configure(portal, site.EnrolmentKey);
        _home.ClockSynchronised();

        _agent = _home.Start();
        await SiteSetup.AssignWhenEnrolledAsync(portal, _home, _agent, site);

        Match due = await _agent.WaitForLogAsync(MeterDue());
        Assert.That(due.Groups["missed"].Value, Is.EqualTo("True"));
        Match uploaded = await _agent.WaitForLogAsync(MeterUploaded());
        StoredBatch stored = (await portal.Database.BatchesAsync(_home.HardwareId)).Single(b => b.BatchKey == uploaded.Groups["batch"].Value);
        Assert.That(stored.MissedMeter, Is.True, "the stored scan is flagged missedMeter");

        await Task.Delay(TimeSpan.FromSeconds(2)); // ten scheduler ticks
        Assert.That(MeterDue().Matches(_agent.Output), Has.Count.EqualTo(1), "it runs once");
        Assert.That(await _agent.TerminateAsync(), Is.Zero, _agent.Tail());
    }

    [GeneratedRegex(@"Daily meter scan for \S+ is due \(slot [^,]+, missed: (?<missed>\w+)\)")]
    private static partial Regex MeterDue();

    [GeneratedRegex(@"Uploaded Meter batch (?<batch>[0-9a-f]{32}): (?<readings>\d+) reading")]
    private static partial Regex MeterUploaded();
}
