using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using OneStopPi.Agent.Lan.Discovery;
using OneStopPi.Agent.Tests.Cli;
using OneStopPi.TestSupport;

namespace OneStopPi.Agent.Tests.Lan;

/// <summary>The UDP responder of a running agent on 127.0.0.1: answers, and the amplification rules.</summary>
[TestFixture]
[NonParallelizable]
public sealed class DiscoveryResponderTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(400);

    private static byte[] Probe(out byte[] nonce)
    {
        nonce = RandomNumberGenerator.GetBytes(DiscoveryProtocol.NonceLength);
        byte[] probe = new byte[DiscoveryProtocol.ProbeLength];
        DiscoveryProtocol.WriteProbe(probe, nonce);
        return probe;
    }

    private static Socket Client(string address = "127.0.0.1", int port = 0)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(address), port));
        return socket;
    }

    /// <summary>Every datagram that arrives within <paramref name="window"/>.</summary>
    private static async Task<List<byte[]>> ReceiveAllAsync(Socket socket, TimeSpan window)
    {
        var received = new List<byte[]>();
        using var timeout = new CancellationTokenSource(window);
        byte[] buffer = new byte[4096];
        try
        {
            while (true)
            {
                int length = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                received.Add(buffer[..length]);
            }
        }
        catch (OperationCanceledException)
        {
            return received;
        }
    }

    [Test]
    public async Task Well_formed_probe_gets_a_reply_no_larger_than_itself()
    {
        await using LanAgent agent = await LanAgent.StartAsync();
        using Socket client = Client();
        byte[] probe = Probe(out byte[] nonce);
        await client.SendToAsync(probe, agent.Discovery);
        List<byte[]> replies = await ReceiveAllAsync(client, Quiet);
        Assert.That(replies, Has.Count.EqualTo(1));
        Assert.That(replies[0].Length, Is.LessThanOrEqualTo(probe.Length));
        Assert.That(DiscoveryProtocol.TryReadReply(replies[0], out DiscoveryReply? reply), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(reply!.Nonce.ToArray(), Is.EqualTo(nonce));
            Assert.That(reply.HttpPort, Is.EqualTo(agent.Http.Port));
            Assert.That(reply.Address, Is.EqualTo(IPAddress.Loopback));
            Assert.That(reply.HardwareId, Does.StartWith("lan-test-"));
            Assert.That(reply.MdnsName, Does.Match("^onestop-[0-9a-f]{4}\\.local$"));
            Assert.That(reply.Enrolled, Is.False);
        });
    }

    public static IEnumerable<TestCaseData> NotProbes()
    {
        byte[] probe = Probe(out _);
        yield return new TestCaseData(probe[..64]).SetArgDisplayNames("short probe (64 bytes)");
        yield return new TestCaseData(probe[..(DiscoveryProtocol.ProbeLength - 1)]).SetArgDisplayNames("probe one byte short");
        yield return new TestCaseData(new byte[] { 0x4f, 0x53, 0x50, 0x44, 1, 1 }).SetArgDisplayNames("bare header");
        yield return new TestCaseData(RandomNumberGenerator.GetBytes(DiscoveryProtocol.ProbeLength)).SetArgDisplayNames("noise of probe size");
        byte[] reply = (byte[])probe.Clone();
        reply[5] = 2;
        yield return new TestCaseData(reply).SetArgDisplayNames("a reply sent back at us");
    }

    [TestCaseSource(nameof(NotProbes))]
    public async Task Anything_but_a_well_formed_probe_is_ignored_silently_and_counted(byte[] datagram)
    {
        await using LanAgent agent = await LanAgent.StartAsync();
        using Socket client = Client();
        await client.SendToAsync(datagram, agent.Discovery);
        Assert.That(await ReceiveAllAsync(client, Quiet), Is.Empty);
        DiscoveryCounters counters = agent.Service<DiscoveryCounters>();
        Assert.That(counters.Malformed, Is.EqualTo(1));
        Assert.That(counters.Answered, Is.Zero);
    }

    [Test]
    public async Task Probe_from_a_privileged_port_is_never_answered()
    {
        Prerequisite.RequireRoot("the probe is sent from UDP port 999, a privileged port");

        await using LanAgent agent = await LanAgent.StartAsync();
        using Socket client = Client(port: 999);
        await client.SendToAsync(Probe(out _), agent.Discovery);
        Assert.That(await ReceiveAllAsync(client, Quiet), Is.Empty);
        Assert.That(agent.Service<DiscoveryCounters>().Malformed, Is.EqualTo(1));
    }

    [Test]
    public async Task Flood_from_one_address_is_rate_limited_and_counted()
    {
        await using LanAgent agent = await LanAgent.StartAsync();
        using Socket flooder = Client("127.0.83.50");
        const int Sent = 60;
        for (int i = 0; i < Sent; i++)
        {
            await flooder.SendToAsync(Probe(out _), agent.Discovery);
        }

        List<byte[]> replies = await ReceiveAllAsync(flooder, TimeSpan.FromMilliseconds(600));
        DiscoveryCounters counters = agent.Service<DiscoveryCounters>();
        var defaults = new ReplyRates();
        Assert.Multiple(() =>
        {
            Assert.That(replies, Has.Count.InRange((int)defaults.PerSourceBurst, (int)defaults.PerSourceBurst + 2), "the burst, plus what refilled meanwhile");
            Assert.That(counters.Probes, Is.EqualTo(Sent));
            Assert.That(counters.RateLimited, Is.EqualTo(Sent - replies.Count));
        });

        // Another address still gets its answer, and /status shows the counts.
        using Socket other = Client("127.0.83.51");
        await other.SendToAsync(Probe(out _), agent.Discovery);
        Assert.That(await ReceiveAllAsync(other, Quiet), Has.Count.EqualTo(1));
        using HttpClient http = agent.ClientFrom("127.0.83.52");
        using JsonDocument status = JsonDocument.Parse(await http.GetStringAsync(new Uri("/status", UriKind.Relative)));
        Assert.That(status.RootElement.GetProperty("discovery").GetProperty("rateLimited").GetInt64(), Is.EqualTo(Sent - replies.Count));
    }

    [Test]
    public async Task Flood_from_many_addresses_hits_the_overall_limit()
    {
        await using LanAgent agent = await LanAgent.StartAsync();
        var defaults = new ReplyRates();
        var sockets = Enumerable.Range(1, 40).Select(i => Client($"127.0.82.{i}")).ToList();
        try
        {
            // The overall bucket refills while the probes go out and are answered: on a busy machine that takes
            // longer, so the cap is the burst plus the refill over the time it took, measured around all of it.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            foreach (Socket socket in sockets)
            {
                for (int i = 0; i < 3; i++)
                {
                    await socket.SendToAsync(Probe(out _), agent.Discovery);
                }
            }

            // Until the agent has decided on every probe (answered or limited; bounded), then the clock stops.
            DiscoveryCounters counters = agent.Service<DiscoveryCounters>();
            for (int poll = 0; poll < 500 && counters.Answered + counters.RateLimited < 120; poll++)
            {
                await Task.Delay(20);
            }

            clock.Stop();
            int replies = 0;
            foreach (Socket socket in sockets)
            {
                replies += (await ReceiveAllAsync(socket, TimeSpan.FromMilliseconds(50))).Count;
            }

            int cap = (int)Math.Ceiling(defaults.OverallBurst + (defaults.OverallPerSecond * clock.Elapsed.TotalSeconds));
            Assert.That(cap, Is.LessThan(120), "the probes must outrun the refill, or nothing is tested");
            Assert.That(replies, Is.InRange((int)defaults.OverallBurst, cap), "120 probes within the per-source budget, capped overall");
            Assert.That(agent.Service<DiscoveryCounters>().RateLimited, Is.EqualTo(120 - replies));
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    [Test]
    public async Task Discover_command_lists_the_agent_as_json_and_as_a_table()
    {
        await using LanAgent agent = await LanAgent.StartAsync();
        string to = $"127.0.0.1:{agent.Discovery.Port}";
        var json = await Onestoppi.RunAsync("discover", "--to", to, "--timeout", "800", "--json");
        Assert.That(json.ExitCode, Is.Zero, json.ToString());
        using JsonDocument found = JsonDocument.Parse(json.StandardOutput);
        Assert.That(found.RootElement.GetArrayLength(), Is.EqualTo(1));
        JsonElement box = found.RootElement[0];
        Assert.That(box.GetProperty("address").GetString(), Is.EqualTo("127.0.0.1"));
        Assert.That(box.GetProperty("httpPort").GetInt32(), Is.EqualTo(agent.Http.Port));
        Assert.That(box.GetProperty("hardwareId").GetString(), Does.StartWith("lan-test-"));

        var table = await Onestoppi.RunAsync("discover", "--to", to, "--timeout", "800");
        Assert.That(table.ExitCode, Is.Zero, table.ToString());
        Assert.That(table.StandardOutput, Does.StartWith("HOST").And.Contain(box.GetProperty("mdnsName").GetString()!));

        var none = await Onestoppi.RunAsync("discover", "--to", $"127.0.0.1:{LanAgent.FreeUdpPort()}", "--timeout", "300");
        Assert.That(none.ExitCode, Is.EqualTo(1));
        Assert.That(none.StandardError, Does.Contain("no box answered"));
    }
}
