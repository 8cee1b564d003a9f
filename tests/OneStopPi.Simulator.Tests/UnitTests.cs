using System.Net;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Messages;
using OneStopPi.Snmp.Pdus;

namespace OneStopPi.Simulator.Tests;

public class DeviceAddressTests
{
    [Test]
    public void Addresses_carry_into_the_next_octet()
    {
        var first = IPAddress.Parse("127.0.0.1");
        Assert.That(DeviceAddresses.At(first, 0).ToString(), Is.EqualTo("127.0.0.1"));
        Assert.That(DeviceAddresses.At(first, 254).ToString(), Is.EqualTo("127.0.0.255"));
        Assert.That(DeviceAddresses.At(first, 255).ToString(), Is.EqualTo("127.0.1.0"));
        Assert.That(DeviceAddresses.At(first, 999).ToString(), Is.EqualTo("127.0.3.232"));
    }

    [Test]
    public void Many_devices_must_stay_in_127_slash_8()
    {
        Assert.That(DeviceAddresses.Validate(IPAddress.Parse("127.0.0.1"), 1000), Is.Null);
        Assert.That(DeviceAddresses.Validate(IPAddress.Parse("127.255.255.250"), 10), Is.Not.Null);
        Assert.That(DeviceAddresses.Validate(IPAddress.Parse("192.168.1.10"), 2), Is.Not.Null);
        Assert.That(DeviceAddresses.Validate(IPAddress.Parse("192.168.1.10"), 1), Is.Null);
        Assert.That(DeviceAddresses.Validate(IPAddress.IPv6Loopback, 1), Is.Not.Null);
    }

    [Test]
    public void Engine_ids_are_unique_per_address_and_port_and_well_formed()
    {
        byte[] a = SimulatedDevice.EngineIdFor(new IPEndPoint(IPAddress.Parse("127.0.95.1"), 161));
        byte[] b = SimulatedDevice.EngineIdFor(new IPEndPoint(IPAddress.Parse("127.0.95.2"), 161));
        Assert.That(a, Is.Not.EqualTo(b));
        Assert.That(a.Length, Is.InRange(5, 32));
        Assert.That(a[0] & 0x80, Is.EqualTo(0x80));
    }

    [Test]
    public void Phases_spread_over_zero_to_one()
    {
        double[] phases = [.. Enumerable.Range(0, 1000).Select(SimulatedDevice.PhaseOf)];
        Assert.That(phases, Has.All.InRange(0.0, 0.999999999));
        Assert.That(phases.Count(p => p < 0.5), Is.InRange(400, 600));
    }
}

public class BerSizeTests
{
    private static IEnumerable<SnmpValue> Values()
    {
        yield return SnmpValue.Integer32(0);
        yield return SnmpValue.Integer32(127);
        yield return SnmpValue.Integer32(128);
        yield return SnmpValue.Integer32(-129);
        yield return SnmpValue.Integer32(int.MinValue);
        yield return SnmpValue.Counter32(0);
        yield return SnmpValue.Counter32(255);
        yield return SnmpValue.Counter32(uint.MaxValue);
        yield return SnmpValue.Gauge32(65536);
        yield return SnmpValue.TimeTicks(217539735);
        yield return SnmpValue.Counter64(ulong.MaxValue);
        yield return SnmpValue.Counter64(1UL << 55);
        yield return SnmpValue.OctetString(new byte[300]);
        yield return SnmpValue.OctetString(new byte[70000]);
        yield return SnmpValue.IpAddress(IPAddress.Loopback);
        yield return SnmpValue.Opaque([1, 2, 3]);
        yield return SnmpValue.ObjectId("1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.10.0");
        yield return SnmpValue.ObjectId("0.0");
        yield return SnmpValue.Null;
        yield return SnmpValue.NoSuchInstance;
        yield return SnmpValue.EndOfMibView;
    }

