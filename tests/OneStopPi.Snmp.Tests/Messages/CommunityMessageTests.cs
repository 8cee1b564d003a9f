using System.Net;
using System.Text;
using OneStopPi.Snmp.Messages;
using OneStopPi.Snmp.Pdus;
using static OneStopPi.Snmp.Tests.Messages.CapturedPackets;

namespace OneStopPi.Snmp.Tests.Messages;

[TestFixture]
public sealed class CommunityMessageTests
{
    private static readonly ObjectIdentifier SysDescr = "1.3.6.1.2.1.1.1.0";
    private static readonly ObjectIdentifier SuppliesLevel = "1.3.6.1.2.1.43.11.1.1.9.1.1";
    private static readonly byte[] Public = Encoding.ASCII.GetBytes("public");

    [Test]
    public void V2c_get_of_sysDescr_is_byte_for_byte_what_net_snmp_sends()
    {
        // 30 29                      Message SEQUENCE, 41 octets
        //   02 01 01                 version 1 (v2c)
        //   04 06 "public"           community
        //   A0 1C                    GetRequest-PDU
        //     02 04 1A C9 17 18      request-id
        //     02 01 00  02 01 00     error-status, error-index
        //     30 0E 30 0C            varbind list, varbind
        //       06 08 2B 06 01 02 01 01 01 00   1.3.6.1.2.1.1.1.0
        //       05 00                           NULL
        var message = new CommunityMessage(SnmpVersion.V2c, Public, Pdu.GetRequest(0x1AC91718, [SysDescr]));
        Assert.That(Convert.ToHexString(message.Encode()), Is.EqualTo(V2cGetSysDescr));
    }

    [Test]
    public void V1_get_is_byte_for_byte_what_net_snmp_sends()
    {
        var message = new CommunityMessage(SnmpVersion.V1, Public, Pdu.GetRequest(0x6C39FA26, [SysDescr]));
        Assert.That(Convert.ToHexString(message.Encode()), Is.EqualTo(V1GetSysDescr));
    }

    [Test]
    public void Get_of_two_oids_is_byte_for_byte_what_net_snmp_sends()
    {
        var message = new CommunityMessage(SnmpVersion.V2c, Public, Pdu.GetRequest(0x241B379B, [SysDescr, SuppliesLevel]));
        Assert.That(Convert.ToHexString(message.Encode()), Is.EqualTo(V2cGetTwo));
    }

    [Test]
    public void GetBulk_is_byte_for_byte_what_net_snmp_sends()
    {
        var message = new CommunityMessage(SnmpVersion.V2c, Public, Pdu.GetBulkRequest(0x710B8A, 0, 3, ["1.3.6.1.2.1.1"]));
        Assert.That(Convert.ToHexString(message.Encode()), Is.EqualTo(Convert.ToHexString(Bytes(V2cGetBulk))));
    }

    [Test]
    public void Decodes_snmpd_response()
    {
        CommunityMessage message = CommunityMessage.Decode(Bytes(V2cResponseTwo));
        Assert.Multiple(() =>
        {
            Assert.That(message.Version, Is.EqualTo(SnmpVersion.V2c));
            Assert.That(message.Community.ToArray(), Is.EqualTo(Public));
            Assert.That(message.Pdu.Type, Is.EqualTo(PduType.Response));
            Assert.That(message.Pdu.RequestId, Is.EqualTo(0x241B379B));
            Assert.That(message.Pdu.ErrorStatus, Is.EqualTo(SnmpErrorStatus.NoError));
            Assert.That(message.Pdu.Varbinds, Is.EqualTo(new[]
            {
                new Varbind(SysDescr, SnmpValue.OctetString(SnmpdSysDescr)),
                new Varbind(SuppliesLevel, SnmpValue.Integer32(6500)),
            }));
        });
    }

    [Test]
    public void Decodes_snmpsim_response()
    {
        CommunityMessage message = CommunityMessage.Decode(Bytes(SnmpsimResponse));
        Assert.That(message.Pdu.Varbinds, Is.EqualTo(new[]
        {
            new Varbind(SysDescr, SnmpValue.OctetString("SNMPPROBE LaserJet 4000 Simulated Printer FW 1.2.3")),
            new Varbind("1.3.6.1.2.1.1.3.0", SnmpValue.TimeTicks(123456)),
        }));
    }

