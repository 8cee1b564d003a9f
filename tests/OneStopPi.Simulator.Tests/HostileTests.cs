using System.Net;
using System.Net.Sockets;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Messages;
using OneStopPi.Snmp.Pdus;
using OneStopPi.Snmp.Security;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Simulator.Tests;

/// <summary>Malformed, hostile and oversized input never stops a device; answers respect the size limits.</summary>
[NonParallelizable]
public class HostileTests
{
    private static readonly ObjectIdentifier SysDescr = ObjectIdentifier.Parse("1.3.6.1.2.1.1.1.0");

    private static byte[] V2cGet(params ObjectIdentifier[] oids) =>
        new CommunityMessage(SnmpVersion.V2c, "public"u8.ToArray(), Pdu.GetRequest(42, oids)).Encode();

    private static byte[] V2cBulk(int nonRepeaters, int maxRepetitions, params ObjectIdentifier[] oids) =>
        new CommunityMessage(SnmpVersion.V2c, "public"u8.ToArray(),
            Pdu.FromWire(PduType.GetBulkRequest, 43, nonRepeaters, maxRepetitions, [.. oids.Select(Varbind.Request)])).Encode();

    /// <summary>The same message with the PDU's tag replaced (e.g. 0xA3 SetRequest, 0xA4 Trap).</summary>
    private static byte[] WithPduTag(byte[] message, byte tag)
    {
        byte[] copy = (byte[])message.Clone();
        int at = Array.IndexOf(copy, (byte)0xA0, 7);
        copy[at] = tag;
        return copy;
    }

    private static IEnumerable<byte[]> HostileDatagrams()
    {
        byte[] get = V2cGet(SysDescr);
        yield return [];
        yield return [0x30];
        yield return [0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00];                  // indefinite length
        yield return [0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF];                        // length far past the datagram
        yield return [0x30, 0x03, 0x02, 0x01, 0x02];                              // version 2
        yield return [0x30, 0x0C, 0x02, 0x09, 0x7F, 1, 2, 3, 4, 5, 6, 7, 8, 0x04, 0x00]; // 9-octet version
        yield return get[..^3];                                                  // truncated
        yield return [.. get, 0x00];                                             // trailing octet
        yield return WithPduTag(get, 0xA3);                                      // SetRequest
        yield return WithPduTag(get, 0xA4);                                      // v1 Trap
        yield return WithPduTag(get, 0xA2);                                      // a Response
        yield return WithPduTag(get, 0xA7);                                      // SNMPv2-Trap
        yield return WithPduTag(get, 0xBF);                                      // unknown
        yield return new CommunityMessage(SnmpVersion.V2c, "public"u8.ToArray(), Pdu.Response(1, SnmpErrorStatus.NoError, 0, [])).Encode();
        yield return V2cBulk(-5, int.MaxValue, SysDescr, SysDescr, SysDescr);   // negative non-repeaters, huge repetitions
        yield return V2cBulk(int.MaxValue, int.MaxValue, SysDescr);
        yield return V2cBulk(0, int.MaxValue, [.. Enumerable.Repeat(ObjectIdentifier.Parse("1.3"), 800)]);
        yield return V2cGet([.. Enumerable.Range(0, 20).Select(i => ObjectIdentifier.Parse("1.3." + string.Join('.', Enumerable.Repeat(uint.MaxValue, 126))))]);
        yield return new byte[20000];                                            // larger than the request limit
        yield return UsmMessageProcessor.EncodeDiscovery(1, 100);                // v3 discovery with a too small msgMaxSize
        yield return UsmMessageProcessor.EncodeDiscovery(int.MaxValue, int.MaxValue);
        byte[] v3 = UsmMessageProcessor.EncodeDiscovery(7, 65507);
        yield return v3[..^5];
        var random = new Random(3414);
        for (int n = 0; n < 300; n++)
        {
            byte[] junk = new byte[random.Next(1, 600)];
            random.NextBytes(junk);
            if (n % 2 == 0)
            {
                junk[0] = 0x30;
            }

            yield return junk;
        }
    }

