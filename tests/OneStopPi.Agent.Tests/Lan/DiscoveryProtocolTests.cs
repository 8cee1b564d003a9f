using System.Net;
using OneStopPi.Agent.Lan.Discovery;

namespace OneStopPi.Agent.Tests.Lan;

public sealed class DiscoveryProtocolTests
{
    private static readonly byte[] Nonce = [.. Enumerable.Range(1, 16).Select(i => (byte)i)];

    [Test]
    public void A_reply_can_never_be_larger_than_a_probe() =>
        Assert.That(DiscoveryProtocol.MaxReplyLength, Is.LessThan(DiscoveryProtocol.ProbeLength));

    [Test]
    public void Probe_round_trips()
    {
        byte[] probe = new byte[DiscoveryProtocol.ProbeLength];
        DiscoveryProtocol.WriteProbe(probe, Nonce);
        Assert.That(DiscoveryProtocol.TryReadProbe(probe, out ReadOnlySpan<byte> nonce), Is.True);
        Assert.That(nonce.ToArray(), Is.EqualTo(Nonce));
    }

    [TestCase(0, TestName = "truncated to the header")]
    [TestCase(1, TestName = "one byte short")]
    [TestCase(-1, TestName = "one byte long")]
    public void Probe_of_the_wrong_length_is_not_a_probe(int change)
    {
        byte[] probe = new byte[DiscoveryProtocol.ProbeLength + 1];
        DiscoveryProtocol.WriteProbe(probe, Nonce);
        int length = change == 0 ? 24 : DiscoveryProtocol.ProbeLength - change;
        Assert.That(DiscoveryProtocol.TryReadProbe(probe.AsSpan(0, length), out _), Is.False);
    }

    [TestCase(0, (byte)'X', TestName = "wrong magic")]
    [TestCase(4, (byte)2, TestName = "version 2")]
    [TestCase(5, (byte)2, TestName = "a reply, not a probe")]
    [TestCase(7, (byte)1, TestName = "reserved byte set")]
    [TestCase(300, (byte)0xff, TestName = "padding not zero (data smuggled in)")]
    public void Malformed_probe_is_refused(int offset, byte value)
    {
        byte[] probe = new byte[DiscoveryProtocol.ProbeLength];
        DiscoveryProtocol.WriteProbe(probe, Nonce);
        probe[offset] = value;
        Assert.That(DiscoveryProtocol.TryReadProbe(probe, out _), Is.False);
    }

    [Test]
    public void Reply_round_trips_and_cuts_long_texts_on_a_character_boundary()
    {
        string longName = new('é', 100); // 2 UTF-8 bytes each: 31 fit in 63 bytes
        var reply = new DiscoveryReply(Nonce, true, false, 23998, IPAddress.Parse("198.18.0.2"), "02:00:00:00:00:0a",
            Guid.Empty.ToString(), new string('h', 300), "1.2.3", longName, "onestop-000a.local");
        byte[] buffer = new byte[DiscoveryProtocol.MaxReplyLength];
        int length = DiscoveryProtocol.WriteReply(buffer, reply);
        Assert.That(DiscoveryProtocol.TryReadReply(buffer.AsSpan(0, length), out DiscoveryReply? read), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(read!.Nonce.ToArray(), Is.EqualTo(Nonce));
            Assert.That(read.Enrolled, Is.True);
            Assert.That(read.Assigned, Is.False);
            Assert.That(read.HttpPort, Is.EqualTo(23998));
            Assert.That(read.Address, Is.EqualTo(IPAddress.Parse("198.18.0.2")));
            Assert.That(read.Mac, Is.EqualTo("02:00:00:00:00:0a"));
            Assert.That(read.HardwareId, Is.EqualTo(new string('h', 63)));
            Assert.That(read.Hostname, Is.EqualTo(new string('é', 31)));
            Assert.That(read.MdnsName, Is.EqualTo("onestop-000a.local"));
        });
    }
}