    [Test]
    public void Decodes_the_requests_it_encodes()
    {
        CommunityMessage bulk = CommunityMessage.Decode(Bytes(V2cGetBulk));
        Assert.Multiple(() =>
        {
            Assert.That(bulk.Pdu.Type, Is.EqualTo(PduType.GetBulkRequest));
            Assert.That(bulk.Pdu.NonRepeaters, Is.EqualTo(0));
            Assert.That(bulk.Pdu.MaxRepetitions, Is.EqualTo(3));
            Assert.That(bulk.Pdu.ErrorStatus, Is.EqualTo(SnmpErrorStatus.NoError));
            Assert.That(bulk.Pdu.Varbinds.Single(), Is.EqualTo(Varbind.Request("1.3.6.1.2.1.1")));
            Assert.That(CommunityMessage.Decode(Bytes(V1GetSysDescr)).Version, Is.EqualTo(SnmpVersion.V1));
        });
    }

    public static IEnumerable<TestCaseData> EveryValue()
    {
        yield return new TestCaseData(SnmpVersion.V1);
        yield return new TestCaseData(SnmpVersion.V2c);
    }

    [TestCaseSource(nameof(EveryValue))]
    public void Response_with_every_value_type_round_trips(SnmpVersion version)
    {
        Varbind[] varbinds =
        [
            new("1.3.6.1.2.1.1.1.0", SnmpValue.OctetString("HP LaserJet \"4000\" \\ series")),
            new("1.3.6.1.2.1.1.2.0", SnmpValue.ObjectId("1.3.6.1.4.1.11.2.3.9.1")),
            new("1.3.6.1.2.1.1.3.0", SnmpValue.TimeTicks(uint.MaxValue)),
            new("1.3.6.1.2.1.2.2.1.6.1", SnmpValue.OctetString([0x00, 0x18, 0x71, 0xC1, 0xE0, 0x00])),
            new("1.3.6.1.2.1.2.2.1.10.1", SnmpValue.Counter32(uint.MaxValue)),
            new("1.3.6.1.2.1.2.2.1.5.1", SnmpValue.Gauge32(100_000_000)),
            new("1.3.6.1.2.1.4.20.1.1.10.0.0.5", SnmpValue.IpAddress(IPAddress.Parse("10.0.0.5"))),
            new("1.3.6.1.2.1.31.1.1.1.6.1", SnmpValue.Counter64(ulong.MaxValue)),
            new("1.3.6.1.2.1.43.11.1.1.9.1.1", SnmpValue.Integer32(-3)),
            new("1.3.6.1.4.1.2021.10.1.6.1", SnmpValue.Opaque([0x9F, 0x78, 0x04, 0x3F, 0x80, 0x00, 0x00])),
            new("1.3.6.1.2.1.4.22.1.2", SnmpValue.Null),
            new("1.3.6.1.2.1.1.9.0", SnmpValue.NoSuchObject),
            new("1.3.6.1.2.1.1.9.1", SnmpValue.NoSuchInstance),
            new("1.3.6.1.2.1.1.9.2", SnmpValue.EndOfMibView),
            new("1.3.6.1.4.1.4294967295.0", SnmpValue.OctetString([])),
        ];
        var sent = new CommunityMessage(version, Encoding.ASCII.GetBytes("s3cr\u00e9t"), Pdu.Response(-17, SnmpErrorStatus.NoError, 0, varbinds));
        CommunityMessage received = CommunityMessage.Decode(sent.Encode());
        Assert.Multiple(() =>
        {
            Assert.That(received.Version, Is.EqualTo(version));
            Assert.That(received.Community.ToArray(), Is.EqualTo(sent.Community.ToArray()));
            Assert.That(received.Pdu.RequestId, Is.EqualTo(-17));
            Assert.That(received.Pdu.Type, Is.EqualTo(PduType.Response));
            Assert.That(received.Pdu.Varbinds, Is.EqualTo(varbinds));
        });
    }

