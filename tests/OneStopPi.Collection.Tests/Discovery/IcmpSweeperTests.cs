using System.Buffers.Binary;
using Microsoft.Extensions.Logging.Abstractions;
using OneStopPi.Collection.Discovery;
using OneStopPi.TestSupport;

namespace OneStopPi.Collection.Tests.Discovery;

public sealed class IcmpSweeperTests
{
    [Test]
    public void Echo_request_checksums_to_zero()
    {
        byte[] echo = IcmpSweeper.BuildEcho(0x1234, 7, 42);
        Assert.Multiple(() =>
        {
            Assert.That(echo[0], Is.EqualTo(8));
            Assert.That(BinaryPrimitives.ReadUInt16BigEndian(echo.AsSpan(4)), Is.EqualTo(0x1234));
            Assert.That(BinaryPrimitives.ReadUInt16BigEndian(echo.AsSpan(6)), Is.EqualTo(7));
            Assert.That(IcmpSweeper.Checksum(echo), Is.Zero, "RFC 1071: a correct packet sums to zero");
        });
    }

    [Test]
    public void Checksum_of_RFC_1071_example() =>
        // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, so the checksum is ~ddf2.
        Assert.That(IcmpSweeper.Checksum([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]), Is.EqualTo((ushort)0x220d));

    [Test]
    public void Raw_replies_carry_an_ip_header_and_our_identifier()
    {
        byte[] reply = new byte[20 + 16];
        reply[0] = 0x45;
        IcmpSweeper.BuildEcho(0x1234, 1, 0).CopyTo(reply, 20);
        reply[20] = 0; // echo reply
        Assert.Multiple(() =>
        {
            Assert.That(IcmpSweeper.IsEchoReply(reply, IcmpMode.Raw, 0x1234), Is.True);
            Assert.That(IcmpSweeper.IsEchoReply(reply, IcmpMode.Raw, 0x4321), Is.False, "someone else's ping");
            Assert.That(IcmpSweeper.IsEchoReply(reply.AsSpan(20), IcmpMode.Datagram, 0x9999), Is.True, "a ping socket is filtered by the kernel");
            reply[20] = 3; // destination unreachable
            Assert.That(IcmpSweeper.IsEchoReply(reply, IcmpMode.Raw, 0x1234), Is.False);
            Assert.That(IcmpSweeper.IsEchoReply(reply.AsSpan(0, 10), IcmpMode.Raw, 0x1234), Is.False);
        });
    }

    [Test]
    public async Task Loopback_answers_over_whichever_socket_we_may_open()
    {
        await using IcmpSweeper sweeper = IcmpSweeper.Open(1 << 20, TimeProvider.System, NullLogger.Instance);
        if (sweeper.Mode == IcmpMode.Unavailable)
        {
            Prerequisite.Missing("Neither a raw ICMP socket (CAP_NET_RAW) nor a ping socket (net.ipv4.ping_group_range) is allowed for this user");
        }

        await sweeper.SendEchoAsync(System.Net.IPAddress.Loopback, CancellationToken.None);
        for (int i = 0; i < 100 && !sweeper.HasReplied(System.Net.IPAddress.Loopback); i++)
        {
            await Task.Delay(10);
        }

        Assert.That(sweeper.HasReplied(System.Net.IPAddress.Loopback), Is.True, $"mode {sweeper.Mode}");
        Assert.That(sweeper.HasReplied(System.Net.IPAddress.Parse("127.0.0.2")), Is.False);
    }

    [Test]
    public async Task Disabled_means_no_socket_and_no_sends()
    {
        await using IcmpSweeper sweeper = IcmpSweeper.Open(1 << 20, TimeProvider.System, NullLogger.Instance, IcmpMode.Unavailable);
        await sweeper.SendEchoAsync(System.Net.IPAddress.Loopback, CancellationToken.None);
        Assert.That((sweeper.Mode, sweeper.EchoesSent), Is.EqualTo((IcmpMode.Unavailable, 0L)));
    }

    [Test]
    public void Port_unreachable_quoting_our_snmp_datagram_names_its_destination()
    {
        byte[] error = PortUnreachable(sourcePort: 40000, targetPort: 161, destination: "198.18.0.9");
        Assert.Multiple(() =>
        {
            Assert.That(IcmpSweeper.IsUdpPortUnreachable(error, 40000, 161, out uint destination), Is.True);
            Assert.That(TargetRange.FromUInt32(destination).ToString(), Is.EqualTo("198.18.0.9"));
            Assert.That(IcmpSweeper.IsUdpPortUnreachable(error, 40001, 161, out _), Is.False, "another socket's datagram");
            Assert.That(IcmpSweeper.IsUdpPortUnreachable(error, 40000, 162, out _), Is.False, "another port");
            Assert.That(IcmpSweeper.IsUdpPortUnreachable(error.AsSpan(0, error.Length - 5), 40000, 161, out _), Is.False, "quote cut short");
            byte[] host = (byte[])error.Clone();
            host[21] = 1; // host unreachable: says nothing about the port
            Assert.That(IcmpSweeper.IsUdpPortUnreachable(host, 40000, 161, out _), Is.False);
            byte[] tcp = (byte[])error.Clone();
            tcp[28 + 9] = 6;
            Assert.That(IcmpSweeper.IsUdpPortUnreachable(tcp, 40000, 161, out _), Is.False, "a quoted TCP segment");
        });
    }

    [Test]
    public async Task A_closed_udp_port_on_loopback_is_seen_refused_over_a_raw_socket()
    {
        await using IcmpSweeper sweeper = IcmpSweeper.Open(1 << 20, TimeProvider.System, NullLogger.Instance);
        if (sweeper.Mode != IcmpMode.Raw)
        {
            Prerequisite.Missing("Needs a raw ICMP socket (root or CAP_NET_RAW): a ping socket never sees port-unreachable");
        }

        using var udp = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        udp.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Parse("127.0.93.1"), 0));
        int port = ((System.Net.IPEndPoint)udp.LocalEndPoint!).Port;
        sweeper.WatchUdpRefusals(port, 16999);
        var closed = System.Net.IPAddress.Parse("127.0.93.2");
        udp.SendTo(new byte[8], new System.Net.IPEndPoint(closed, 16999)); // nothing listens on 127.0.93.2:16999
        for (int i = 0; i < 100 && !sweeper.HasRefusedUdp(closed); i++)
        {
            await Task.Delay(10);
        }

        Assert.That(sweeper.HasRefusedUdp(closed), Is.True);
        Assert.That(sweeper.HasRefusedUdp(System.Net.IPAddress.Parse("127.0.93.3")), Is.False);
    }

    /// <summary>What a raw ICMP socket receives: IPv4 header, type 3 code 3, the quoted IPv4 header and UDP header.</summary>
    private static byte[] PortUnreachable(int sourcePort, int targetPort, string destination)
    {
        byte[] datagram = new byte[20 + 8 + 20 + 8];
        datagram[0] = 0x45;
        datagram[9] = 1; // ICMP
        datagram[20] = 3;
        datagram[21] = 3;
        Span<byte> quoted = datagram.AsSpan(28);
        quoted[0] = 0x45;
        quoted[9] = 17; // UDP
        System.Net.IPAddress.Parse(destination).GetAddressBytes().CopyTo(quoted[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(quoted[20..], (ushort)sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(quoted[22..], (ushort)targetPort);
        return datagram;
    }
}
