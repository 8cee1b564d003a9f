using System.Net;
using OneStopPi.Collection;
using OneStopPi.Collection.Readings;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Simulator.Tests.Faults;

/// <summary>
/// Issue 17: a device that has answered is alive, and its silences are loss. Every recording is read once
/// straight from the simulator, then through a relay that drops, delays, reorders and duplicates datagrams
/// each way (seeded): every reading must be identical to the loss-free one, none incomplete or missing.
/// scripts/bench-lossy measures the same at fleet scale with the kernel dropping datagrams (iptables).
/// </summary>
[NonParallelizable]
public sealed class LossyNetworkTests
{
    private const int DevicePort = 47481;
    private const int RelayPort = 47482;
    private FleetSimulator _fleet = null!;
    private SnmpClient _client = null!;
    private IPEndPoint[] _devices = [];
    private Dictionary<int, string> _baseline = [];

    [OneTimeSetUp]
    public async Task Start()
    {
        IReadOnlyList<Recording> recordings = Fleet.Samples;
        _devices = [.. recordings.Select((_, i) => new IPEndPoint(IPAddress.Parse($"127.0.76.{1 + i}"), DevicePort))];
        _fleet = FleetSimulator.Create(recordings, new SimulatorOptions { FirstAddress = _devices[0].Address, Port = DevicePort });
        _fleet.Start();
        _client = new SnmpClient(new SnmpClientOptions { Random = new Random(17) });
        var collector = new DeviceCollector(_client);
        DeviceReading[] straight = await Task.WhenAll(_devices.Select(d => collector.ReadAsync(Fleet.V2c(d), knownAlive: false)));
        _baseline = straight.Select((r, i) => (r, i)).ToDictionary(x => x.i, x => Comparable(x.r));
        Assert.That(straight.Where(r => r.Error is not null && r.Error.Contains("incomplete", StringComparison.Ordinal)), Is.Empty, "the loss-free readings are whole");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_fleet is not null)
        {
            await _fleet.DisposeAsync();
        }
    }

    /// <summary>Everything but the address, the timings and the request count (the uptime is served as recorded).</summary>
    private static string Comparable(DeviceReading reading) =>
        ReadingJson.Serialize(reading with { Ip = "-", Port = 0, ElapsedMs = 0, Requests = 0 });

    private static IEnumerable<TestCaseData> Conditions()
    {
        yield return new TestCaseData(NetworkFaults.Loss(0.05, 1705)).SetArgDisplayNames("5% loss each way");
        yield return new TestCaseData(NetworkFaults.Loss(0.20, 1720)).SetArgDisplayNames("20% loss each way");
        yield return new TestCaseData(new NetworkFaults(0.20, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(120), 0.10, 1721))
            .SetArgDisplayNames("20% loss, 5-120 ms delay (reordering), 10% duplicated");
    }

    [TestCaseSource(nameof(Conditions))]
    public async Task Every_reading_is_identical_to_the_loss_free_one(NetworkFaults faults)
    {
        IPEndPoint[] fronts = [.. _devices.Select((_, i) => new IPEndPoint(IPAddress.Parse($"127.0.77.{1 + i}"), RelayPort))];
        await using FaultyUdpRelay relay = FaultyUdpRelay.Start(fronts, _devices, faults);
        var collector = new DeviceCollector(_client);
        long retransmitted = _client.Statistics.Retransmissions;
        var started = System.Diagnostics.Stopwatch.StartNew();

        // Read as the status scan reads: devices that answered before (the registry), the status scan's 1.5 s timeout, 1 retry.
        DeviceReading[] lossy = await Task.WhenAll(fronts.Select(f =>
            collector.ReadAsync(Fleet.V2c(f) with { Timeout = TimeSpan.FromMilliseconds(1500), Retries = 1 }, knownAlive: true)));
        started.Stop();
        long[] visits = [.. lossy.Select(r => r.ElapsedMs).Order()];
        DeviceReading slowest = lossy.MaxBy(r => r.ElapsedMs)!;
        TestContext.Out.WriteLine($"slowest: {Fleet.Samples[Array.IndexOf(lossy, slowest)].Name}, {slowest.Requests} requests, {slowest.ElapsedMs} ms");
        retransmitted = _client.Statistics.Retransmissions - retransmitted;
        TestContext.Out.WriteLine($"{faults}: {lossy.Length} devices in {started.Elapsed.TotalSeconds:F1} s, {retransmitted} retransmissions; "
            + $"visits p50 {visits[visits.Length / 2]} ms, max {visits[^1]} ms; relay dropped {relay.Dropped}, duplicated {relay.Duplicated}, forwarded {relay.Forwarded}");

        Assert.That(relay.Dropped, Is.GreaterThan(0), "the relay dropped datagrams");
        Assert.That(retransmitted, Is.GreaterThan(0), "loss was made good by retransmission");
        if (faults.Duplicate > 0)
        {
            Assert.That(relay.Duplicated, Is.GreaterThan(0), "the relay duplicated datagrams");
        }

        Assert.Multiple(() =>
        {
            for (int i = 0; i < lossy.Length; i++)
            {
                Assert.That(Comparable(lossy[i]), Is.EqualTo(_baseline[i]), $"device {i} ({Fleet.Samples[i].Name})");
            }
        });
    }
}
