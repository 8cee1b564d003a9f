using System.Net;
using OneStopPi.Snmp.Text;

namespace OneStopPi.Snmp.Tests.Text;

/// <summary>net-snmp's <c>-On</c> text without MIBs (the CLI's output; compared with net-snmp itself in OneStopPi.Agent.Tests).</summary>
[TestFixture]
public sealed class NetSnmpFormatTests
{
    public static IEnumerable<TestCaseData> Values()
    {
        static TestCaseData Case(SnmpValue value, string text) => new TestCaseData(value, text).SetArgDisplayNames(text);

        yield return Case(SnmpValue.Integer32(-3), "INTEGER: -3");
        yield return Case(SnmpValue.OctetString("Black Toner"), "STRING: \"Black Toner\"");
        yield return Case(SnmpValue.OctetString("say \"hi\" \\ bye"), "STRING: \"say \\\"hi\\\" \\\\ bye\"");
        yield return Case(SnmpValue.OctetString("line\nbreak\r\ttab"), "STRING: \"line\nbreak\r\ttab\"");
        yield return Case(SnmpValue.OctetString(""), "\"\"");
        yield return Case(SnmpValue.OctetString([0x00, 0x18, 0x71, 0xC1, 0xE0, 0x0A]), "Hex-STRING: 00 18 71 C1 E0 0A");
        yield return Case(SnmpValue.OctetString("Toner\0"), "Hex-STRING: 54 6F 6E 65 72 00");
        yield return Case(SnmpValue.OctetString("T\u00f3ner"), "Hex-STRING: 54 C3 B3 6E 65 72");
        yield return Case(SnmpValue.OctetString([.. Enumerable.Range(0, 20).Select(i => (byte)i)]),
            "Hex-STRING: 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10 11 12 13");
        yield return Case(SnmpValue.Null, "NULL");
        yield return Case(SnmpValue.ObjectId("1.3.6.1.4.1.11.2.3.9.1"), "OID: .1.3.6.1.4.1.11.2.3.9.1");
        yield return Case(SnmpValue.ObjectId("0.0"), "OID: .0.0");
        yield return Case(SnmpValue.IpAddress(IPAddress.Parse("192.168.1.10")), "IpAddress: 192.168.1.10");
        yield return Case(SnmpValue.Counter32(uint.MaxValue), "Counter32: 4294967295");
        yield return Case(SnmpValue.Gauge32(7), "Gauge32: 7");
        yield return Case(SnmpValue.Counter64(ulong.MaxValue), "Counter64: 18446744073709551615");
        yield return Case(SnmpValue.TimeTicks(0), "Timeticks: (0) 0:00:00.00");
        yield return Case(SnmpValue.TimeTicks(123456), "Timeticks: (123456) 0:20:34.56");
        yield return Case(SnmpValue.TimeTicks(8640123), "Timeticks: (8640123) 1 day, 0:00:01.23");
        yield return Case(SnmpValue.TimeTicks(950925200), "Timeticks: (950925200) 110 days, 1:27:32.00");
        yield return Case(SnmpValue.TimeTicks(uint.MaxValue), "Timeticks: (4294967295) 497 days, 2:27:52.95");
        yield return Case(SnmpValue.NoSuchObject, "No Such Object available on this agent at this OID");
        yield return Case(SnmpValue.NoSuchInstance, "No Such Instance currently exists at this OID");
        yield return Case(SnmpValue.EndOfMibView, "No more variables left in this MIB View (It is past the end of the MIB tree)");
    }

    [TestCaseSource(nameof(Values))]
    public void Formats_values_as_net_snmp(SnmpValue value, string expected)
    {
        Assert.That(NetSnmpFormat.FormatValue(value), Is.EqualTo(expected));
    }

    [Test]
    public void Formats_a_varbind_with_a_leading_dot()
    {
        Assert.That(NetSnmpFormat.FormatVarbind(new Varbind("1.3.6.1.2.1.1.1.0", SnmpValue.OctetString("x"))),
            Is.EqualTo(".1.3.6.1.2.1.1.1.0 = STRING: \"x\""));
    }
}
