using System.Net;
using OneStopPi.Snmp.Text;

namespace OneStopPi.Snmp.Tests.Text;

/// <summary>snmpsim's snmprec records (shared/walks/FORMAT.md): what we write must read back unchanged in snmpsim.</summary>
[TestFixture]
public sealed class SnmprecFormatTests
{
    public static IEnumerable<TestCaseData> Records()
    {
        static TestCaseData Case(SnmpValue value, string record) => new TestCaseData(value, record).SetArgDisplayNames(record);

        yield return Case(SnmpValue.Integer32(-3), "1.3.6.1|2|-3");
        yield return Case(SnmpValue.OctetString("Black Toner"), "1.3.6.1|4|Black Toner");
        yield return Case(SnmpValue.OctetString(""), "1.3.6.1|4|");
        yield return Case(SnmpValue.OctetString("S/N "), "1.3.6.1|4x|532f4e20"); // snmpsim strips the line: trailing space as hex
        yield return Case(SnmpValue.OctetString(" lead"), "1.3.6.1|4x|206c656164");
        yield return Case(SnmpValue.OctetString("a|b"), "1.3.6.1|4x|617c62");
        yield return Case(SnmpValue.OctetString("a\nb"), "1.3.6.1|4x|610a62");
        yield return Case(SnmpValue.OctetString("T\u00f3ner"), "1.3.6.1|4x|54c3b36e6572");
        yield return Case(SnmpValue.OctetString("\\\\"), "1.3.6.1|4|\\\\");
        yield return Case(SnmpValue.Null, "1.3.6.1|5|");
        yield return Case(SnmpValue.ObjectId("1.3.6.1.4.1.367.1.1"), "1.3.6.1|6|1.3.6.1.4.1.367.1.1");
        yield return Case(SnmpValue.IpAddress(IPAddress.Parse("10.0.0.146")), "1.3.6.1|64|10.0.0.146");
        yield return Case(SnmpValue.Counter32(uint.MaxValue), "1.3.6.1|65|4294967295");
        yield return Case(SnmpValue.Gauge32(5), "1.3.6.1|66|5");
        yield return Case(SnmpValue.TimeTicks(123456), "1.3.6.1|67|123456");
        yield return Case(SnmpValue.Opaque([0x9F, 0x78]), "1.3.6.1|68x|9f78");
        yield return Case(SnmpValue.Counter64(ulong.MaxValue), "1.3.6.1|70|18446744073709551615");
        yield return Case(SnmpValue.NoSuchObject, "1.3.6.1|128|");
        yield return Case(SnmpValue.NoSuchInstance, "1.3.6.1|129|");
        yield return Case(SnmpValue.EndOfMibView, "1.3.6.1|130|");
    }

    [TestCaseSource(nameof(Records))]
    public void Formats_and_parses_back(SnmpValue value, string record)
    {
        var varbind = new Varbind("1.3.6.1", value);
        Assert.Multiple(() =>
        {
            Assert.That(SnmprecFormat.FormatRecord(varbind), Is.EqualTo(record));
            Assert.That(SnmprecFormat.TryParseRecord(record, out Varbind parsed, out string? error), Is.True, error);
            Assert.That(parsed, Is.EqualTo(varbind));
        });
    }

    [TestCase("1.3.6.1.2.1.1.1.0|4|a|b|c", "a|b|c", TestName = "splits on the first two bars only")]
    [TestCase("1.3.6.1.2.1.1.1.0|4x|4A4b", "JK", TestName = "hex in either case")]
    [TestCase("  1.3.6.1.2.1.1.1.0|4|text  ", "text", TestName = "the line is stripped as snmpsim does")]
    [TestCase(".1.3.6.1.2.1.1.1.0|4|dot", "dot", TestName = "OID with a leading dot (LibreNMS)")]
    public void Parses_what_snmpsim_reads(string line, string text)
    {
        bool parsed = SnmprecFormat.TryParseRecord(line, out Varbind varbind, out string? error);
        Assert.Multiple(() =>
        {
            Assert.That(parsed, Is.True, error);
            Assert.That(varbind.Value.AsText(), Is.EqualTo(text));
        });
    }

    [TestCase("", TestName = "blank line")]
    [TestCase("# comment", TestName = "comment")]
    [TestCase("1.3.6.1.2.1.2.2.1.17.1|65|6git3159", TestName = "the okilan typo")]
    [TestCase("1.3.6.1|65|4294967296", TestName = "Counter32 too big")]
    [TestCase("1.3.6.1|2|1.5", TestName = "INTEGER not an integer")]
    [TestCase("1.3.6.1|4x|abc", TestName = "odd hex")]
    [TestCase("1.3.6.1|99|x", TestName = "unknown tag")]
    [TestCase("1.3.6.1|4X|414243", TestName = "upper-case X (snmpsim's record/snmprec.py reads only x)")]
    [TestCase("1.3.6.1|4", TestName = "no value field")]
    [TestCase("iso.3.6|4|x", TestName = "not numeric")]
    public void Refuses_what_it_cannot_read(string line)
    {
        Assert.That(SnmprecFormat.TryParseRecord(line, out _, out _), Is.False);
    }
}
