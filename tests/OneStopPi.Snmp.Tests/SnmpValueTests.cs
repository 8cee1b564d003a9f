using System.Net;

namespace OneStopPi.Snmp.Tests;

[TestFixture]
public sealed class SnmpValueTests
{
    [Test]
    public void Numeric_accessors()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SnmpValue.Integer32(-5).AsInt32(), Is.EqualTo(-5));
            Assert.That(SnmpValue.Counter32(uint.MaxValue).AsUInt64(), Is.EqualTo(uint.MaxValue));
            Assert.That(SnmpValue.Counter64(ulong.MaxValue).AsUInt64(), Is.EqualTo(ulong.MaxValue));
            Assert.That(SnmpValue.Counter64(ulong.MaxValue).TryGetInt64(out _), Is.False, "above long.MaxValue");
            Assert.That(SnmpValue.Counter64(42).TryGetInt64(out long c64) && c64 == 42, Is.True);
            Assert.That(SnmpValue.Gauge32(7).TryGetInt64(out long g) && g == 7, Is.True);
            Assert.That(SnmpValue.TimeTicks(9).TryGetInt64(out long t) && t == 9, Is.True);
            Assert.That(SnmpValue.OctetString("x").TryGetInt64(out _), Is.False);
            Assert.That(SnmpValue.Integer32(1).IsNumeric && SnmpValue.Counter64(1).IsNumeric, Is.True);
            Assert.That(SnmpValue.OctetString("1").IsNumeric, Is.False);
        });
    }

    [Test]
    public void Accessors_of_the_wrong_type_throw_InvalidOperationException()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => SnmpValue.Counter32(1).AsInt32(), Throws.InvalidOperationException);
            Assert.That(() => SnmpValue.Integer32(1).AsUInt64(), Throws.InvalidOperationException);
            Assert.That(() => SnmpValue.Null.AsObjectIdentifier(), Throws.InvalidOperationException);
            Assert.That(() => SnmpValue.OctetString([1, 2, 3, 4]).AsIPAddress(), Throws.InvalidOperationException);
        });
    }

    [Test]
    public void IpAddress_is_four_octets_of_IPv4()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SnmpValue.IpAddress(IPAddress.Parse("10.1.2.3")).AsIPAddress(), Is.EqualTo(IPAddress.Parse("10.1.2.3")));
            Assert.That(() => SnmpValue.IpAddress(IPAddress.IPv6Loopback), Throws.ArgumentException);
            Assert.That(() => SnmpValue.IpAddress([1, 2, 3]), Throws.ArgumentException);
        });
    }

    [Test]
    public void Exceptions_are_flagged()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SnmpValue.NoSuchObject.IsException, Is.True);
            Assert.That(SnmpValue.NoSuchInstance.IsException, Is.True);
            Assert.That(SnmpValue.EndOfMibView.IsException, Is.True);
            Assert.That(SnmpValue.Null.IsException, Is.False);
        });
    }

    [Test]
    public void AsText_reads_UTF8_and_falls_back_to_Latin1()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SnmpValue.OctetString([0x54, 0xC3, 0xB3, 0x6E, 0x65, 0x72]).AsText(), Is.EqualTo("Tóner"));
            Assert.That(SnmpValue.OctetString([0x54, 0xF3, 0x6E, 0x65, 0x72]).AsText(), Is.EqualTo("Tóner"));
        });
    }

    [Test]
    public void Equality_compares_type_and_contents()
    {
        Assert.Multiple(() =>
        {
            SnmpValue abc = SnmpValue.OctetString("abc");
            Assert.That(SnmpValue.OctetString([0x61, 0x62, 0x63]), Is.EqualTo(abc));
            Assert.That(SnmpValue.OctetString("abc"), Is.Not.EqualTo(SnmpValue.Opaque("abc"u8)));
            Assert.That(SnmpValue.Counter32(5), Is.Not.EqualTo(SnmpValue.Gauge32(5)));
            Assert.That(SnmpValue.ObjectId(new ObjectIdentifier([1, 3, 6])), Is.EqualTo(SnmpValue.ObjectId("1.3.6")));
            Assert.That(SnmpValue.OctetString([0x61, 0x62, 0x63]).GetHashCode(), Is.EqualTo(abc.GetHashCode()));
            Assert.That(SnmpValue.NoSuchObject == SnmpValue.NoSuchObject, Is.True);
            Assert.That(SnmpValue.NoSuchObject != SnmpValue.NoSuchInstance, Is.True);
        });
    }

    [Test]
    public void The_bytes_are_copied_on_construction()
    {
        byte[] bytes = [1, 2, 3];
        SnmpValue value = SnmpValue.OctetString(bytes);
        bytes[0] = 9;
        Assert.That(value.Bytes.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
    }
}