    [Test]
    public async Task Hostile_datagrams_never_stop_a_device()
    {
        await using FleetSimulator fleet = Fleet.Start([Fleet.Sample("zebra.snmprec")], 250, Loopback.HostilePort,
            new SimulatorOptions { V3User = new SimulatorUser("u", AuthProtocol.Sha1, "authpass123", PrivProtocol.Aes128, "privpass123") });
        IPEndPoint device = fleet.Devices[0].EndPoint;
        int sent = 0;
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            socket.Bind(new IPEndPoint(Loopback.At(249), 0));
            foreach (byte[] datagram in HostileDatagrams())
            {
                await socket.SendToAsync(datagram, SocketFlags.None, device);
                if (++sent % 16 == 0)
                {
                    await Task.Delay(5); // stay within the socket's receive buffer: every datagram is to be judged
                }
            }
        }

        await Task.Delay(200);
        long received = fleet.Statistics.Received;

        await using var client = new SnmpClient();
        IReadOnlyList<Varbind> got = await client.GetAsync(Fleet.V2c(device), [SysDescr]);
        List<string> walked = await Fleet.WalkAsync(client, Fleet.V2c(device));

        Assert.That(got[0].Value.AsText(), Does.StartWith("ZebraNet"));
        Assert.That(walked, Is.EqualTo(Fleet.Expected(fleet.Devices[0].Recording)));
        SimulatorStatistics stats = fleet.Statistics;
        Assert.That(stats.InternalErrors, Is.Zero);
        Assert.That(stats.Oversized, Is.EqualTo(1));
        Assert.That(received, Is.EqualTo(sent));
        Assert.That(stats.Malformed + stats.NotARequest, Is.GreaterThan(sent / 2));
    }

    [Test]
    public void Mutated_requests_never_throw()
    {
        var fleet = FleetSimulator.Create([Fleet.Sample("jetdirect.snmprec")], new SimulatorOptions
        {
            FirstAddress = Loopback.At(250),
            Port = Loopback.HostilePort,
            V3User = new SimulatorUser("u", AuthProtocol.Sha1, "authpass123", PrivProtocol.Des, "privpass123"),
        });
        SimulatedDevice device = fleet.Devices[0];
        var user = new UsmCredentials("u", AuthProtocol.Sha1, "authpass123", PrivProtocol.Des, "privpass123");
        byte[] engineId = device.EngineId.ToArray();
        var keys = new UsmLocalizedKeys(UsmKeys.LocalizedAuthKey(AuthProtocol.Sha1, "authpass123", engineId),
            UsmKeys.LocalizedPrivKey(AuthProtocol.Sha1, PrivProtocol.Des, "privpass123", engineId));
        byte[] v3Get = new UsmMessageProcessor(new UsmPrivacy(1)).EncodeRequest(9, 65507, user, keys,
            new RemoteEngine(engineId, 1, 0, TimeProvider.System), Pdu.GetBulkRequest(9, 1, 10, [SysDescr, ObjectIdentifier.Parse("1.3.6.1.2.1.2")]));
        Assert.That(fleet.Respond(device, v3Get), Is.Not.Null, "the unmutated request is answered");

        byte[][] seeds =
        [
            V2cGet(SysDescr, ObjectIdentifier.Parse("1.3.6.1.2.1.4.31.1.1.4.2")),
            V2cBulk(1, 20, SysDescr, ObjectIdentifier.Parse("1.3.6.1.2.1.2")),
            new CommunityMessage(SnmpVersion.V1, "public"u8.ToArray(), Pdu.GetNextRequest(5, [SysDescr])).Encode(),
            UsmMessageProcessor.EncodeDiscovery(3, 65507),
            v3Get,
        ];
        var random = new Random(1157);
        for (int n = 0; n < 20000; n++)
        {
            byte[] datagram = (byte[])seeds[n % seeds.Length].Clone();
            int edits = random.Next(1, 4);
            for (int e = 0; e < edits; e++)
            {
                switch (random.Next(3))
                {
                    case 0:
                        datagram[random.Next(datagram.Length)] = (byte)random.Next(256);
                        break;
                    case 1:
                        datagram = datagram[..random.Next(1, datagram.Length)];
                        break;
                    default:
                        datagram[random.Next(datagram.Length)] ^= (byte)(1 << random.Next(8));
                        break;
                }
            }

            Assert.DoesNotThrow(() => fleet.Respond(device, datagram), $"mutation {n}: {Convert.ToHexString(datagram)}");
        }
    }

    [Test]
    public void A_getbulk_answer_is_cut_to_65507_octets()
    {
        var fleet = FleetSimulator.Create([Fleet.Sample("zebra.snmprec")], new SimulatorOptions { FirstAddress = Loopback.At(250), Port = Loopback.HostilePort });

        byte[] answer = fleet.Respond(fleet.Devices[0], V2cBulk(0, 100000, ObjectIdentifier.Parse("1.3"), ObjectIdentifier.Parse("1.3.6.1.2.1.2")))!;
        Pdu pdu = CommunityMessage.Decode(answer).Pdu;

        Assert.That(answer.Length, Is.InRange(65507 - 300, 65507));
        Assert.That(pdu.ErrorStatus, Is.EqualTo(SnmpErrorStatus.NoError));
        Assert.That(pdu.Varbinds[0].Oid, Is.EqualTo(fleet.Devices[0].Recording.OidAt(0)));
    }

    [Test]
    public void A_v3_getbulk_answer_fits_the_requests_msgMaxSize()
    {
        var fleet = FleetSimulator.Create([Fleet.Sample("zebra.snmprec")], new SimulatorOptions
        {
            FirstAddress = Loopback.At(250),
            Port = Loopback.HostilePort,
            V3User = new SimulatorUser("plain"),
        });
        SimulatedDevice device = fleet.Devices[0];
        foreach (int maxSize in new[] { 484, 1000, 1472 })
        {
            byte[] request = new UsmMessageProcessor(new UsmPrivacy(1)).EncodeRequest(11, maxSize, new UsmCredentials("plain"), null,
                new RemoteEngine(device.EngineId.ToArray(), 1, 0, TimeProvider.System), Pdu.GetBulkRequest(11, 0, 500, [ObjectIdentifier.Parse("1.3")]));

            byte[] answer = fleet.Respond(device, request)!;
            V3Message message = V3Message.Decode(answer);

            Assert.That(answer.Length, Is.InRange(maxSize - 80, maxSize), $"msgMaxSize {maxSize}");
            Assert.That(message.ScopedPdu!.Pdu.Varbinds, Is.Not.Empty);
        }
    }

    [Test]
    public async Task A_get_whose_answer_cannot_fit_gets_tooBig_and_the_client_splits_it()
    {
        var records = Enumerable.Range(1, 100)
            .Select(i => new Varbind(ObjectIdentifier.Parse($"1.3.6.1.4.1.99999.1.{i}"), SnmpValue.OctetString(new string('x', 1000))))
            .ToList();
        await using FleetSimulator fleet = Fleet.Start([Recording.FromVarbinds("big", records)], 250, Loopback.HostilePort);
        await using var client = new SnmpClient();
        ObjectIdentifier[] oids = [.. records.Select(r => r.Oid)];

        SnmpResponse raw = await client.SendAsync(Fleet.V2c(fleet.Devices[0].EndPoint), id => Pdu.GetRequest(id, oids));
        IReadOnlyList<Varbind> split = await client.GetAsync(Fleet.V2c(fleet.Devices[0].EndPoint), oids);

        Assert.That(raw.ErrorStatus, Is.EqualTo(SnmpErrorStatus.TooBig));
        Assert.That(raw.Varbinds, Is.Empty);
        Assert.That(split, Is.EqualTo(records));
    }

    [Test]
    public async Task Another_community_is_ignored_when_one_is_configured()
    {
        await using FleetSimulator fleet = Fleet.Start([Fleet.Sample("jetdirect.snmprec")], 250, Loopback.HostilePort, new SimulatorOptions { Community = "secret" });
        await using var client = new SnmpClient();
        IPEndPoint device = fleet.Devices[0].EndPoint;

        IReadOnlyList<Varbind> right = await client.GetAsync(new SnmpTarget(device, new CommunityCredentials(SnmpVersion.V2c, "secret")), [SysDescr]);

        Assert.That(right[0].Value.AsText(), Does.StartWith("HP"));
        Assert.ThrowsAsync<SnmpTimeoutException>(async () => await client.GetAsync(Fleet.V2c(device) with { Timeout = TimeSpan.FromMilliseconds(200), Retries = 0 }, [SysDescr]));
        Assert.That(fleet.Statistics.BadCommunity, Is.EqualTo(1));
    }
}
