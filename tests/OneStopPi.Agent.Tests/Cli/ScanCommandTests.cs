using System.Net;
using OneStopPi.Agent.Cli;
using OneStopPi.Collection.Readings;

namespace OneStopPi.Agent.Tests.Cli;

public sealed class ScanCommandTests
{
    [TestCase("10.0.0.1-10.0.0.3", new[] { "10.0.0.1:161", "10.0.0.2:161", "10.0.0.3:161" })]
    [TestCase("10.0.0.254-2", new string[0])]
    [TestCase("10.0.0.7-9:1161", new[] { "10.0.0.7:1161", "10.0.0.8:1161", "10.0.0.9:1161" })]
    [TestCase("192.168.1.0/30", new[] { "192.168.1.1:161", "192.168.1.2:161" })]
    [TestCase("192.168.1.9/32", new[] { "192.168.1.9:161" })]
    [TestCase("127.0.94.0/31:16100", new[] { "127.0.94.0:16100", "127.0.94.1:16100" })]
    public void Ranges_expand(string text, string[] expected)
    {
        var into = new List<IPEndPoint>();
        if (expected.Length == 0)
        {
            Assert.Throws<CliUsageException>(() => ScanCommand.TryExpandRange(text, into));
            return;
        }

        Assert.That(ScanCommand.TryExpandRange(text, into), Is.True);
        Assert.That(into.Select(e => e.ToString()), Is.EqualTo(expected));
    }

    [TestCase("printer-3.local")]
    [TestCase("10.0.0.5")]
    [TestCase("10.0.0.5:1161")]
    public void Hosts_are_not_ranges(string text) => Assert.That(ScanCommand.TryExpandRange(text, []), Is.False);

    [Test]
    public void Blocks_larger_than_a_slash_16_are_refused() =>
        Assert.Throws<CliUsageException>(() => ScanCommand.TryExpandRange("10.0.0.0/8", []));

    [Test]
    public void The_table_shows_the_lowest_consumable_and_the_status()
    {
        var reading = new DeviceReading
        {
            Ip = "10.0.0.5",
            Port = 161,
            Vendor = "HP",
            Model = "Color LaserJet M452nw",
            Counters = new Dictionary<string, PageCounter> { ["total"] = new(15232, "1.3.6.1.2.1.43.10.2.1.4.1.1") },
            Supplies =
            [
                new SupplyReading { Type = SupplyType.Toner, Colour = "cyan", Percent = 44, Class = SupplyClass.Consumed },
                new SupplyReading { Type = SupplyType.WasteToner, Percent = 5, Class = SupplyClass.Filled },
                new SupplyReading { Type = SupplyType.Toner, Colour = "black", Percent = 54 },
            ],
            Status = new DeviceStatus { Errors = ["lowToner"] },
        };
        Assert.That(ScanTable.Row(reading), Is.EqualTo(new[] { "10.0.0.5", "HP", "Color LaserJet M452nw", "", "15232", "cyan 44%", "lowToner" }));
        Assert.That(ScanTable.Row(new DeviceReading { Ip = "10.0.0.6", Port = 1161, Answered = false, Error = "no answer" })[^1], Is.EqualTo("no answer"));
    }
}
