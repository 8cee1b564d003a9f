using System.Net;
using OneStopPi.Snmp.Ber;

namespace OneStopPi.Snmp.Tests.Ber;

/// <summary>Every varbind value type (RFC 2578 7.1, RFC 3416 3) through the encoder and the decoder.</summary>
[TestFixture]
public sealed class ValueCodecTests
{
    public static IEnumerable<TestCaseData> KnownEncodings()
    {
        static TestCaseData Case(SnmpValue value, string hex, string name) => new TestCaseData(value, hex).SetName(name);

        yield return Case(SnmpValue.Integer32(0), "020100", "INTEGER 0");
        yield return Case(SnmpValue.Integer32(127), "02017F", "INTEGER 127");
        yield return Case(SnmpValue.Integer32(128), "02020080", "INTEGER 128");
        yield return Case(SnmpValue.Integer32(-1), "0201FF", "INTEGER -1");
        yield return Case(SnmpValue.Integer32(-3), "0201FD", "INTEGER -3 (Printer-MIB some remaining)");
        yield return Case(SnmpValue.Integer32(-128), "020180", "INTEGER -128");
        yield return Case(SnmpValue.Integer32(-129), "0202FF7F", "INTEGER -129");
        yield return Case(SnmpValue.Integer32(int.MaxValue), "02047FFFFFFF", "INTEGER max");
        yield return Case(SnmpValue.Integer32(int.MinValue), "020480000000", "INTEGER min");
        yield return Case(SnmpValue.OctetString(""), "0400", "OCTET STRING empty");
        yield return Case(SnmpValue.OctetString("public"), "04067075626C6963", "OCTET STRING text");
        yield return Case(SnmpValue.OctetString([0x00, 0xFF, 0x80]), "040300FF80", "OCTET STRING binary");
        yield return Case(SnmpValue.Null, "0500", "NULL");
        yield return Case(SnmpValue.ObjectId("1.3.6.1.4.1.11.2.3.9.1"), "060A2B060104010B02030901", "OBJECT IDENTIFIER");
        yield return Case(SnmpValue.IpAddress(IPAddress.Parse("192.168.1.10")), "4004C0A8010A", "IpAddress");
        yield return Case(SnmpValue.Counter32(0), "410100", "Counter32 0");
        yield return Case(SnmpValue.Counter32(123456), "410301E240", "Counter32 123456");
        yield return Case(SnmpValue.Counter32(uint.MaxValue), "410500FFFFFFFF", "Counter32 max");
        yield return Case(SnmpValue.Gauge32(128), "42020080", "Gauge32 128");
        yield return Case(SnmpValue.Gauge32(uint.MaxValue), "420500FFFFFFFF", "Gauge32 max");
        yield return Case(SnmpValue.TimeTicks(123456), "430301E240", "TimeTicks");
        yield return Case(SnmpValue.TimeTicks(uint.MaxValue), "430500FFFFFFFF", "TimeTicks max");
        yield return Case(SnmpValue.Opaque([0x9F, 0x78, 0x04, 0x3F, 0x80, 0x00, 0x00]), "44079F78043F800000", "Opaque (a float)");
        yield return Case(SnmpValue.Counter64(0), "460100", "Counter64 0");
        yield return Case(SnmpValue.Counter64(1UL << 32), "46050100000000", "Counter64 2^32");
        yield return Case(SnmpValue.Counter64(ulong.MaxValue), "460900FFFFFFFFFFFFFFFF", "Counter64 max");
        yield return Case(SnmpValue.NoSuchObject, "8000", "noSuchObject");
        yield return Case(SnmpValue.NoSuchInstance, "8100", "noSuchInstance");
        yield return Case(SnmpValue.EndOfMibView, "8200", "endOfMibView");
    }

    [TestCaseSource(nameof(KnownEncodings))]
    public void Encodes_to_the_expected_bytes_and_back(SnmpValue value, string hex)
    {
        Assert.Multiple(() =>
        {
            Assert.That(Convert.ToHexString(Encode(value)), Is.EqualTo(hex));
            Assert.That(Decode(hex), Is.EqualTo(value));
            Assert.That(Decode(hex).Type, Is.EqualTo(value.Type));
        });
    }

    [Test]
    public void Long_octet_string_uses_the_long_length_form()
    {
        byte[] bytes = [.. Enumerable.Range(0, 300).Select(i => (byte)i)];
        byte[] tlv = Encode(SnmpValue.OctetString(bytes));
        Assert.Multiple(() =>
        {
            Assert.That(Convert.ToHexString(tlv[..4]), Is.EqualTo("0482012C"));
            Assert.That(Decode(Convert.ToHexString(tlv)).Bytes.ToArray(), Is.EqualTo(bytes));
        });
    }

    [TestCase("02020005", 5L, TestName = "INTEGER with a redundant 00")]
    [TestCase("0203000005", 5L, TestName = "INTEGER with two redundant 00")]
    [TestCase("0202FFFF", -1L, TestName = "INTEGER with a redundant FF")]
    [TestCase("0203FFFF80", -128L, TestName = "INTEGER -128 with a redundant FF")]
    [TestCase("020500FFFFFFFF", 4294967295L, TestName = "INTEGER above Integer32 (an unsigned column) is kept")]
    [TestCase("02080000000000000001", 1L, TestName = "INTEGER of eight octets")]
    public void Integer_decoding_is_lenient(string hex, long expected)
    {
        SnmpValue value = Decode(hex);
        Assert.Multiple(() =>
        {
            Assert.That(value.Type, Is.EqualTo(SnmpValueType.Integer32));
            Assert.That(value.TryGetInt64(out long n), Is.True);
            Assert.That(n, Is.EqualTo(expected));
        });
    }