    [Test]
    public void Error_status_and_index_round_trip()
    {
        var sent = new CommunityMessage(SnmpVersion.V1, Public, Pdu.Response(7, SnmpErrorStatus.NoSuchName, 2, [Varbind.Request(SysDescr), Varbind.Request(SuppliesLevel)]));
        Pdu pdu = CommunityMessage.Decode(sent.Encode()).Pdu;
        Assert.Multiple(() =>
        {
            Assert.That(pdu.ErrorStatus, Is.EqualTo(SnmpErrorStatus.NoSuchName));
            Assert.That(pdu.ErrorIndex, Is.EqualTo(2));
            Assert.That(pdu.NonRepeaters, Is.Zero);
            Assert.That(pdu.MaxRepetitions, Is.Zero);
        });
    }

    [Test]
    public void SNMPv1_has_no_GetBulk_nor_Report()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new CommunityMessage(SnmpVersion.V1, Public, Pdu.GetBulkRequest(1, 0, 10, [SysDescr])), Throws.ArgumentException);
            Assert.That(() => new CommunityMessage(SnmpVersion.V1, Public, Pdu.Report(1, [])), Throws.ArgumentException);
            Assert.That(() => new CommunityMessage(SnmpVersion.V3, Public, Pdu.GetRequest(1, [SysDescr])), Throws.ArgumentException);

            byte[] v1Bulk = Bytes(V2cGetBulk);
            v1Bulk[4] = 0; // msgVersion 1 -> 0
            Assert.That(() => CommunityMessage.Decode(v1Bulk), Throws.TypeOf<SnmpDecodeException>());
        });
    }

    [TestCase(2)]
    [TestCase(4)]
    [TestCase(-1)]
    public void Unknown_versions_are_refused(int version)
    {
        byte[] datagram = Bytes(V2cGetSysDescr);
        datagram[4] = unchecked((byte)version);
        Assert.That(() => CommunityMessage.Decode(datagram), Throws.TypeOf<SnmpDecodeException>());
    }

    [Test]
    public void An_SNMPv3_message_is_not_a_community_message()
    {
        Assert.That(() => CommunityMessage.Decode(Bytes(V3Discovery)), Throws.TypeOf<SnmpDecodeException>());
    }

    [Test]
    public void Trailing_octets_after_the_message_are_refused()
    {
        byte[] datagram = [.. Bytes(V2cResponseTwo), 0x00];
        Assert.That(() => CommunityMessage.Decode(datagram), Throws.TypeOf<SnmpDecodeException>());
    }

    [Test]
    public void A_request_id_that_does_not_fit_Integer32_is_refused()
    {
        // request-id 0x1AC91718 -> 5 octets 01 1A C9 17 18 (2^32 + ...), lengths fixed up.
        byte[] datagram = Bytes("302A02010104067075626C6963A01D0205011AC91718020100020100300E300C06082B060102010101000500");
        Assert.That(() => CommunityMessage.Decode(datagram), Throws.TypeOf<SnmpDecodeException>());
    }

    [Test]
    public void Hostile_varbind_counts_are_bounded()
    {
        // 8,193 varbinds of 6 octets each fit in 50 KB: more than any agent sends (PduCodec.MaxVarbinds).
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.BER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(1);
            writer.WriteOctetString(Public);
            using (writer.PushSequence(new System.Formats.Asn1.Asn1Tag(System.Formats.Asn1.TagClass.ContextSpecific, 2, isConstructed: true)))
            {
                writer.WriteInteger(1);
                writer.WriteInteger(0);
                writer.WriteInteger(0);
                using (writer.PushSequence())
                {
                    for (int i = 0; i <= PduCodec.MaxVarbinds; i++)
                    {
                        using (writer.PushSequence())
                        {
                            writer.WriteObjectIdentifier("0.0");
                            writer.WriteNull();
                        }
                    }
                }
            }
        }

        Assert.That(() => CommunityMessage.Decode(writer.Encode()), Throws.TypeOf<SnmpDecodeException>().With.Message.Contains("varbinds"));
    }
}
