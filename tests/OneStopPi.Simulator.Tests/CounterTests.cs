using Microsoft.Extensions.Time.Testing;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Simulator.Tests;

/// <summary>Page counters and uptimes advance with the (fake) clock, each device on its own phase.</summary>
[NonParallelizable]
public class CounterTests
{
    private static readonly ObjectIdentifier LifeCount = ObjectIdentifier.Parse("1.3.6.1.2.1.43.10.2.1.4.1.1");
    private static readonly ObjectIdentifier SysUpTime = ObjectIdentifier.Parse("1.3.6.1.2.1.1.3.0");
    private const uint RecordedLifeCount = 3914;
    private const uint RecordedUpTime = 5580970;

    private static async Task<(uint Pages, uint UpTime)[]> ReadAllAsync(SnmpClient client, FleetSimulator fleet)
    {
        var results = new (uint, uint)[fleet.Devices.Count];
        for (int i = 0; i < results.Length; i++)
        {
            IReadOnlyList<Varbind> got = await client.GetAsync(Fleet.V2c(fleet.Devices[i].EndPoint), [LifeCount, SysUpTime]);
            Assert.That(got[0].Value.Type, Is.EqualTo(SnmpValueType.Counter32));
            Assert.That(got[1].Value.Type, Is.EqualTo(SnmpValueType.TimeTicks));
            results[i] = ((uint)got[0].Value.AsUInt64(), (uint)got[1].Value.AsUInt64());
        }

        return results;
    }

    [Test]
    public async Task Counters_advance_with_time_at_the_configured_rate_and_not_in_lockstep()
    {
        var time = new FakeTimeProvider();
        await using FleetSimulator fleet = Fleet.Start([Fleet.Sample("brother_dcp-1618w.snmprec")], 1, Loopback.CounterPort,
            new SimulatorOptions { Count = 20, AdvancePagesPerMinute = 1, TimeProvider = time });
        await using var client = new SnmpClient();

        (uint Pages, uint UpTime)[] atStart = await ReadAllAsync(client, fleet);
        time.Advance(TimeSpan.FromSeconds(30));
        (uint Pages, uint UpTime)[] halfMinute = await ReadAllAsync(client, fleet);
        time.Advance(TimeSpan.FromMinutes(10));
        (uint Pages, uint UpTime)[] later = await ReadAllAsync(client, fleet);

        Assert.That(atStart, Has.All.EqualTo((RecordedLifeCount, RecordedUpTime)));
        // Half a minute at one page a minute: the devices whose phase is past one half have ticked once, the others not yet.
        Assert.That(halfMinute.Select(r => r.Pages).Distinct().Order(), Is.EqualTo(new[] { RecordedLifeCount, RecordedLifeCount + 1 }));
        for (int i = 0; i < halfMinute.Length; i++)
        {
            Assert.That(halfMinute[i].Pages - RecordedLifeCount, Is.EqualTo(fleet.Devices[i].Phase >= 0.5 ? 1 : 0));
            Assert.That(halfMinute[i].UpTime, Is.EqualTo(RecordedUpTime + 3000));
        }

        // 10.5 minutes: 10 pages, 11 for the devices past half a tick.
        Assert.That(later.Select(r => r.Pages - RecordedLifeCount), Is.EqualTo(fleet.Devices.Select(d => d.Phase >= 0.5 ? 11u : 10u)));
        Assert.That(later.Select(r => r.UpTime), Has.All.EqualTo(RecordedUpTime + 63000));
    }

    [Test]
    public async Task Without_the_option_everything_is_served_as_recorded()
    {
        var time = new FakeTimeProvider();
        await using FleetSimulator fleet = Fleet.Start([Fleet.Sample("brother_dcp-1618w.snmprec")], 1, Loopback.CounterPort,
            new SimulatorOptions { Count = 2, TimeProvider = time });
        await using var client = new SnmpClient();

        time.Advance(TimeSpan.FromHours(5));

        Assert.That(await ReadAllAsync(client, fleet), Has.All.EqualTo((RecordedLifeCount, RecordedUpTime)));
    }

    [Test]
    public async Task A_fast_rate_counts_many_pages()
    {
        var time = new FakeTimeProvider();
        await using FleetSimulator fleet = Fleet.Start([Fleet.Sample("brother_dcp-1618w.snmprec")], 1, Loopback.CounterPort,
            new SimulatorOptions { Count = 1, AdvancePagesPerMinute = 60, TimeProvider = time });
        await using var client = new SnmpClient();

        time.Advance(TimeSpan.FromMinutes(10));

        Assert.That((await ReadAllAsync(client, fleet))[0].Pages, Is.EqualTo(RecordedLifeCount + 600));
    }
}