    [Test]
    public void Integer_outside_Integer32_is_not_read_as_Int32()
    {
        SnmpValue value = Decode("020500FFFFFFFF");
        Assert.That(() => value.AsInt32(), Throws.InvalidOperationException);
    }

    [TestCase("4104FFFFFFFF", SnmpValueType.Counter32, 4294967295UL, TestName = "Counter32 max without the leading zero")]
    [TestCase("410180", SnmpValueType.Counter32, 128UL, TestName = "Counter32 128 without the leading zero")]
    [TestCase("42028000", SnmpValueType.Gauge32, 32768UL, TestName = "Gauge32 32768 without the leading zero")]
    [TestCase("4304F0000000", SnmpValueType.TimeTicks, 4026531840UL, TestName = "TimeTicks without the leading zero")]
    [TestCase("4608FFFFFFFFFFFFFFFF", SnmpValueType.Counter64, ulong.MaxValue, TestName = "Counter64 max without the leading zero")]
    [TestCase("4106000000000001", SnmpValueType.Counter32, 1UL, TestName = "Counter32 with redundant zeros")]
    [TestCase("460B0000000000000000000007", SnmpValueType.Counter64, 7UL, TestName = "Counter64 with redundant zeros")]
    public void Unsigned_values_sent_without_the_leading_zero_are_read_as_unsigned(string hex, SnmpValueType type, ulong expected)
    {
        SnmpValue value = Decode(hex);
        Assert.Multiple(() =>
        {
            Assert.That(value.Type, Is.EqualTo(type));
            Assert.That(value.AsUInt64(), Is.EqualTo(expected));
        });
    }

    [TestCase("0200", TestName = "INTEGER without contents")]
    [TestCase("0209010000000000000000", TestName = "INTEGER of 9 significant octets")]
    [TestCase("4100", TestName = "Counter32 without contents")]
    [TestCase("41050100000000", TestName = "Counter32 of 2^32")]
    [TestCase("42050100000000", TestName = "Gauge32 of 2^32")]
    [TestCase("43050100000000", TestName = "TimeTicks of 2^32")]
    [TestCase("4609010000000000000000", TestName = "Counter64 of 2^64")]
    [TestCase("4003C0A801", TestName = "IpAddress of 3 octets")]
    [TestCase("4005C0A8010A00", TestName = "IpAddress of 5 octets")]
    [TestCase("050100", TestName = "NULL with contents")]
    [TestCase("800100", TestName = "noSuchObject with contents")]
    [TestCase("820100", TestName = "endOfMibView with contents")]
    [TestCase("0600", TestName = "empty OBJECT IDENTIFIER")]
    [TestCase("030100", TestName = "BIT STRING is no SNMP value")]
    [TestCase("0101FF", TestName = "BOOLEAN is no SNMP value")]
    [TestCase("4500", TestName = "APPLICATION 5 (NsapAddress) is no SNMPv2 value")]
    [TestCase("4700", TestName = "APPLICATION 7 is unknown")]
    [TestCase("830100", TestName = "context tag 3 is no exception value")]
    [TestCase("3000", TestName = "a SEQUENCE is no value")]
    [TestCase("2403040161", TestName = "constructed OCTET STRING is not SNMP")]
    public void Refuses_invalid_values(string hex)
    {
        Assert.That(() => Decode(hex), Throws.TypeOf<SnmpDecodeException>());
    }

    [TestCase("0482000361626304", "abc", TestName = "non-minimal long length form is BER")]
    public void Accepts_every_definite_length_form(string hex, string text)
    {
        byte[] bytes = Convert.FromHexString(hex);
        Assert.That(SnmpDecoder.TryReadTlv(bytes, out byte identifier, out int offset, out int length, out int consumed), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(identifier, Is.EqualTo(0x04));
            Assert.That(System.Text.Encoding.ASCII.GetString(bytes, offset, length), Is.EqualTo(text));
            Assert.That(consumed, Is.EqualTo(7), "the trailing octet is not part of the value");
        });
    }

    [TestCase("0480616263 0000", TestName = "indefinite length")]
    [TestCase("04", TestName = "no length")]
    [TestCase("0405616263", TestName = "length past the end")]
    [TestCase("0484FFFFFFFF00", TestName = "4 GiB length")]
    [TestCase("1F810001 00", TestName = "multi-octet tag number")]
    [TestCase("", TestName = "nothing")]
    public void TryReadTlv_refuses_what_SNMP_does_not_allow(string hex)
    {
        Assert.That(SnmpDecoder.TryReadTlv(Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal)), out _, out _, out _, out _), Is.False);
    }

    internal static byte[] Encode(SnmpValue value)
    {
        var writer = SnmpEncoder.CreateWriter();
        SnmpEncoder.WriteValue(writer, value);
        return writer.Encode();
    }

    internal static SnmpValue Decode(string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);
        if (!SnmpDecoder.TryReadTlv(bytes, out byte identifier, out int offset, out int length, out int consumed) || consumed != bytes.Length)
        {
            throw new SnmpDecodeException("not one TLV");
        }

        return SnmpDecoder.ReadValue(identifier, bytes.AsSpan(offset, length));
    }
}
