using System.Net;
using OneStopPi.Collection.Discovery;

namespace OneStopPi.Collection.Tests.Discovery;

public sealed class TargetRangeTests
{
    [TestCase("192.168.1.0/24", "192.168.1.1", "192.168.1.254", 254)]
    [TestCase("10.0.0.10-10.0.3.250", "10.0.0.10", "10.0.3.250", 1009)]
    [TestCase("10.0.0.10-20", "10.0.0.10", "10.0.0.20", 11)]
    [TestCase("10.1.2.3", "10.1.2.3", "10.1.2.3", 1)]
    [TestCase("10.1.2.3/32", "10.1.2.3", "10.1.2.3", 1)]
    [TestCase("10.1.2.2/31", "10.1.2.2", "10.1.2.3", 2)]
    [TestCase("198.19.0.0/16", "198.19.0.1", "198.19.255.254", 65534)]
    [TestCase("fe80::1", "fe80::1", "fe80::1", 1)]
    [TestCase("2001:db8::5/128", "2001:db8::5", "2001:db8::5", 1)]
    public void Parses(string text, string first, string last, long count)
    {
        TargetRange range = TargetRange.Parse(text);
        Assert.Multiple(() =>
        {
            Assert.That(range.First, Is.EqualTo(IPAddress.Parse(first)));
            Assert.That(range.Last, Is.EqualTo(IPAddress.Parse(last)));
            Assert.That(range.Count, Is.EqualTo(count));
        });
    }

    [TestCase("10.0.0.0/15", "wider than")]
    [TestCase("0.0.0.0/0", "wider than")]
    [TestCase("10.0.0.0-10.2.0.0", "wider than")]
    [TestCase("10.0.0.1/24", "host bits set; the block is 10.0.0.0/24")]
    [TestCase("10.0.0.0/33", "not a CIDR block")]
    [TestCase("10.0.0.9-10.0.0.1", "ends before it starts")]
    [TestCase("10.0.0.9-300", "not a range")]
    [TestCase("2001:db8::/64", "IPv6 blocks cannot be swept")]
    [TestCase("10", "not an address")]
    [TestCase("printer.local", "not an address")]
    [TestCase("", "empty")]
    public void Refuses(string text, string reason)
    {
        var e = Assert.Throws<TargetRangeException>(() => TargetRange.Parse(text));
        Assert.That(e!.Message, Does.Contain(reason));
    }

    [Test]
    public void Wide_ranges_only_when_allowed()
    {
        Assert.Throws<TargetRangeException>(() => TargetRangeSet.Parse(["10.0.0.0/15"]));
        Assert.That(TargetRangeSet.Parse(["10.0.0.0/15"], allowWide: true).Count, Is.EqualTo(131070));
        // Two /16s are each fine but together more than the limit.
        var e = Assert.Throws<TargetRangeException>(() => TargetRangeSet.Parse(["10.0.0.0/16", "10.1.0.0/16"]));
        Assert.That(e!.Message, Does.Contain("in all"));
    }

    [Test]
    public void Exclusions_overlaps_and_order()
    {
        TargetRangeSet set = TargetRangeSet.Parse(
            ["10.0.0.20-10.0.0.30", "10.0.0.0/27", "10.0.0.5", "fe80::2"],
            ["10.0.0.10-10.0.0.12", "10.0.0.25", "fe80::2"]);
        IPAddress[] addresses = [.. set.Addresses()];
        Assert.Multiple(() =>
        {
            Assert.That(addresses.First(), Is.EqualTo(IPAddress.Parse("10.0.0.1")));
            Assert.That(addresses.Last(), Is.EqualTo(IPAddress.Parse("10.0.0.30")));
            Assert.That(addresses, Is.Unique);
            Assert.That(addresses, Does.Not.Contain(IPAddress.Parse("10.0.0.11")));
            Assert.That(addresses, Does.Not.Contain(IPAddress.Parse("10.0.0.25")));
            Assert.That(addresses, Does.Not.Contain(IPAddress.Parse("fe80::2")));
            Assert.That(addresses, Has.Length.EqualTo(30 - 3 - 1));
            Assert.That(set.Count, Is.EqualTo(addresses.Length));
            Assert.That(set.Contains(IPAddress.Parse("10.0.0.26")), Is.True);
            Assert.That(set.Contains(IPAddress.Parse("10.0.0.12")), Is.False);
        });
    }

    [Test]
    public void Nothing_left_is_empty_not_an_error_of_parsing()
    {
        TargetRangeSet set = TargetRangeSet.Parse(["10.0.0.0/30"], ["10.0.0.0/24"]);
        Assert.That(set.Count, Is.Zero);
        Assert.That(set.Addresses(), Is.Empty);
    }
}
