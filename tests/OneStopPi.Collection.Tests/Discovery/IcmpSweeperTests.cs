using System.Buffers.Binary;
using Microsoft.Extensions.Logging.Abstractions;
using OneStopPi.Collection.Discovery;

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
            Assert.Ignore("Neither a raw ICMP socket (CAP_NET_RAW) nor a ping socket (net.ipv4.ping_group_range) is allowed for this user.");
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
}
