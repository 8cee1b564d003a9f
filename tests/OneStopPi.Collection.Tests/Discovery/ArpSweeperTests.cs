using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using OneStopPi.Collection.Discovery;

namespace OneStopPi.Collection.Tests.Discovery;

public sealed class ArpSweeperTests
{
    private static readonly byte[] OurMac = [0x02, 0x50, 0xc6, 0x12, 0x00, 0x01];
    private static readonly uint Us = Address("198.18.0.1");

    // A reply as a Linux host sends it (RFC 826): 198.18.0.4 is at 02:50:c6:12:00:04, to 198.18.0.1 at 02:50:c6:12:00:01.
    private const string ReplyFrame =
        "0250c6120001" + "0250c6120004" + "0806"        // Ethernet: to us, from the host, ARP
        + "0001" + "0800" + "06" + "04" + "0002"       // Ethernet/IPv4, reply
        + "0250c6120004" + "c6120004"                  // sender: the host
        + "0250c6120001" + "c6120001";                 // target: us

    [Test]
    public void Request_is_a_padded_broadcast_who_has()
    {
        byte[] frame = new byte[ArpSweeper.FrameLength];
        frame.AsSpan().Fill(0xAA); // whatever was there before is cleared
        ArpSweeper.BuildRequest(frame, OurMac, Us, Address("198.18.2.7"));
        Assert.Multiple(() =>
        {
            Assert.That(Convert.ToHexString(frame, 0, 42).ToLowerInvariant(), Is.EqualTo(
                "ffffffffffff" + "0250c6120001" + "0806" + "0001" + "0800" + "06" + "04" + "0001"
                + "0250c6120001" + "c6120001" + "000000000000" + "c6120207"));
            Assert.That(frame.AsSpan(42).ContainsAnyExcept((byte)0), Is.False, "padded with zeros to the 60-byte minimum");
        });
    }

    [Test]
    public void Reply_to_us_names_the_sender_and_its_mac()
    {
        Assert.That(ArpSweeper.TryReadSender(Convert.FromHexString(ReplyFrame), Us, out uint sender, out string mac), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(TargetRange.FromUInt32(sender), Is.EqualTo(IPAddress.Parse("198.18.0.4")));
            Assert.That(mac, Is.EqualTo("02:50:c6:12:00:04"));
        });
    }

    [Test]
    public void Our_own_request_read_back_shows_nothing()
    {
        byte[] frame = new byte[ArpSweeper.FrameLength];
        ArpSweeper.BuildRequest(frame, OurMac, Us, Address("198.18.2.7"));
        Assert.That(ArpSweeper.TryReadSender(frame, Us, out _, out _), Is.False, "the sender is this host");
    }

    [Test]
    public void A_request_from_another_host_shows_its_sender_in_use()
    {
        byte[] frame = new byte[ArpSweeper.FrameLength];
        ArpSweeper.BuildRequest(frame, [0x02, 0, 0, 0, 0, 9], Address("198.18.0.9"), Address("198.18.0.20"));
        Assert.That(ArpSweeper.TryReadSender(frame, Us, out uint sender, out string mac), Is.True);
        Assert.That((TargetRange.FromUInt32(sender).ToString(), mac), Is.EqualTo(("198.18.0.9", "02:00:00:00:00:09")));
    }

    [Test]
    public void Frames_that_show_nothing_are_ignored()
    {
        byte[] reply = Convert.FromHexString(ReplyFrame);
        Assert.Multiple(() =>
        {
            Assert.That(ArpSweeper.TryReadSender(reply.AsSpan(0, 41), Us, out _, out _), Is.False, "truncated");
            Assert.That(ArpSweeper.TryReadSender(reply, Address("198.18.0.2"), out _, out _), Is.False, "a reply to another host");
            Assert.That(ArpSweeper.TryReadSender(With(reply, 12, 0x08, 0x00), Us, out _, out _), Is.False, "an IPv4 frame, not ARP");
            Assert.That(ArpSweeper.TryReadSender(With(reply, 16, 0x86, 0xdd), Us, out _, out _), Is.False, "not IPv4 over ARP");
            Assert.That(ArpSweeper.TryReadSender(With(reply, 20, 0x00, 0x03), Us, out _, out _), Is.False, "RARP request");
            Assert.That(ArpSweeper.TryReadSender(With(reply, 28, 0, 0, 0, 0), Us, out _, out _), Is.False, "an RFC 5227 probe (sender 0.0.0.0)");
        });
    }

    [Test]
    public void Packet_socket_address_is_a_sockaddr_ll()
    {
        var endPoint = new LinkLayerEndPoint(7, ArpSweeper.EtherTypeArp);
        SocketAddress address = endPoint.Serialize();
        byte[] bytes = address.Buffer.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(address.Family, Is.EqualTo(AddressFamily.Packet));
            Assert.That(address.Size, Is.EqualTo(20));
            if (OperatingSystem.IsLinux())
            {
                Assert.That(BitConverter.ToUInt16(bytes, 0), Is.EqualTo(17), "AF_PACKET in host order");
            }

            Assert.That(BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(2)), Is.EqualTo(0x0806), "protocol in network order");
            Assert.That(BitConverter.ToInt32(bytes, 4), Is.EqualTo(7), "interface index in host order");
            Assert.That(endPoint.Create(address), Is.TypeOf<LinkLayerEndPoint>().With.Property(nameof(LinkLayerEndPoint.InterfaceIndex)).EqualTo(7));
        });
    }

    [Test]
    public void A_link_without_an_ethernet_mac_is_not_swept()
    {
        var link = new ArpLink("tun0", 3, [], IPAddress.Parse("198.18.0.1"));
        Assert.That(ArpSweeper.TryOpen(link, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance), Is.Null);
    }

    private static uint Address(string text) => TargetRange.ToUInt32(IPAddress.Parse(text));

    private static byte[] With(byte[] frame, int offset, params byte[] bytes)
    {
        byte[] copy = (byte[])frame.Clone();
        bytes.CopyTo(copy, offset);
        return copy;
    }
}
