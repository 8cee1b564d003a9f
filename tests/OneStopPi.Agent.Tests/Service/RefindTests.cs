using System.Net;
using System.Text.RegularExpressions;
using OneStopPi.Agent.State;
using OneStopPi.Collection.Discovery;
using OneStopPi.Simulator;
using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Service;

/// <summary>
/// A printer whose DHCP address changed after the daily scan: <c>onestoppi run</c> against the reference portal,
/// two simulated printers (the agent's simulator, in this process) on 127.0.78.1-2. After the meter scan one of
/// them moves to 127.0.78.5 and the other is switched off; the next status scan sweeps the site's ranges, reads
/// the moved printer where it is now and re-homes it, and reports the other unanswered at its last address.
/// Loopback allocation of this fixture: 127.0.78.0/24 (UDP <see cref="Port"/>, so no root is needed).
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed partial class RefindTests
{
    private const int Port = 47878;
    private const string Range = "127.0.78.1-127.0.78.8";
    private const string Sharp = "6509415X00";
    private const string Ricoh = "W492KB03439";

    private AgentHome _home = null!;
    private AgentProcess? _agent;
    private FleetSimulator? _printers;

    [SetUp]
    public void SetUp() => _home = new AgentHome("refind");

    [TearDown]
    public async Task TearDown()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        if (_printers is not null)
        {
            await _printers.DisposeAsync();
        }

        _home.Dispose();
    }

    [Test]
    public async Task A_printer_that_moved_since_the_meter_scan_is_read_at_its_new_address_by_the_status_scan_and_rehomed_once()
    {
        PortalProcess portal = await ServicePeers.PortalAsync();
        _printers = Serve("127.0.78.1", "sharp", "ricoh_mpc3002");
        SiteCreated site = await SiteSetup.CreateSiteAsync(portal, "Refind",
            SiteSetup.FleetConfig(meterTime: SiteSetup.JustPassedMeterTime()) with { Ranges = [Range], StatusIntervalMinutes = 1 });
        _home.Configure(portal, site.EnrolmentKey, Port);
        _home.ClockSynchronised();
        _agent = _home.Start();
        await SiteSetup.AssignWhenEnrolledAsync(portal, _home, _agent, site);

        await _agent.WaitForLogAsync(Uploaded("Meter"));
        Assert.That(Registry().Select(d => (d.Serial, d.Ip)), Is.EquivalentTo(new[] { (Sharp, "127.0.78.1"), (Ricoh, "127.0.78.2") }));
        Assert.That(_agent.Output, Does.Not.Match(StatusDone()), "the status scan comes a minute after the start, once the printers moved");

        // The Sharp's lease changes; the Ricoh is switched off.
        await _printers.DisposeAsync();
        _printers = Serve("127.0.78.5", "sharp");

        Match done = await _agent.WaitForLogAsync(StatusDone(), TimeSpan.FromSeconds(120));
        Match uploaded = await _agent.WaitForLogAsync(Uploaded("Status"));
        Assert.Multiple(() =>
        {
            Assert.That((done.Groups["devices"].Value, done.Groups["answered"].Value), Is.EqualTo(("2", "1")), "one reading per known printer");
            Assert.That(_agent.Output, Does.Contain("Status scan: 2 known device(s) did not answer at their last address; sweeping the site's ranges"));
            Assert.That(_agent.Output, Does.Match($@"Device serial:\S+:{Sharp} moved from 127\.0\.78\.1 to 127\.0\.78\.5; re-homed"));
            Assert.That(_agent.Output, Does.Contain("Re-find sweep: 1 of 2 missing device(s) found again, 1 at a new address"));
        });

        // The registry: one entry each; the Sharp at its new address only, the Ricoh kept where it was.
        RegisteredDevice[] registry = Registry();
        Assert.Multiple(() =>
        {
            Assert.That(registry.Select(d => (d.Serial, d.Ip)), Is.EquivalentTo(new[] { (Sharp, "127.0.78.5"), (Ricoh, "127.0.78.2") }));
            Assert.That(registry.Single(d => d.Serial == Sharp).Addresses, Is.EqualTo(new[] { "127.0.78.5" }));
        });

        // The portal: the status batch read the Sharp at 127.0.78.5 (nothing at .1), the Ricoh unanswered; still two devices.
        IReadOnlyList<StoredReading> readings = await portal.Database.ReadingsOfBatchAsync(uploaded.Groups["batch"].Value);
        DeviceView[] devices = await portal.Operator.DevicesAsync(site.SiteId);
        Assert.Multiple(() =>
        {
            Assert.That(readings.Select(r => (r.Ip, r.Error is null)), Is.EquivalentTo(new[] { ("127.0.78.5", true), ("127.0.78.2", false) }));
            Assert.That(readings.Single(r => r.Error is null).DeviceSerial, Is.EqualTo(Sharp));
            Assert.That(devices.Select(d => (d.Serial, d.Ip)), Is.EquivalentTo(new[] { (Sharp, "127.0.78.5"), (Ricoh, "127.0.78.2") }));
        });
        Assert.That(await _agent.TerminateAsync(), Is.Zero, _agent.Tail());
    }

    /// <summary>The recordings on consecutive addresses from <paramref name="first"/>, each answering on <see cref="Port"/>.</summary>
    private static FleetSimulator Serve(string first, params string[] recordings)
    {
        var problems = new List<RecordingProblem>();
        Recording[] loaded = [.. recordings.Select(r => RecordingLoader.LoadFile(Path.Combine(RepoPaths.SampleWalks, r + RecordingLoader.Extension), problems))];
        FleetSimulator fleet = FleetSimulator.Create(loaded, new SimulatorOptions { FirstAddress = IPAddress.Parse(first), Port = Port });
        fleet.Start();
        return fleet;
    }

    private RegisteredDevice[] Registry() => [.. RegistryFile.Load(Path.Combine(_home.StateDirectory, "devices.json")).Devices];

    private static Regex Uploaded(string kind) =>
        new($"Uploaded {kind} batch (?<batch>[0-9a-f]{{32}}): (?<readings>\\d+) reading", RegexOptions.CultureInvariant);

    [GeneratedRegex(@"Status scan \(status interval\) done: (?<devices>\d+) device\(s\), (?<answered>\d+) answered")]
    private static partial Regex StatusDone();
}
