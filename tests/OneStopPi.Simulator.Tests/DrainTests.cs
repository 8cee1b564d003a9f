using Microsoft.Extensions.Time.Testing;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Simulator.Tests;

/// <summary>Supplies drain with the pages printed, weeks of (fake) time at once; levels without a maximum stay.</summary>
[NonParallelizable]
public class DrainTests
{
    private static readonly ObjectIdentifier LifeCount = ObjectIdentifier.Parse("1.3.6.1.2.1.43.10.2.1.4.1.1");
    private static readonly ObjectIdentifier Level1 = ObjectIdentifier.Parse("1.3.6.1.2.1.43.11.1.1.9.1.1");
    private static readonly ObjectIdentifier Level2 = ObjectIdentifier.Parse("1.3.6.1.2.1.43.11.1.1.9.1.2");
    // A Monday, 06:00 UTC: the daily meter read happens before the printing hours.
    private static readonly DateTimeOffset Monday = new(2026, 11, 2, 6, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task Levels_drain_with_the_pages_and_a_swap_refills_while_some_remaining_stays()
    {
        var time = new FakeTimeProvider(Monday);
        // Small cartridges, so a swap happens within the weeks simulated.
        var drain = new SupplyDrainOptions { Seed = 7, MinPagesPerCartridge = 3000, MaxPagesPerCartridge = 5000, MinPagesPerDay = 300, MaxPagesPerDay = 400 };
        await using FleetSimulator fleet = Fleet.Start([Fleet.Sample("ricoh_mpc3002.snmprec"), Fleet.Sample("brother.snmprec")], 60, Loopback.DrainPort,
            new SimulatorOptions { TimeProvider = time, SupplyDrain = drain });
        await using var client = new SnmpClient();
        SimulatedDevice ricoh = fleet.Devices[0], brother = fleet.Devices[1];

        var pages = new List<long>();
        var blackLevels = new List<int>();
        for (int day = 0; day < 42; day++)
        {
            IReadOnlyList<Varbind> got = await client.GetAsync(Fleet.V2c(ricoh.EndPoint), [LifeCount, Level1]);
            IReadOnlyList<Varbind> other = await client.GetAsync(Fleet.V2c(brother.EndPoint), [Level1, Level2]);
            pages.Add((long)got[0].Value.AsUInt64());
            blackLevels.Add(got[1].Value.AsInt32());
            Assert.That(other[0].Value.AsInt32(), Is.EqualTo(-3), "someRemaining stays as recorded");
            Assert.That(other[1].Value.AsInt32(), Is.EqualTo(brother.Drain!.LevelAt(0, time.GetUtcNow() - Monday)));
            time.Advance(TimeSpan.FromDays(1));
        }

        Assert.That(pages[0], Is.EqualTo(271871), "served as recorded at the start");
        Assert.That(blackLevels[0], Is.EqualTo(40));
        Assert.That(pages, Is.Ordered);
        long[] perDay = [.. pages.Zip(pages.Skip(1), (a, b) => b - a)];
        double weekday = perDay.Where((_, d) => d % 7 < 5).Average(), weekend = perDay.Where((_, d) => d % 7 >= 5).Average();
        Assert.That(weekday, Is.InRange(250, 500));
        Assert.That(weekend, Is.LessThan(weekday * 0.35), "weekends print less");

        // Down between swaps, back to full at a swap, and the model's run-outs are where the level sat at zero.
        int swaps = blackLevels.Zip(blackLevels.Skip(1)).Count(p => p.Second > p.First);
        Assert.That(swaps, Is.GreaterThanOrEqualTo(2));
        Assert.That(blackLevels.Zip(blackLevels.Skip(1)).Where(p => p.Second > p.First).Select(p => p.Second), Has.All.GreaterThanOrEqualTo(95));
        IReadOnlyList<SupplyEvent> events = ricoh.Drain!.EventsUntil(TimeSpan.FromDays(41));
        Assert.That(events.Count(e => e is { Supply: 0, Swap: false }), Is.GreaterThanOrEqualTo(2));
        Assert.That(ricoh.Drain.LevelAt(0, events.First(e => e is { Supply: 0, Swap: false }).At + TimeSpan.FromMinutes(1)), Is.Zero);
    }

    [Test]
    public void The_same_seed_gives_the_same_fleet_in_any_order_and_another_seed_another()
    {
        DrainingSupplySpec[] supplies = [new("1.1", 100, 80, Colour: false), new("1.2", 100, 50, Colour: true)];
        var options = new SupplyDrainOptions { Seed = 3 };
        var forward = new DrainingDevice(options, 5, Monday, supplies);
        var backward = new DrainingDevice(options, 5, Monday, supplies);
        var other = new DrainingDevice(options with { Seed = 4 }, 5, Monday, supplies);
        TimeSpan[] times = [.. Enumerable.Range(0, 60).Select(d => TimeSpan.FromDays(d) + TimeSpan.FromHours(d % 13))];

        double[] a = [.. times.Select(t => forward.PagesAt(t) + forward.RemainingAt(1, t))];
        double[] b = [.. times.Reverse().Select(t => backward.PagesAt(t) + backward.RemainingAt(1, t))];
        Assert.That(b.Reverse(), Is.EqualTo(a));
        Assert.That(times.Select(t => other.PagesAt(t)), Is.Not.EqualTo(times.Select(t => forward.PagesAt(t))));
        Assert.That(forward.ColourShare, Is.InRange(options.MinColourShare, options.MaxColourShare));
    }

    [Test]
    public void A_year_is_computed_and_a_colour_supply_drains_with_the_colour_share_only()
    {
        DrainingSupplySpec[] supplies = [new("1.1", 100, 100, Colour: false), new("1.2", 100, 100, Colour: true)];
        var options = new SupplyDrainOptions { Seed = 9, MinPagesPerCartridge = 4000, MaxPagesPerCartridge = 4000, CoverageNoise = 0 };
        var device = new DrainingDevice(options, 0, Monday, supplies);
        TimeSpan firstDay = TimeSpan.FromDays(1);
        double used = 1 - device.RemainingAt(0, firstDay), colourUsed = 1 - device.RemainingAt(1, firstDay);

        Assert.That(used, Is.EqualTo(device.PagesAt(firstDay) / 4000).Within(1e-9));
        Assert.That(colourUsed, Is.EqualTo(used * device.ColourShare).Within(1e-9));
        IReadOnlyList<SupplyEvent> year = device.EventsUntil(TimeSpan.FromDays(365));
        Assert.That(year.Count(e => e is { Supply: 0, Swap: false }), Is.EqualTo(year.Count(e => e is { Supply: 0, Swap: true })).Within(1));
        Assert.That(year.Count(e => e is { Supply: 0, Swap: false }), Is.EqualTo((int)(device.PagesAt(TimeSpan.FromDays(365)) / 4000)).Within(2));
    }

    [Test]
    public void Bad_options_are_refused_with_the_reason()
    {
        Assert.That(() => FleetSimulator.Create([Fleet.Sample("brother.snmprec")], new SimulatorOptions { SupplyDrain = new SupplyDrainOptions { MinPagesPerDay = 0 } }),
            Throws.TypeOf<SimulatorException>().With.Message.Contains("pages per day"));
    }
}
