using OneStopPi.Snmp.Transport;
using OneStopPi.Snmp.Text;

namespace OneStopPi.Simulator.Tests;

/// <summary>Every sample recording, served by our simulator and walked over v2c by our client, comes back as recorded.</summary>
[NonParallelizable]
public class WalkTests
{
    private FleetSimulator _fleet = null!;
    private SnmpClient _client = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _fleet = Fleet.Start(Fleet.Samples, 1, Loopback.WalkPort);
        _client = new SnmpClient();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _client.DisposeAsync();
        await _fleet.DisposeAsync();
    }

    private static IEnumerable<string> Samples() => TestPaths.SampleFiles();

    [TestCaseSource(nameof(Samples))]
    public async Task A_v2c_walk_of_dot_1_equals_the_recording(string file)
    {
        SimulatedDevice device = _fleet.Devices.Single(d => d.Recording.Name == file);

        List<string> walked = await Fleet.WalkAsync(_client, Fleet.V2c(device.EndPoint));

        // The file itself, line by line, parsed as snmpsim parses it (independent of the simulator's loader).
        var fromFile = File.ReadLines(Path.Combine(TestPaths.Walks, file))
            .Select(line => SnmprecFormat.TryParseRecord(line, out var v, out _) ? v : (OneStopPi.Snmp.Varbind?)null)
            .Where(v => v is not null).Select(v => v!.Value)
            .OrderBy(v => v.Oid).Select(SnmprecFormat.FormatRecord).Distinct().ToList();
        Assert.That(walked, Is.EqualTo(fromFile));
        Assert.That(walked, Is.EqualTo(Fleet.Expected(device.Recording)));
    }

    [Test]
    public async Task Small_max_repetitions_walk_the_same()
    {
        SimulatedDevice device = _fleet.Devices.Single(d => d.Recording.Name == "zebra.snmprec");
        Assert.That(await Fleet.WalkAsync(_client, Fleet.V2c(device.EndPoint), maxRepetitions: 1), Is.EqualTo(Fleet.Expected(device.Recording)));
    }
}
