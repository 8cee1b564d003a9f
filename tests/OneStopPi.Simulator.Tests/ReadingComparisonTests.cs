using System.Net;
using OneStopPi.Collection;
using OneStopPi.Collection.Readings;
using OneStopPi.Snmp.Transport;
using OneStopPi.TestSupport;

namespace OneStopPi.Simulator.Tests;

/// <summary>
/// Issue 3: the printer reading (the scan JSON) of every recording is the same whether our simulator
/// or Debian's snmpsim serves it, apart from timings. Our simulator at 127.0.86.1.., snmpsim at 127.0.86.101...
/// </summary>
[NonParallelizable]
public sealed class ReadingComparisonTests
{
    private const int OursPort = 47461;
    private const int TheirsPort = 47462;
    private FleetSimulator _ours = null!;
    private SnmpsimFleet? _theirs;
    private SnmpClient _client = null!;
    private string[] _names = [];

    [OneTimeSetUp]
    public async Task Start()
    {
        Peers.Require("snmpsimd");
        IReadOnlyList<Recording> recordings = Fleet.Samples;
        _names = [.. recordings.Select(r => r.Name)];
        _theirs = await SnmpsimFleet.StartAsync("v2c", "127.0.86.101", [.. recordings.Select(r => Path.Combine(TestPaths.Walks, r.Name))], TheirsPort);
        _ours = FleetSimulator.Create(recordings, new SimulatorOptions { FirstAddress = IPAddress.Parse("127.0.86.1"), Port = OursPort });
        _ours.Start();
        _client = new SnmpClient();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_theirs is not null)
        {
            await _theirs.DisposeAsync();
        }

        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_ours is not null)
        {
            await _ours.DisposeAsync();
        }
    }

    private static IEnumerable<TestCaseData> Recordings() =>
        Fleet.Samples.Select((r, i) => new TestCaseData(i).SetArgDisplayNames(r.Name));

    /// <summary>The reading without what legitimately differs: the address, timings and the uptime.</summary>
    private static string Comparable(DeviceReading reading) =>
        ReadingJson.Serialize(reading with { Ip = "-", Port = 0, ElapsedMs = 0, UptimeSeconds = null });

    [TestCaseSource(nameof(Recordings))]
    public async Task The_reading_is_the_same_from_our_simulator_and_from_snmpsim(int i)
    {
        var collector = new DeviceCollector(_client);
        DeviceReading ours = await collector.ReadAsync(Fleet.V2c(new IPEndPoint(IPAddress.Parse($"127.0.86.{1 + i}"), OursPort)));
        DeviceReading theirs = await collector.ReadAsync(Fleet.V2c(new IPEndPoint(IPAddress.Parse($"127.0.86.{101 + i}"), TheirsPort)));

        Assert.That(ours.Answered, Is.True, _names[i]);
        Assert.That(Comparable(ours), Is.EqualTo(Comparable(theirs)), _names[i]);
    }
}
