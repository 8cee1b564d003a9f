using OneStopPi.Snmp.Ber;

namespace OneStopPi.Snmp.Tests.Ber;

/// <summary>OBJECT IDENTIFIER contents, X.690 8.19.</summary>
[TestFixture]
public sealed class OidCodecTests
{
    [TestCase("1.3.6.1.2.1.1.1.0", "2B06010201010100")]
    [TestCase("0.0", "00")]
    [TestCase("0.39", "27")] // 8.19.4: X = 0, Y <= 39
    [TestCase("1.0", "28")]
    [TestCase("1.39", "4F")]
    [TestCase("2.0", "50")]
    [TestCase("2.47", "7F")]
    [TestCase("2.48", "8100")] // 40*2+48 = 128: the first subidentifier needs two octets
    [TestCase("2.999.3", "883703")] // the X.690 8.19.5 example
    [TestCase("1.3.6.1.4.1.4294967295", "2B06010401 8FFFFFFF7F")] // RFC 2578 3.5: arcs up to 2^32-1
    [TestCase("1.3.6.1.4.1.128.16383.16384", "2B060104018100FF7F818000")]
    public void Encodes_and_decodes_the_x690_bytes(string oid, string hex)
    {
        byte[] expected = Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(Convert.ToHexString(OidContents(oid)), Is.EqualTo(Convert.ToHexString(expected)));
            Assert.That(SnmpDecoder.ReadOidContents(expected).ToString(), Is.EqualTo(oid));
        });
    }

    [Test]
    public void A_single_arc_is_sent_as_that_arc_followed_by_zero_as_net_snmp_does()
    {
        // net-snmp's asn_build_objid sends ".1" as 0x28 (= 1.0); walks of .1 rely on it.
        Assert.That(Convert.ToHexString(OidContents("1")), Is.EqualTo("28"));
    }

    [Test]
    public void First_subidentifier_of_arc_2_may_exceed_32_bits()
    {
        // 8.19.4: with X = 2, Y = 4294967295 the first subidentifier is 4294967375, five octets.
        ObjectIdentifier oid = "2.4294967295.1";
        byte[] contents = OidContents(oid);
        Assert.That(SnmpDecoder.ReadOidContents(contents), Is.EqualTo(oid));
    }

    [TestCase("3.1")]
    [TestCase("0.40")]
    [TestCase("1.40")]
    [TestCase("4294967295.1")]
    public void Refuses_to_encode_first_arcs_that_x690_cannot_express(string oid)
    {
        // 8.19.4: X is 0, 1 or 2, and Y <= 39 unless X = 2; anything else would decode as another OID.
        Assert.That(() => OidContents(oid), Throws.ArgumentException);
    }

    [Test]
    public void Refuses_to_encode_an_empty_oid()
    {
        Assert.That(() => OidContents(default), Throws.ArgumentException);
    }

    [Test]
    public void Decodes_exactly_128_arcs_and_refuses_129()
    {
        // The first subidentifier carries two arcs.
        byte[] arcs128 = [0x2B, .. Enumerable.Repeat((byte)0x01, 126)];
        byte[] arcs129 = [0x2B, .. Enumerable.Repeat((byte)0x01, 127)];
        Assert.Multiple(() =>
        {
            Assert.That(SnmpDecoder.ReadOidContents(arcs128).Length, Is.EqualTo(128));
            Assert.That(() => SnmpDecoder.ReadOidContents(arcs129), Throws.TypeOf<SnmpDecodeException>());
        });
    }

    [Test]
    public void Round_trips_128_arcs_of_the_largest_value()
    {
        var arcs = new uint[ObjectIdentifier.MaxArcs];
        Array.Fill(arcs, uint.MaxValue);
        arcs[0] = 1;
        arcs[1] = 3;
        var oid = new ObjectIdentifier(arcs);
        Assert.That(SnmpDecoder.ReadOidContents(OidContents(oid)), Is.EqualTo(oid));
    }

    [TestCase("", TestName = "empty contents")]
    [TestCase("2B0681", TestName = "ends inside a subidentifier")]
    [TestCase("2B06909090907F", TestName = "subidentifier of six octets")]
    [TestCase("2B069080808000", TestName = "subidentifier of 2^32")]
    [TestCase("FFFFFFFF7F", TestName = "first subidentifier above 2^32+79")]
    public void Refuses_malformed_contents(string hex)
    {
        Assert.That(() => SnmpDecoder.ReadOidContents(Convert.FromHexString(hex)), Throws.TypeOf<SnmpDecodeException>());
    }

    [Test]
    public void WriteOid_writes_the_long_length_form_when_needed()
    {
        // 128 arcs of 2^32-1 take 5 octets each: contents over 255 octets, length 0x82 hh ll.
        var arcs = new uint[ObjectIdentifier.MaxArcs];
        Array.Fill(arcs, uint.MaxValue);
        arcs[0] = 1;
        arcs[1] = 3;
        var oid = new ObjectIdentifier(arcs);
        var writer = SnmpEncoder.CreateWriter();
        SnmpEncoder.WriteOid(writer, oid);
        byte[] tlv = writer.Encode();

        Assert.Multiple(() =>
        {
            Assert.That(tlv[0], Is.EqualTo(0x06));
            Assert.That(tlv[1], Is.EqualTo(0x82));
            Assert.That((tlv[2] << 8) | tlv[3], Is.EqualTo(1 + 126 * 5));
            Assert.That(SnmpDecoder.ReadOidContents(tlv.AsSpan(4)), Is.EqualTo(oid));
        });
    }

    [TestCase(0, "0601")]
    [TestCase(25, "067E")] // 1 + 25*5 = 126 octets: short length form
    [TestCase(26, "0681")] // 131 octets: long form 0x81 0x83
    public void WriteOid_length_forms(int bigArcs, string expectedPrefix)
    {
        uint[] arcs = [1, 3, .. Enumerable.Repeat(uint.MaxValue, bigArcs)];
        var writer = SnmpEncoder.CreateWriter();
        SnmpEncoder.WriteOid(writer, new ObjectIdentifier(arcs));
        byte[] tlv = writer.Encode();
        Assert.Multiple(() =>
        {
            Assert.That(Convert.ToHexString(tlv)[..4], Is.EqualTo(expectedPrefix));
            Assert.That(SnmpDecoder.ReadOidContents(tlv.AsSpan(tlv[1] == 0x81 ? 3 : 2)).Arcs.ToArray(), Is.EqualTo(arcs));
        });
    }

    private static byte[] OidContents(ObjectIdentifier oid)
    {
        var buffer = new byte[5 * Math.Max(oid.Length, 2)];
        int written = SnmpEncoder.WriteOidContents(oid, buffer);
        return buffer[..written];
    }
}
