using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using OneStopPi.Collection.Discovery;
using OneStopPi.TestSupport;

namespace OneStopPi.Collection.Tests.Discovery;

/// <summary>
/// A datagram this host refuses to send (firewall OUTPUT rule, prohibit route, no route) is lost for that one address,
/// not the end of the sweep. Linux refuses a datagram to a broadcast address from a socket without SO_BROADCAST with
/// EACCES, the errno of a firewall's refusal (EPERM maps to the same SocketError): so 127.255.255.255 gives the
/// refusal without root or namespaces, and nothing leaves the host.
/// </summary>
public sealed class SendRefusalTests
{
    private static readonly IPAddress Refused = IPAddress.Parse("127.255.255.255");

    [TestCase(SocketError.AccessDenied, ExpectedResult = "Lost")]
    [TestCase(SocketError.NetworkUnreachable, ExpectedResult = "Lost")]
    [TestCase(SocketError.HostUnreachable, ExpectedResult = "Lost")]
    [TestCase(SocketError.HostDown, ExpectedResult = "Lost")]
    [TestCase(SocketError.NoBufferSpaceAvailable, ExpectedResult = "TryAgain")]
    [TestCase(SocketError.WouldBlock, ExpectedResult = "TryAgain")]
    [TestCase(SocketError.ConnectionRefused, ExpectedResult = "TryAgain")]
    [TestCase(SocketError.MessageSize, ExpectedResult = "Fatal")]
    public string Send_errors_are_sorted(SocketError error) => SendFailures.Classify(error).ToString();

    [Test]
    public async Task A_refused_snmp_datagram_is_counted_and_the_send_returns()
    {
        await using var udp = new UdpSweepSocket(161, 1 << 16, TimeProvider.System);
        await udp.SendAsync(Refused, [0x30, 0x00], CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Multiple(() =>
        {
            Assert.That(udp.SendsRefused, Is.EqualTo(1));
            Assert.That(udp.Sent, Is.Zero);
            Assert.That(udp.SendRetries, Is.Zero, "asking again at once gives the same answer");
        });
    }

    [Test]
    public async Task A_refused_echo_is_counted_and_the_send_returns()
    {
        await using IcmpSweeper icmp = IcmpSweeper.Open(1 << 16, TimeProvider.System, NullLogger.Instance);
        if (icmp.Mode == IcmpMode.Unavailable)
        {
            Prerequisite.Missing("no ICMP socket for this user (root, or net.ipv4.ping_group_range)");
        }

        await icmp.SendEchoAsync(Refused, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Multiple(() =>
        {
            Assert.That(icmp.SendsRefused, Is.EqualTo(1));
            Assert.That(icmp.EchoesSent, Is.Zero);
        });
    }

    [Test]
    public async Task A_sweep_whose_datagrams_are_refused_finishes_and_says_so()
    {
        var scanner = new DiscoveryScanner(new FakeNeighbourTable(), new NoInterfaces(), TimeProvider.System, NullLogger.Instance);
        var options = new DiscoveryOptions { Timeout = TimeSpan.FromMilliseconds(100), Retries = 1, Arp = null };

        IReadOnlyList<DiscoveredDevice> devices = await scanner.ScanAsync(TargetRangeSet.Parse([Refused.ToString()]), options)
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Multiple(() =>
        {
            Assert.That(devices, Is.Empty, "the address looks silent");
            Assert.That(scanner.LastReport!.SendsRefused, Is.GreaterThanOrEqualTo(2), "the first pass and the retry, each refused");
            Assert.That(scanner.LastReport.SnmpDatagrams, Is.Zero);
        });
    }

    /// <summary>No interface at all: every address is routed (and the test needs no namespace).</summary>
    private sealed class NoInterfaces : ILocalNetwork
    {
        public IReadOnlyList<LocalSubnet> Subnets() => [];

        public IReadOnlySet<IPAddress> OwnAddresses() => new HashSet<IPAddress>();
    }
}