    [TestCaseSource(nameof(Values))]
    public void Computed_varbind_size_matches_the_encoder(SnmpValue value)
    {
        foreach (string oid in new[] { "1.3", "1.3.6.1.2.1.1.1.0", "1.3.6.1.4.1.4294967295.128.16384" })
        {
            Pdu empty = Pdu.Response(1, SnmpErrorStatus.NoError, 0, []);
            Pdu one = Pdu.Response(1, SnmpErrorStatus.NoError, 0, [new Varbind(oid, value)]);
            int emptyLength = new CommunityMessage(SnmpVersion.V2c, "public"u8.ToArray(), empty).Encode().Length;
            int oneLength = new CommunityMessage(SnmpVersion.V2c, "public"u8.ToArray(), one).Encode().Length;
            int size = BerSize.Varbind(oid, value);

            // The enclosing SEQUENCE lengths may grow by up to 3 octets each (list, PDU, message).
            Assert.That(oneLength - emptyLength, Is.InRange(size, size + 9), oid);
            Assert.That(size, Is.GreaterThan(0));
        }
    }
}

public class AdvanceTests
{
    [Test]
    public void Page_counters_grow_by_rate_times_minutes_and_wrap_like_their_type()
    {
        TimeSpan tenMinutes = TimeSpan.FromMinutes(10);
        Assert.That(AdvancingCounters.Advance(SnmpValue.Counter32(100), AdvanceKind.Pages, 1, 60, 0, tenMinutes), Is.EqualTo(SnmpValue.Counter32(700)));
        Assert.That(AdvancingCounters.Advance(SnmpValue.Counter32(uint.MaxValue), AdvanceKind.Pages, 1, 1, 0, TimeSpan.FromMinutes(2)), Is.EqualTo(SnmpValue.Counter32(1)));
        Assert.That(AdvancingCounters.Advance(SnmpValue.Counter64(5), AdvanceKind.Pages, 0.5, 60, 0, tenMinutes), Is.EqualTo(SnmpValue.Counter64(305)));
        Assert.That(AdvancingCounters.Advance(SnmpValue.Integer32(int.MaxValue - 1), AdvanceKind.Pages, 1, 60, 0, tenMinutes), Is.EqualTo(SnmpValue.Integer32(int.MaxValue)));
        Assert.That(AdvancingCounters.Advance(SnmpValue.Integer32(-2), AdvanceKind.Pages, 1, 60, 0, tenMinutes), Is.EqualTo(SnmpValue.Integer32(-2)));
        Assert.That(AdvancingCounters.Advance(SnmpValue.OctetString("x"), AdvanceKind.Pages, 1, 60, 0, tenMinutes), Is.EqualTo(SnmpValue.OctetString("x")));
        Assert.That(AdvancingCounters.Advance(SnmpValue.TimeTicks(10), AdvanceKind.Uptime, 1, 0, 0, TimeSpan.FromSeconds(3)), Is.EqualTo(SnmpValue.TimeTicks(310)));
    }

    [Test]
    public void The_phase_decides_when_a_device_ticks()
    {
        TimeSpan thirtySeconds = TimeSpan.FromSeconds(30);
        Assert.That(AdvancingCounters.Advance(SnmpValue.Counter32(0), AdvanceKind.Pages, 1, 1, 0.2, thirtySeconds), Is.EqualTo(SnmpValue.Counter32(0)));
        Assert.That(AdvancingCounters.Advance(SnmpValue.Counter32(0), AdvanceKind.Pages, 1, 1, 0.7, thirtySeconds), Is.EqualTo(SnmpValue.Counter32(1)));
    }

    [Test]
    public void The_embedded_list_names_prtMarkerLifeCount_and_sysUpTime()
    {
        Assert.That(AdvancingCounters.Default.Classify("1.3.6.1.2.1.43.10.2.1.4.1.1").Kind, Is.EqualTo(AdvanceKind.Pages));
        Assert.That(AdvancingCounters.Default.Classify("1.3.6.1.2.1.1.3.0").Kind, Is.EqualTo(AdvanceKind.Uptime));
        Assert.That(AdvancingCounters.Default.Classify("1.3.6.1.2.1.43.10.2.1.5.1.1").Kind, Is.EqualTo(AdvanceKind.None));
        Assert.That(AdvancingCounters.Default.Prefixes, Has.Count.GreaterThan(5));
    }

    [Test]
    public void A_bad_list_line_names_its_line()
    {
        var e = Assert.Throws<FormatException>(() => AdvancingCounters.Parse(new StringReader("pages 1.3.6\nbogus 1.3\n")));
        Assert.That(e!.Message, Does.StartWith("line 2"));
    }
}
